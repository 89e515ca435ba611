import RealtimeProtocol

/// The combined `/events` stream re-serialises each payload the way Python's `json.dumps`
/// does by default (`", "` and `": "` separators, non-ASCII escaped as `\uXXXX`) and adds
/// `"source": "<channel>"` when the payload has no `source` key (PROTOCOL.md §5).
/// A payload that is not a JSON object is passed through unchanged.
func pythonStyle(_ payload: String, eventName: String, tenant: String) -> String {
    guard case .object(var members)? = try? JSONValue.parse(payload) else { return payload }
    if !members.contains(where: { $0.key == "source" }) {
        let prefix: String =
            switch EventType(rawValue: eventName).family {
            case .onu: Endpoint.onuStatus.channelPrefix
            case .alert: Endpoint.alerts.channelPrefix
            case .ticket: Endpoint.tickets.channelPrefix
            case .subscriber: Endpoint.subscribers.channelPrefix
            case .session: Endpoint.radiusSessions.channelPrefix
            default: "events"
            }
        members.append(.init("source", .string("\(prefix):\(tenant)")))
    }
    var out = ""
    pythonDump(.object(members), into: &out)
    return out
}

func pythonDump(_ value: JSONValue, into out: inout String) {
    switch value {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let n): out += n
    case .string(let s): pythonQuote(s, into: &out)
    case .array(let items):
        out += "["
        for (i, item) in items.enumerated() {
            if i > 0 { out += ", " }
            pythonDump(item, into: &out)
        }
        out += "]"
    case .object(let members):
        out += "{"
        for (i, m) in members.enumerated() {
            if i > 0 { out += ", " }
            pythonQuote(m.key, into: &out)
            out += ": "
            pythonDump(m.value, into: &out)
        }
        out += "}"
    }
}

/// A JSON string as Python's `ensure_ascii=True` writes it.
func pythonQuote(_ s: String, into out: inout String) {
    JSONValue.appendQuoted(s, to: &out, asciiOnly: true)
}
