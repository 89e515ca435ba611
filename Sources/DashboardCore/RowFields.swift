import RealtimeProtocol

/// The fields a `/` query can name on each pane, and how each row answers them.
///
/// One table serves both the lookup and the help overlay. A name the table does not know is
/// looked up in the row's JSON as received (a top-level key, then a key of its `data`), so every
/// raw field is queryable too: `rx_power_dbm<-27`, `nas_ip_address=10.0.0.1`.
public enum RowFields {
    public struct Field: Sendable {
        public var name: String
        public var aliases: [String]
        public var help: String
    }

    static func f(_ name: String, _ aliases: [String] = [], _ help: String) -> Field {
        Field(name: name, aliases: aliases, help: help)
    }

    /// Per pane, the named fields (the help overlay lists them).
    public static func fields(for pane: Pane) -> [Field] {
        let tenant = f("tenant", [], "tenant id")
        switch pane {
        case .onu:
            return [
                tenant, f("serial", ["onu"], "ONU serial"), f("status", [], "online offline degraded rebooting"),
                f("olt", [], "OLT id"), f("pon", [], "PON port (exact: pon=11 is not 110)"),
                f("dbm", ["signal"], "received power, dBm"), f("previous", [], "status before"),
                f("subscriber", [], "subscriber id"), f("type", [], "event type; outage rows: outage"),
                f("offline", [], "outage rows: ONUs offline"),
            ]
        case .alerts:
            return [
                tenant, f("sev", ["severity"], "info < warning < error < critical"), f("type", [], "alert type"),
                f("source", [], "device"), f("message", ["msg"], "text"), f("status", [], "active or cleared"),
                f("id", [], "alert id"), f("olt", [], "outage rows: OLT"), f("offline", [], "outage rows: ONUs offline"),
            ]
        case .tickets:
            return [
                tenant, f("number", [], "ticket number"), f("title", [], "title"), f("priority", [], "priority"),
                f("status", [], "status"), f("category", [], "category"), f("assigned", [], "assignee"),
                f("subscriber", [], "subscriber id"), f("type", [], "event type"),
            ]
        case .subscribers:
            return [
                tenant, f("name", [], "full name"), f("account", [], "account number"), f("status", [], "status"),
                f("plan", [], "plan"), f("serial", ["onu"], "ONU serial"), f("subscriber", ["id"], "subscriber id"),
                f("type", [], "event type"),
            ]
        case .sessions:
            return [
                tenant, f("user", ["username"], "login"), f("ip", [], "framed IP"), f("nas", [], "NAS IP"),
                f("profile", [], "bandwidth profile"), f("in", ["bytes_in"], "bytes in"), f("out", ["bytes_out"], "bytes out"),
                f("rate_in", [], "bit/s in"), f("rate_out", [], "bit/s out"), f("duration", [], "seconds"),
                f("session", [], "session id"),
            ]
        case .jobs:
            return [
                tenant, f("id", [], "job id"), f("type", [], "job type; campaigns: campaign"),
                f("status", [], "pending running completed failed cancelled"), f("progress", [], "percent"),
                f("total", [], "items"), f("processed", [], "items done"), f("failed", [], "items failed"),
                f("item", [], "current item"), f("error", [], "error message"),
            ]
        }
    }

    /// Each pane's aliases: alias → field name. Per pane, because a word means different
    /// things in different panes (`id` is the subscriber in Subscribers, the alert in Alerts).
    static let aliases: [Pane: [String: String]] = {
        var map: [Pane: [String: String]] = [:]
        for pane in Pane.allCases {
            for field in fields(for: pane) { for a in field.aliases { map[pane, default: [:]][a] = field.name } }
        }
        return map
    }()

    /// The panes a row of this kind is shown in (an outage is in the ONU and Alerts panes).
    static func panes(of item: RowItem) -> [Pane] {
        switch item {
        case .onu: [.onu]
        case .outage: [.onu, .alerts]
        case .alert, .alertGroup: [.alerts]
        case .ticket: [.tickets]
        case .subscriber: [.subscribers]
        case .session: [.sessions]
        case .job: [.jobs]
        case .gap: []
        }
    }

    /// The field `name` means for a row of this kind: an alias of its pane, or itself.
    static func field(_ name: String, for item: RowItem) -> String {
        for pane in panes(of: item) { if let f = aliases[pane]?[name] { return f } }
        return name
    }

    /// The value of field `name` (lowercased) of a row, or nil when it has none. A name that is
    /// not one of the row's fields is looked up in its JSON as written (an alias is not applied
    /// there: `severity` is the JSON's own key).
    public static func value(_ name: String, of item: RowItem) -> FieldValue? {
        if let v = named(field(name, for: item), of: item) { return v }
        return raw(name, of: item)
    }

    static func text(_ s: String?) -> FieldValue? { s.map(FieldValue.text) }
    static func number<T: BinaryInteger>(_ n: T?) -> FieldValue? { n.map { .number(Double($0)) } }
    static func number(_ n: Double?) -> FieldValue? { n.map(FieldValue.number) }

    static func named(_ name: String, of item: RowItem) -> FieldValue? {
        switch item {
        case .onu(let tenant, let e, let o):
            switch name {
            case "tenant": return .text(tenant)
            case "serial": return .text(o.onuSerial)
            case "status": return .text(o.status.rawValue)
            case "olt": return text(o.oltID)
            case "pon": return number(o.ponPort)
            case "dbm": return number(o.signalDBm)
            case "previous": return text(o.previousStatus?.rawValue)
            case "subscriber": return text(o.subscriberID)
            case "type": return .text(e.type.rawValue)
            default: return nil
            }
        case .outage(let o, _, let alerts):
            switch name {
            case "tenant": return .text(o.scope.tenant)
            case "olt": return .text(o.scope.olt)
            case "pon": return number(o.scope.pon)
            case "offline": return .number(Double(o.offlineCount))
            case "type": return .text("outage")
            // As its row reads: an active outage is critical (sev>=error must not hide it).
            case "sev": return .severity(o.isActive ? .critical : .info)
            case "status": return .text(o.isActive ? "active" : "resolved")
            case "alerts": return .number(Double(alerts.count))
            default: return nil
            }
        case .alert(let a):
            return alertField(name, a)
        case .alertGroup(let g):
            if name == "count" { return .number(Double(g.count)) }
            if name == "sev" { return .severity(g.severity) }
            return alertField(name, g.latest)
        case .ticket(let tenant, let e, let t):
            switch name {
            case "tenant": return .text(tenant)
            case "number": return .text(t.ticketNumber)
            case "title": return .text(t.title)
            case "priority": return .text(t.priority)
            case "status": return .text(t.status)
            case "category": return .text(t.category)
            case "assigned": return text(t.assignedTo)
            case "subscriber": return text(t.subscriberID)
            case "type": return .text(e.type.rawValue)
            default: return nil
            }
        case .subscriber(let tenant, let e, let s):
            switch name {
            case "tenant": return .text(tenant)
            case "name": return .text(s.fullName)
            case "account": return .text(s.accountNumber)
            case "status": return .text(s.status)
            case "plan": return text(s.plan)
            case "serial": return text(s.onuSerial)
            case "subscriber": return .text(s.subscriberID)
            case "type": return .text(e.type.rawValue)
            default: return nil
            }
        case .session(let s):
            return sessionField(name, s)
        case .job(let j):
            switch name {
            case "tenant": return .text(j.tenant)
            case "id": return .text(j.id)
            case "type": return .text(j.isCampaign ? "campaign" : j.type)
            case "status": return .text(j.status.rawValue)
            case "progress": return number(j.progress)
            case "total": return number(j.total)
            case "processed": return number(j.processed)
            case "failed": return number(j.failed)
            case "item": return text(j.currentItem)
            case "error": return text(j.errorMessage)
            default: return nil
            }
        case .gap(let tenant, _):
            return name == "tenant" ? .text(tenant) : nil
        }
    }

    static func alertField(_ name: String, _ a: AlertRow) -> FieldValue? {
        switch name {
        case "tenant": .text(a.tenant)
        case "sev": .severity(a.severity)
        case "type": .text(a.type)
        case "source": .text(a.source)
        case "message": .text(a.message)
        case "status": .text(a.isActive ? "active" : "cleared")
        case "id": .text(a.id)
        case "count": .number(1)
        default: nil
        }
    }

    /// A session's field, read from its row in place (the sessions table asks this per row).
    public static func sessionField(_ name: String, _ s: SessionRow) -> FieldValue? {
        switch aliases[.sessions]?[name] ?? name {
        case "tenant": .text(s.tenant)
        case "user": .text(s.username)
        case "ip": text(s.framedIP)
        case "nas": .text(s.nas)
        case "profile": text(s.profile)
        case "in": .number(Double(s.bytesIn))
        case "out": .number(Double(s.bytesOut))
        case "rate_in": .number(s.rateIn * 8)
        case "rate_out": .number(s.rateOut * 8)
        case "duration": number(s.sessionTime)
        case "session": .text(s.sessionID)
        default: rawField(name, s.raw)
        }
    }

    static func raw(_ name: String, of item: RowItem) -> FieldValue? {
        switch item {
        case .onu(_, let e, _), .ticket(_, let e, _), .subscriber(_, let e, _): rawField(name, e.raw)
        case .alert(let a): rawField(name, a.raw)
        case .alertGroup(let g): rawField(name, g.latest.raw)
        case .session(let s): rawField(name, s.raw)
        case .job(let j): rawField(name, j.raw)
        case .outage, .gap: nil
        }
    }

    /// A key of the event as received: top level first, then its `data`.
    static func rawField(_ name: String, _ raw: [UInt8]) -> FieldValue? {
        guard !raw.isEmpty, let json = try? JSONValue.parse(raw) else { return nil }
        func value(_ v: JSONValue?) -> FieldValue? {
            switch v {
            case .string(let s)?: .text(s)
            case .number(let n)?: Double(n).map(FieldValue.number) ?? .text(n)
            case .bool(let b)?: .text(b ? "true" : "false")
            default: nil
            }
        }
        return value(json[name]) ?? value(json["data"]?[name])
    }
}
