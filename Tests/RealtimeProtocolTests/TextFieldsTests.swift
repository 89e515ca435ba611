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

    @Test("setting a field of a decoded payload changes that field only, never the event's bytes, and does not grow")
    func setters() throws {
        let json = Payloads.ticket("ticket.updated", status: "open", assigned: "\"noc-2\"")
        let e = try #require(decodeOK(json))
        guard case .ticket(var t) = e.payload else {
            Issue.record("not a ticket")
            return
        }
        t.title = "Fibre cut, Ré"
        t.assignedTo = nil
        // Every field against the fixture's literal values, not against a copy sharing storage.
        #expect(t.title == "Fibre cut, Ré")
        #expect(t.assignedTo == nil)
        #expect(
            [t.ticketID, t.ticketNumber, t.category, t.priority, t.status] == [
                "tk-9", "TCK-2025-0009", "connectivity", "high", "open",
            ])
        #expect(t.subscriberID == "sub-42")
        #expect(
            t
                == TicketEvent(
                    ticketID: "tk-9", ticketNumber: "TCK-2025-0009", title: "Fibre cut, Ré", category: "connectivity",
                    priority: "high", status: "open", subscriberID: "sub-42"))
        // The event is untouched: its bytes are the fixture's, and its payload reads the old values.
        #expect(e.raw == Array(json.utf8))
        guard case .ticket(let original) = e.payload else { return }
        #expect(original.title == "No internet" && original.assignedTo == "noc-2")
        // Set over and over: the text stays the size of the fields.
        for i in 0..<1000 { t.title = "title \(i % 10)" }
        #expect(t.title == "title 9")
        #expect(t.text.bytes.count < 100, "\(t.text.bytes.count) bytes of text after 1,000 sets")
    }

    @Test("fields past the first 64 KiB of an event, and longer than 64 KiB, read back whole")
    func largeOffsets() throws {
        let long = String(repeating: "x", count: 70_000)
        let json =
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"details\":{\"pad\":\"\(long)\"},\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\",\"message\":\"\(long)y\"}"
        let e = try #require(decodeOK(json))
        guard case .alert(let a) = e.payload else {
            Issue.record("not an alert")
            return
        }
        #expect(a.alertID == "a" && a.alertType == "x" && a.source == "s")
        #expect(a.message.utf8.count == 70_001 && a.message.hasSuffix("xy"))
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

@Suite("payload text fields, every family")
struct TextFieldOrderTests {
    static let head = "\"tenant_id\":\"t\",\(Payloads.ts)"

    @Test("each text field of each family reads back its own value (the decoder's order is the payload's)")
    func everyFieldItsOwn() throws {
        let onu = try #require(
            decodeOK(
                "{\"event_type\":\"onu.offline\",\(Self.head),\"onu_serial\":\"o1\",\"subscriber_id\":\"o2\",\"status\":\"offline\",\"olt_id\":\"o3\"}"
            ))
        guard case .onu(let o) = onu.payload else { throw Failure("onu") }
        #expect([o.onuSerial, o.subscriberID, o.oltID] == ["o1", "o2", "o3"])

        let session = try #require(
            decodeOK(
                "{\"event_type\":\"session.updated\",\(Self.head),\"username\":\"s1\",\"session_id\":\"s2\",\"nas_ip_address\":\"s3\",\"framed_ip_address\":\"s4\",\"subscriber_id\":\"s5\",\"bandwidth_profile\":\"s6\",\"terminate_cause\":\"s7\"}"
            ))
        guard case .session(let s) = session.payload else { throw Failure("session") }
        #expect(
            [s.username, s.sessionID, s.nasIPAddress, s.framedIPAddress, s.subscriberID, s.bandwidthProfile, s.terminateCause]
                == ["s1", "s2", "s3", "s4", "s5", "s6", "s7"])

        let job = try #require(
            decodeOK(
                "{\"event_type\":\"job.progress\",\(Self.head),\"job_id\":\"j1\",\"job_type\":\"j2\",\"status\":\"running\",\"current_item\":\"j3\",\"error_message\":\"j4\"}"
            ))
        guard case .job(let j) = job.payload else { throw Failure("job") }
        #expect([j.jobID, j.jobType, j.currentItem, j.errorMessage] == ["j1", "j2", "j3", "j4"])

        let ticket = try #require(
            decodeOK(
                "{\"event_type\":\"ticket.created\",\(Self.head),\"ticket_id\":\"t1\",\"ticket_number\":\"t2\",\"title\":\"t3\",\"category\":\"t4\",\"priority\":\"t5\",\"status\":\"t6\",\"assigned_to\":\"t7\",\"subscriber_id\":\"t8\"}"
            ))
        guard case .ticket(let t) = ticket.payload else { throw Failure("ticket") }
        #expect(
            [t.ticketID, t.ticketNumber, t.title, t.category, t.priority, t.status, t.assignedTo, t.subscriberID]
                == ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"])

        let alert = try #require(
            decodeOK(
                "{\"event_type\":\"alert.raised\",\(Self.head),\"alert_id\":\"a1\",\"alert_type\":\"a2\",\"severity\":\"info\",\"source\":\"a3\",\"message\":\"a4\"}"
            ))
        guard case .alert(let a) = alert.payload else { throw Failure("alert") }
        #expect([a.alertID, a.alertType, a.source, a.message] == ["a1", "a2", "a3", "a4"])

        let subscriber = try #require(
            decodeOK(
                "{\"event_type\":\"subscriber.created\",\(Self.head),\"subscriber_id\":\"b1\",\"account_number\":\"b2\",\"full_name\":\"b3\",\"status\":\"b4\",\"plan\":\"b5\",\"onu_serial\":\"b6\"}"
            ))
        guard case .subscriber(let b) = subscriber.payload else { throw Failure("subscriber") }
        #expect(
            [b.subscriberID, b.accountNumber, b.fullName, b.status, b.plan, b.onuSerial] == ["b1", "b2", "b3", "b4", "b5", "b6"])
    }

    struct Failure: Error, CustomStringConvertible {
        var family: String
        init(_ family: String) { self.family = family }
        var description: String { "the \(family) payload did not decode as its family" }
    }
}
