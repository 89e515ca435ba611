import Testing

@testable import RealtimeProtocol

@Suite("payload text fields")
struct TextFieldsTests {
    @Test("a decoded payload's text is read from the event's own bytes: no copy, no String made while decoding")
    func sharesRaw() throws {
        for (type, json) in Payloads.all {
            let e = try #require(decodeOK(json))
            let textBytes: [UInt8]
            switch e.payload {
            case .onu(let o): textBytes = o.text.bytes
            case .session(let s): textBytes = s.text.bytes
            case .job(let j): textBytes = j.text.bytes
            case .ticket(let t): textBytes = t.text.bytes
            case .alert(let a): textBytes = a.text.bytes
            case .subscriber(let s): textBytes = s.text.bytes
            case .unknown:
                Issue.record("\(type) decoded as unknown")
                continue
            }
            let same = e.raw.withUnsafeBufferPointer { r in textBytes.withUnsafeBufferPointer { $0.baseAddress == r.baseAddress }
            }
            #expect(same, "the \(type) payload copied the event's bytes")
        }
    }

    @Test("a payload with an escaped field keeps its own text, every field of it right")
    func escapedOwnsText() throws {
        let json =
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":7,\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"olt-1\",\"message\":\"caf\\u00e9 \\\"down\\\"\"}"
        let e = try #require(decodeOK(json))
        guard case .alert(let a) = e.payload else {
            Issue.record("not an alert")
            return
        }
        #expect(a.alertID == "7")
        #expect(a.alertType == "x")
        #expect(a.source == "olt-1")
        #expect(a.message == "café \"down\"")
        #expect(a.text.bytes.count < e.raw.count, "own text is the fields' text, not a copy of the event")
        #expect(a == AlertEvent(alertID: "7", alertType: "x", severity: .info, source: "olt-1", message: "café \"down\""))
    }

    @Test("setting a field of a decoded payload changes that field only, and never the event's bytes")
    func setters() throws {
        let e = try #require(decodeOK(Payloads.ticket("ticket.updated", status: "open", assigned: "\"noc-2\"")))
        let raw = e.raw
        guard case .ticket(var t) = e.payload else {
            Issue.record("not a ticket")
            return
        }
        let before = t
        t.title = "Fibre cut, Ré"
        t.assignedTo = nil
        #expect(t.title == "Fibre cut, Ré")
        #expect(t.assignedTo == nil)
        #expect(t.ticketID == before.ticketID && t.ticketNumber == before.ticketNumber && t.status == before.status)
        #expect(t.subscriberID == before.subscriberID && t.priority == before.priority && t.category == before.category)
        #expect(t != before)
        #expect(e.raw == raw)
        guard case .ticket(let original) = e.payload else { return }
        #expect(original == before, "the event's payload is a value: unchanged")
    }

    @Test("payloads built from Strings read back every field, absent ones as nil")
    func builtFromStrings() {
        let s = SessionEvent(
            username: "ada@isp", sessionID: "s-1", nasIPAddress: "10.0.0.1", framedIPAddress: nil, subscriberID: "sub-1",
            bandwidthProfile: "", bytesIn: 5, terminateCause: "User-Request")
        #expect(s.username == "ada@isp")
        #expect(s.sessionID == "s-1")
        #expect(s.nasIPAddress == "10.0.0.1")
        #expect(s.framedIPAddress == nil)
        #expect(s.subscriberID == "sub-1")
        #expect(s.bandwidthProfile == "", "empty is not absent")
        #expect(s.terminateCause == "User-Request")
        #expect(s.bytesIn == 5 && s.bytesOut == nil)
    }

    @Test("a missing required field is named in the payload's order, text or not")
    func requiredOrder() {
        // Both severity (not text) and source (text) missing: severity comes first.
        let alert =
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"message\":\"m\"}"
        #expect(decodeBad(alert) == "missing required field 'severity'")
        // Job: job_type (text) before status (not text).
        let job = "{\"event_type\":\"job.progress\",\"tenant_id\":\"t\",\(Payloads.ts),\"job_id\":\"j\"}"
        #expect(decodeBad(job) == "missing required field 'job_type'")
    }
}
