/// Writes events as the backend publishes them: one flat JSON object, `event_type`,
/// `tenant_id`, `timestamp` (naive UTC with microseconds) first, then the family's fields in
/// PROTOCOL.md §7 order, optional fields as explicit `null`.
///
/// The demo backend publishes with it; tests use it to make realistic payloads.
public enum EventEncoder {
    public static func json(type: EventType, tenantID: String, timestamp: UTCInstant, payload: EventPayload) -> String {
        var w = ObjectWriter()
        w.string("event_type", type.rawValue)
        w.string("tenant_id", tenantID)
        w.string("timestamp", timestamp.iso8601)
        switch payload {
        case .onu(let p):
            w.string("onu_serial", p.onuSerial)
            w.string("subscriber_id", p.subscriberID)
            w.string("status", p.status.rawValue)
            w.double("signal_dbm", p.signalDBm)
            w.string("previous_status", p.previousStatus?.rawValue)
            w.string("olt_id", p.oltID)
            w.int("pon_port", p.ponPort.map(Int64.init))
        case .session(let p):
            w.string("username", p.username)
            w.string("session_id", p.sessionID)
            w.string("nas_ip_address", p.nasIPAddress)
            w.string("framed_ip_address", p.framedIPAddress)
            w.string("subscriber_id", p.subscriberID)
            w.string("bandwidth_profile", p.bandwidthProfile)
            w.int("bytes_in", p.bytesIn)
            w.int("bytes_out", p.bytesOut)
            w.int("session_time", p.sessionTime)
            w.string("terminate_cause", p.terminateCause)
        case .job(let p):
            w.string("job_id", p.jobID)
            w.string("job_type", p.jobType)
            w.string("status", p.status.rawValue)
            w.double("progress_percent", p.progressPercent)
            w.int("items_total", p.itemsTotal)
            w.int("items_processed", p.itemsProcessed)
            w.int("items_succeeded", p.itemsSucceeded)
            w.int("items_failed", p.itemsFailed)
            w.string("current_item", p.currentItem)
            w.string("error_message", p.errorMessage)
        case .ticket(let p):
            w.string("ticket_id", p.ticketID)
            w.string("ticket_number", p.ticketNumber)
            w.string("title", p.title)
            w.string("category", p.category)
            w.string("priority", p.priority)
            w.string("status", p.status)
            w.string("assigned_to", p.assignedTo)
            w.string("subscriber_id", p.subscriberID)
        case .alert(let p):
            w.string("alert_id", p.alertID)
            w.string("alert_type", p.alertType)
            w.string("severity", p.severity.rawValue)
            w.string("source", p.source)
            w.string("message", p.message)
            w.raw("details", p.details?.compactText ?? "null")
        case .subscriber(let p):
            w.string("subscriber_id", p.subscriberID)
            w.string("account_number", p.accountNumber)
            w.string("full_name", p.fullName)
            w.string("status", p.status)
            w.string("plan", p.plan)
            w.string("onu_serial", p.onuSerial)
        case .unknown(let value):
            if case .object(let members) = value {
                for m in members where !["event_type", "tenant_id", "timestamp"].contains(m.key) {
                    w.raw(m.key, m.value.compactText)
                }
            }
        }
        return w.finish()
    }

    /// A compact JSON object writer (no spaces, as the per-family SSE streams send).
    struct ObjectWriter {
        var text = "{"
        var first = true

        mutating func key(_ k: String) {
            if !first { text += "," }
            first = false
            JSONValue.appendQuoted(k, to: &text)
            text += ":"
        }

        mutating func string(_ k: String, _ v: String?) {
            key(k)
            if let v { JSONValue.appendQuoted(v, to: &text) } else { text += "null" }
        }

        mutating func int(_ k: String, _ v: Int64?) {
            key(k)
            text += v.map { String($0) } ?? "null"
        }

        mutating func double(_ k: String, _ v: Double?) {
            key(k)
            guard let v, v.isFinite else { text += "null"; return }
            // Python's repr: integral floats keep ".0".
            text += v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) + ".0" : String(v)
        }

        mutating func raw(_ k: String, _ json: String) {
            key(k)
            text += json
        }

        mutating func finish() -> String { text + "}" }
    }
}
