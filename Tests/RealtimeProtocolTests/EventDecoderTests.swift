import Testing
@testable import RealtimeProtocol

/// Realistic payloads, one per event type, shaped as the backend publishes them:
/// flat, optional fields as explicit `null`, naive UTC timestamps.
enum Payloads {
    static let ts = "\"timestamp\":\"2025-12-08T10:30:00.123456\""

    static func onu(_ type: String, status: String, signal: String = "null", previous: String = "null") -> String {
        "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-01\",\(ts),\"onu_serial\":\"HWTC1234ABCD\",\"subscriber_id\":\"sub-42\",\"status\":\"\(status)\",\"signal_dbm\":\(signal),\"previous_status\":\(previous),\"olt_id\":\"olt-01\",\"pon_port\":3}"
    }

    static func session(_ type: String, counters: Bool, cause: String = "null") -> String {
        let c =
            counters
            ? "\"bytes_in\":123456789,\"bytes_out\":987654321,\"session_time\":3600"
            : "\"bytes_in\":null,\"bytes_out\":null,\"session_time\":null"
        return
            "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-01\",\(ts),\"username\":\"alice@isp\",\"session_id\":\"s-0001\",\"nas_ip_address\":\"10.0.0.1\",\"framed_ip_address\":\"100.64.1.2\",\"subscriber_id\":null,\"bandwidth_profile\":\"100M\",\(c),\"terminate_cause\":\(cause)}"
    }

    static func job(_ type: String, status: String, error: String = "null") -> String {
        "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-01\",\(ts),\"job_id\":\"j-7\",\"job_type\":\"bulk_provision\",\"status\":\"\(status)\",\"progress_percent\":42.5,\"items_total\":200,\"items_processed\":85,\"items_succeeded\":80,\"items_failed\":5,\"current_item\":\"HWTC0000085\",\"error_message\":\(error)}"
    }

    static func ticket(_ type: String, status: String, assigned: String = "null") -> String {
        "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-02\",\(ts),\"ticket_id\":\"tk-9\",\"ticket_number\":\"TCK-2025-0009\",\"title\":\"No internet\",\"category\":\"connectivity\",\"priority\":\"high\",\"status\":\"\(status)\",\"assigned_to\":\(assigned),\"subscriber_id\":\"sub-42\"}"
    }

    static func alert(_ type: String, severity: String, details: String = "null") -> String {
        "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-01\",\(ts),\"alert_id\":\"a-1\",\"alert_type\":\"device_offline\",\"severity\":\"\(severity)\",\"source\":\"olt-01\",\"message\":\"OLT unreachable\",\"details\":\(details)}"
    }

    static func subscriber(_ type: String, status: String) -> String {
        "{\"event_type\":\"\(type)\",\"tenant_id\":\"t-01\",\(ts),\"subscriber_id\":\"sub-42\",\"account_number\":\"ACC-00042\",\"full_name\":\"Ada Obi\",\"status\":\"\(status)\",\"plan\":null,\"onu_serial\":null}"
    }

    /// One payload per known type, in PROTOCOL.md order.
    static let all: [(EventType, String)] = [
        (.onuOnline, onu("onu.online", status: "online", signal: "-21.5", previous: "\"offline\"")),
        (.onuOffline, onu("onu.offline", status: "offline", previous: "\"online\"")),
        (.onuSignalDegraded, onu("onu.signal_degraded", status: "degraded", signal: "-28.9")),
        (.onuProvisioned, onu("onu.provisioned", status: "online")),
        (.onuDeprovisioned, onu("onu.deprovisioned", status: "offline")),
        (.sessionStarted, session("session.started", counters: false)),
        (.sessionUpdated, session("session.updated", counters: true)),
        (.sessionStopped, session("session.stopped", counters: true, cause: "\"User-Request\"")),
        (.jobCreated, job("job.created", status: "pending")),
        (.jobProgress, job("job.progress", status: "running")),
        (.jobCompleted, job("job.completed", status: "completed")),
        (.jobFailed, job("job.failed", status: "failed", error: "\"OLT timeout\"")),
        (.jobCancelled, job("job.cancelled", status: "cancelled")),
        (.ticketCreated, ticket("ticket.created", status: "open")),
        (.ticketUpdated, ticket("ticket.updated", status: "in_progress")),
        (.ticketAssigned, ticket("ticket.assigned", status: "assigned", assigned: "\"noc-bob\"")),
        (.ticketResolved, ticket("ticket.resolved", status: "resolved")),
        (.alertRaised, alert("alert.raised", severity: "critical", details: "{\"pon\":3,\"onus\":[\"a\",\"b\"]}")),
        (.alertCleared, alert("alert.cleared", severity: "info")),
        (.subscriberCreated, subscriber("subscriber.created", status: "pending")),
        (.subscriberActivated, subscriber("subscriber.activated", status: "active")),
        (.subscriberSuspended, subscriber("subscriber.suspended", status: "suspended")),
        (.subscriberTerminated, subscriber("subscriber.terminated", status: "terminated")),
    ]
}

func decodeOK(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Event? {
    switch EventDecoder.decode(text) {
    case .event(let e): return e
    case .malformed(let m):
        Issue.record("unexpected malformed: \(m.reason)", sourceLocation: sourceLocation)
        return nil
    }
}

func decodeBad(_ text: String) -> String? {
    if case .malformed(let m) = EventDecoder.decode(text) { return m.reason }
    return nil
}

@Suite("EventDecoder")
struct EventDecoderTests {
    @Test("there are exactly 23 known event types and the fixtures cover each once")
    func twentyThree() {
        #expect(EventType.known.count == 23)
        #expect(Payloads.all.map(\.0) == EventType.known)
        for t in EventType.known { #expect(EventType(rawValue: t.rawValue) == t) }
    }

    @Test("every event type decodes from a realistic payload with explicit nulls", arguments: Payloads.all.map(\.1))
    func decodesEveryType(_ json: String) throws {
        let e = try #require(decodeOK(json))
        #expect(e.type.family != nil)
        #expect(e.timestamp == UTCInstant(iso8601: "2025-12-08T10:30:00.123456"))
        #expect(e.rawText == json, "the original bytes are kept unchanged")
    }

    @Test("ONU fields")
    func onuFields() throws {
        let e = try #require(decodeOK(Payloads.all[0].1))
        #expect(
            e.payload
                == .onu(
                    ONUEvent(
                        onuSerial: "HWTC1234ABCD", subscriberID: "sub-42", status: .online, signalDBm: -21.5,
                        previousStatus: .offline, oltID: "olt-01", ponPort: 3)))
    }

    @Test("RADIUS fields: null counters on start, cumulative on update")
    func sessionFields() throws {
        let started = try #require(decodeOK(Payloads.session("session.started", counters: false)))
        #expect(
            started.payload
                == .session(
                    SessionEvent(
                        username: "alice@isp", sessionID: "s-0001", nasIPAddress: "10.0.0.1",
                        framedIPAddress: "100.64.1.2", bandwidthProfile: "100M")))
        let stopped = try #require(decodeOK(Payloads.session("session.stopped", counters: true, cause: "\"User-Request\"")))
        guard case .session(let s) = stopped.payload else { Issue.record("not a session"); return }
        #expect(s.bytesIn == 123_456_789 && s.bytesOut == 987_654_321 && s.sessionTime == 3600)
        #expect(s.terminateCause == "User-Request")
    }

    @Test("job, ticket, alert and subscriber fields")
    func otherFields() throws {
        let job = try #require(decodeOK(Payloads.job("job.failed", status: "failed", error: "\"OLT timeout\"")))
        #expect(
            job.payload
                == .job(
                    JobEvent(
                        jobID: "j-7", jobType: "bulk_provision", status: .failed, progressPercent: 42.5,
                        itemsTotal: 200, itemsProcessed: 85, itemsSucceeded: 80, itemsFailed: 5,
                        currentItem: "HWTC0000085", errorMessage: "OLT timeout")))
        let ticket = try #require(decodeOK(Payloads.ticket("ticket.assigned", status: "assigned", assigned: "\"noc-bob\"")))
        #expect(ticket.tenantID == "t-02")
        #expect(
            ticket.payload
                == .ticket(
                    TicketEvent(
                        ticketID: "tk-9", ticketNumber: "TCK-2025-0009", title: "No internet",
                        category: "connectivity", priority: "high", status: "assigned",
                        assignedTo: "noc-bob", subscriberID: "sub-42")))
        let alert = try #require(
            decodeOK(Payloads.alert("alert.raised", severity: "critical", details: "{\"pon\":3,\"onus\":[\"a\",\"b\"]}")))
        #expect(
            alert.payload
                == .alert(
                    AlertEvent(
                        alertID: "a-1", alertType: "device_offline", severity: .critical, source: "olt-01",
                        message: "OLT unreachable",
                        details: .object([.init("pon", .number("3")), .init("onus", .array([.string("a"), .string("b")]))]))))
        let sub = try #require(decodeOK(Payloads.subscriber("subscriber.activated", status: "active")))
        #expect(
            sub.payload
                == .subscriber(
                    SubscriberEvent(subscriberID: "sub-42", accountNumber: "ACC-00042", fullName: "Ada Obi", status: "active")))
    }

    @Test("absent optional fields decode like explicit nulls")
    func absentOptionals() throws {
        let e = try #require(
            decodeOK(
                "{\"event_type\":\"onu.offline\",\"tenant_id\":\"t\",\"timestamp\":\"2025-12-08T10:30:00\",\"onu_serial\":\"X\",\"status\":\"offline\"}"
            ))
        #expect(e.payload == .onu(ONUEvent(onuSerial: "X", status: .offline)))
    }

    @Test("unknown extra fields are ignored and kept in the raw bytes")
    func unknownFields() throws {
        let json =
            "{\"event_type\":\"alert.raised\",\"new_field\":{\"deep\":[1,2,{\"x\":null}]},\"tenant_id\":\"t-01\",\(Payloads.ts),\"alert_id\":\"a-1\",\"alert_type\":\"x\",\"severity\":\"warning\",\"source\":\"s\",\"message\":\"m\",\"details\":null,\"zzz\":1e400}"
        let e = try #require(decodeOK(json))
        #expect(e.type == .alertRaised)
        #expect(e.rawText.contains("new_field"))
    }

    @Test("an unknown event type is kept whole, not dropped")
    func unknownType() throws {
        let json = "{\"event_type\":\"olt.rebooted\",\"tenant_id\":\"t-01\",\(Payloads.ts),\"olt_id\":\"olt-9\",\"uptime\":12}"
        let e = try #require(decodeOK(json))
        #expect(e.type == .unknown("olt.rebooted"))
        guard case .unknown(let value) = e.payload else { Issue.record("payload not unknown"); return }
        #expect(value["olt_id"] == .string("olt-9"))
        #expect(value["uptime"] == .number("12"))
    }

    @Test("the combined stream's re-serialised form (spaces, added source) decodes")
    func combinedStreamForm() throws {
        let json =
            "{\"event_type\": \"onu.offline\", \"tenant_id\": \"t-01\", \"timestamp\": \"2025-12-08T10:30:00\", \"onu_serial\": \"X\", \"subscriber_id\": null, \"status\": \"offline\", \"signal_dbm\": null, \"previous_status\": \"online\", \"olt_id\": null, \"pon_port\": null, \"source\": \"onu_status:t-01\"}"
        let e = try #require(decodeOK(json))
        #expect(e.payload == .onu(ONUEvent(onuSerial: "X", status: .offline, previousStatus: .online)))
    }

    @Test("unknown values of open enumerations are kept as text")
    func openEnums() throws {
        let e = try #require(decodeOK(Payloads.alert("alert.raised", severity: "major")))
        guard case .alert(let a) = e.payload else { return }
        #expect(a.severity == .other("major"))
        let j = try #require(decodeOK(Payloads.job("job.progress", status: "paused")))
        guard case .job(let job) = j.payload else { return }
        #expect(job.status == .other("paused"))
    }

    @Test("every documented value of an open enumeration is its case, written plainly or escaped; near misses are text")
    func openEnumValues() throws {
        for severity in [AlertSeverity.info, .warning, .error, .critical] {
            let plain = try #require(decodeOK(Payloads.alert("alert.raised", severity: severity.rawValue)))
            #expect(plain.payload.alert?.severity == severity)
            // The first letter escaped: found through the text, the same case.
            let escaped = "\\u00" + String(severity.rawValue.utf8.first!, radix: 16) + severity.rawValue.dropFirst()
            let viaText = try #require(decodeOK(Payloads.alert("alert.raised", severity: escaped)))
            #expect(viaText.payload.alert?.severity == severity)
        }
        for status in [JobStatus.pending, .running, .completed, .failed, .cancelled] {
            let e = try #require(decodeOK(Payloads.job("job.progress", status: status.rawValue)))
            #expect(e.payload.job?.status == status)
        }
        for status in [ONUStatus.online, .offline, .rebooting, .degraded] {
            let json =
                "{\"event_type\":\"onu.online\",\"tenant_id\":\"t\",\(Payloads.ts),\"onu_serial\":\"X\",\"status\":\"\(status.rawValue)\",\"previous_status\":\"\(status.rawValue)\"}"
            let e = try #require(decodeOK(json))
            #expect(e.payload.onu?.status == status)
            #expect(e.payload.onu?.previousStatus == status)
        }
        for nearMiss in ["Critical", "critica", "criticall", "", "info "] {
            let e = try #require(decodeOK(Payloads.alert("alert.raised", severity: nearMiss)))
            #expect(e.payload.alert?.severity == .other(nearMiss))
        }
    }

    @Test("identifiers may be integers; integral floats are integers")
    func integerIdentifiers() throws {
        let json =
            "{\"event_type\":\"job.progress\",\"tenant_id\":\"t\",\(Payloads.ts),\"job_id\":1234,\"job_type\":\"x\",\"status\":\"running\",\"progress_percent\":50,\"items_total\":2.0e2}"
        let e = try #require(decodeOK(json))
        guard case .job(let j) = e.payload else { return }
        #expect(j.jobID == "1234")
        #expect(j.progressPercent == 50)
        #expect(j.itemsTotal == 200)
    }

    @Test("escaped strings, unicode and lone surrogates")
    func strings() throws {
        let json =
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\",\"message\":\"l1\\nl2 \\\"q\\\" \\u00e9 \\ud83d\\ude00 \\ud800 end \\/\",\"details\":null}"
        let e = try #require(decodeOK(json))
        guard case .alert(let a) = e.payload else { return }
        #expect(a.message == "l1\nl2 \"q\" é 😀 \u{FFFD} end /")
    }

    @Test("an escaped timestamp and event type read as their plain forms")
    func escapedTimestampAndType() throws {
        let plain = try #require(decodeOK(Payloads.alert("alert.raised", severity: "info")))
        let escaped = try #require(
            decodeOK(
                Payloads.alert("alert.raised", severity: "info")
                    .replacing("10:30:00", with: "10\\u003a30:00")
                    .replacing("\"alert.raised\"", with: "\"alert\\u002eraised\"")))
        #expect(escaped.timestamp == plain.timestamp)
        #expect(escaped.type == .alertRaised)
        #expect(escaped.payload == plain.payload)
    }

    @Test("a repeated key: the last value wins, whether it or the first has escapes; strings longer than 16 bytes")
    func repeatedKeys() throws {
        let head =
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\","
        let plainThenEscaped = head + "\"message\":\"first, plain and long enough\",\"message\":\"second \\u00e9 escaped\"}"
        let escapedThenPlain =
            head + "\"message\":\"first \\\"escaped\\\"\",\"message\":\"second, plain, well over sixteen bytes\"}"
        let a = try #require(decodeOK(plainThenEscaped))
        let b = try #require(decodeOK(escapedThenPlain))
        guard case .alert(let x) = a.payload, case .alert(let y) = b.payload else {
            Issue.record("alerts expected: \(a.payload) \(b.payload)")
            return
        }
        #expect(x.message == "second é escaped")
        #expect(y.message == "second, plain, well over sixteen bytes")
        let twoTypes =
            "{\"event_type\":\"alert.raised\",\"event_type\":\"alert.renamed\"," + head.dropFirst(29) + "\"message\":\"m\"}"
        #expect(decodeOK(twoTypes)?.type == EventType(rawValue: "alert.renamed"), "the last event_type decides, even unknown")
    }

    @Test("keys in any order, with whitespace, decode the same as in the backend's order")
    func anyOrder() throws {
        let ordered =
            #"{"event_type":"session.updated","tenant_id":"t","timestamp":"2025-12-08T10:30:00Z","username":"u","session_id":"s-1","nas_ip_address":"10.0.0.1","bytes_in":5,"bytes_out":6}"#
        let shuffled =
            #"{ "bytes_out" : 6, "session_id":"s-1", "timestamp":"2025-12-08T10:30:00Z","nas_ip_address":"10.0.0.1","username":"u", "tenant_id":"t","bytes_in":5,"event_type":"session.updated" }"#
        let a = try #require(decodeOK(ordered)), b = try #require(decodeOK(shuffled))
        #expect(a.payload == b.payload && a.type == b.type && a.tenantID == b.tenantID && a.timestamp == b.timestamp)
        // A key that the predicted one is a prefix of is a different key: "subscriber_id_x" where
        // "subscriber_id" is expected.
        let near =
            #"{"event_type":"onu.offline","tenant_id":"t","timestamp":"2025-12-08T10:30:00Z","onu_serial":"X","subscriber_id_x":"no","status":"offline"}"#
        let onu = try #require(decodeOK(near))
        guard case .onu(let o) = onu.payload else {
            Issue.record("an ONU event expected: \(onu.payload)")
            return
        }
        #expect(o.subscriberID == nil && o.status == .offline)
    }

    @Test("escaped keys still match known fields")
    func escapedKeys() throws {
        let json =
            "{\"event\\u005ftype\":\"alert.cleared\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\",\"message\":\"m\"}"
        #expect(decodeOK(json)?.type == .alertCleared)
    }

    static let malformed: [(String, String)] = [
        ("not JSON", "expected a JSON object"),
        ("{not json}", "invalid JSON"),
        ("{\"event_type\":\"alert.raised\"", "invalid JSON"),
        ("[1,2]", "expected a JSON object"),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\"} x", "invalid JSON"),
        ("{\"tenant_id\":\"t\",\"timestamp\":\"2025-12-08T10:30:00\"}", "missing required field 'event_type'"),
        ("{\"event_type\":\"alert.raised\",\"timestamp\":\"2025-12-08T10:30:00\"}", "missing required field 'tenant_id'"),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\"}", "missing required field 'timestamp'"),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"timestamp\":\"yesterday\"}", "'timestamp': not an ISO-8601"),
        (
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"timestamp\":\"2025-02-30T10:30:00\"}",
            "'timestamp': not an ISO-8601"
        ),
        (
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\"}",
            "missing required field 'message'"
        ),
        (
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":\"info\",\"source\":\"s\",\"message\":null}",
            "missing required field 'message'"
        ),
        (
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\(Payloads.ts),\"alert_id\":\"a\",\"alert_type\":\"x\",\"severity\":3,\"source\":\"s\",\"message\":\"m\"}",
            "field 'severity': expected a string, found number"
        ),
        ("{\"event_type\":7,\"tenant_id\":\"t\"}", "field 'event_type': expected a string, found number"),
        // Near misses of null, read four bytes at once: in the middle, and cut short at the end.
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"details\":nulx}", "invalid literal"),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"details\":nul}", "invalid literal"),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"details\":nul", "truncated literal"),
        (
            "{\"event_type\":\"onu.online\",\"tenant_id\":\"t\",\(Payloads.ts),\"onu_serial\":\"X\",\"status\":\"online\",\"signal_dbm\":\"-20\"}",
            "field 'signal_dbm': expected a number, found string"
        ),
        (
            "{\"event_type\":\"onu.online\",\"tenant_id\":\"t\",\(Payloads.ts),\"onu_serial\":\"X\",\"status\":\"online\",\"pon_port\":1.5}",
            "field 'pon_port': 1.5 is not an integer within 64 bits"
        ),
        (
            "{\"event_type\":\"onu.online\",\"tenant_id\":\"t\",\(Payloads.ts),\"onu_serial\":[\"X\"],\"status\":\"online\"}",
            "field 'onu_serial': expected a string, found array"
        ),
        (
            "{\"event_type\":\"session.updated\",\"tenant_id\":\"t\",\(Payloads.ts),\"username\":\"u\",\"session_id\":\"s\",\"nas_ip_address\":\"n\",\"bytes_in\":99999999999999999999}",
            "field 'bytes_in': 99999999999999999999 is not an integer within 64 bits"
        ),
        (
            "{\"event_type\":\"session.updated\",\"tenant_id\":\"t\",\(Payloads.ts),\"username\":\"u\",\"session_id\":\"s\",\"nas_ip_address\":\"n\",\"bytes_out\":9223372036854775808}",
            "is not an integer within 64 bits"
        ),
        (
            "{\"event_type\":\"session.updated\",\"tenant_id\":\"t\",\(Payloads.ts),\"username\":\"u\",\"session_id\":\"s\",\"nas_ip_address\":\"n\",\"session_time\":true}",
            "field 'session_time': expected an integer, found boolean"
        ),
        (
            "{\"event_type\":\"job.progress\",\"tenant_id\":\"t\",\(Payloads.ts),\"job_id\":{},\"job_type\":\"x\",\"status\":\"running\"}",
            "field 'job_id': expected a string, found object"
        ),
        (
            "{\"event_type\":\"job.progress\",\"tenant_id\":\"t\",\(Payloads.ts),\"job_id\":1.5,\"job_type\":\"x\",\"status\":\"running\"}",
            "expected a string or an integer identifier"
        ),
        (
            "{\"event_type\":\"ticket.created\",\"tenant_id\":\"t\",\(Payloads.ts),\"ticket_id\":\"a\"}",
            "missing required field 'ticket_number'"
        ),
        (
            "{\"event_type\":\"subscriber.created\",\"tenant_id\":\"t\",\(Payloads.ts),\"subscriber_id\":\"a\",\"account_number\":\"b\",\"full_name\":\"c\"}",
            "missing required field 'status'"
        ),
        (
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\",\"timestamp\":\"2025-12-08T10:30:00\",\"details\":\(String(repeating: "[", count: 500))}",
            "nesting deeper than"
        ),
        ("{\"event_type\":\"alert.raised\",\"tenant_id\":\"t\\x\"}", "invalid escape"),
        (
            "{\"event_type\":\"onu.online\",\"tenant_id\":\"t\",\(Payloads.ts),\"onu_serial\":\"X\",\"status\":\"online\",\"pon_port\":01}",
            "leading zero"
        ),
        ("", "unexpected end of input"),
    ]

    @Test("malformed payloads yield a reason naming the problem, never a throw", arguments: malformed)
    func malformedPayloads(_ json: String, _ expected: String) {
        let reason = decodeBad(json)
        #expect(reason?.contains(expected) == true, "reason was \(reason ?? "nil (decoded)")")
        if case .malformed(let m) = EventDecoder.decode(json) { #expect(m.raw == Array(json.utf8)) }
    }
}

@Suite("UTCInstant")
struct UTCInstantTests {
    @Test(
        "every timestamp form the backend sends",
        arguments: [
            ("2025-12-08T10:30:00.123456", "2025-12-08T10:30:00.123456"),
            ("2025-12-08T10:30:00", "2025-12-08T10:30:00.000000"),
            ("2025-12-08T10:30:00Z", "2025-12-08T10:30:00.000000"),
            ("2025-12-08T10:30:00.5Z", "2025-12-08T10:30:00.500000"),
            ("2025-12-08T10:30:00.123456+00:00", "2025-12-08T10:30:00.123456"),
            ("2025-12-08T12:30:00+02:00", "2025-12-08T10:30:00.000000"),
            ("2025-12-08T05:30:00-0500", "2025-12-08T10:30:00.000000"),
            ("2025-12-08 10:30:15.000001+00:00", "2025-12-08T10:30:15.000001"),
            ("2025-12-08T10:30:00.123456789", "2025-12-08T10:30:00.123456"),
            ("2024-02-29T23:59:59.999999", "2024-02-29T23:59:59.999999"),
            ("1970-01-01T00:00:00", "1970-01-01T00:00:00.000000"),
            ("1969-12-31T23:59:59.5", "1969-12-31T23:59:59.500000"),
        ])
    func forms(_ input: String, _ canonical: String) throws {
        let t = try #require(UTCInstant(iso8601: input))
        #expect(t.iso8601 == canonical)
    }

    @Test("epoch arithmetic")
    func epoch() {
        #expect(UTCInstant(iso8601: "1970-01-01T00:00:01Z")?.microseconds == 1_000_000)
        #expect(UTCInstant(iso8601: "2025-12-08T10:30:00Z")?.microseconds == 1_765_189_800_000_000)
    }

    @Test(
        "rejects what is not a timestamp",
        arguments: [
            "", "2025-12-08", "2025-13-01T00:00:00", "2025-02-29T00:00:00", "2025-12-08T24:00:00",
            "2025-12-08T10:30:00.", "2025-12-08T10:30:00+5", "2025-12-08T10:30:00 ", "2025-12-08X10:30:00",
            "2025-12-08T10:30:00.1234567890",
        ])
    func rejects(_ input: String) {
        #expect(UTCInstant(iso8601: input) == nil)
    }

    /// The backend's form is read at fixed places; it must say what the general reader says,
    /// on that form and on every near miss of it.
    @Test("the backend's form read at fixed places agrees with the general reader")
    func backendForm() {
        var g = SystemRandomNumberGenerator()
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var inputs = [
            "2025-12-08T10:30:00.123456", "2024-02-29T23:59:59.999999", "2025-02-29T00:00:00.000000",
            "2025-12-31T23:59:60.000000", "2025-12-08T24:00:00.000000", "2025-13-08T10:30:00.000000",
            "2025-00-08T10:30:00.000000", "2025-04-31T10:30:00.000000", "0000-01-01T00:00:00.000000",
            "9999-12-31T23:59:59.999999", "2025-12-08t10:30:00.123456", "2025-12-08 10:30:00.123456",
            "2025-12-08T10:30:00.12345Z", "2025-12-08T10:30:61.000000",
        ]
        for _ in 0..<2_000 {
            inputs.append(
                "\(Int.random(in: 1900...2100, using: &g))-\(two(Int.random(in: 0...13, using: &g)))-"
                    + "\(two(Int.random(in: 0...32, using: &g)))T\(two(Int.random(in: 0...25, using: &g))):"
                    + "\(two(Int.random(in: 0...61, using: &g))):\(two(Int.random(in: 0...61, using: &g)))."
                    + String(Int.random(in: 0...999_999, using: &g) + 1_000_000).dropFirst())
        }
        // Every byte of a valid one replaced by each kind of near miss.
        let base = Array("2025-12-08T10:30:00.123456".utf8)
        for k in base.indices {
            for b: UInt8 in [0x2F, 0x3A, 0x2D, 0x54, 0x20, 0x41, 0x00, 0xFF] {
                var v = base
                v[k] = b
                inputs.append(String(decoding: v, as: UTF8.self))
            }
        }
        for input in inputs {
            var text = input
            let (fast, general, both) = text.withUTF8 { u in
                let raw = UnsafeRawBufferPointer(u)
                return (UTCInstant.parseBackendForm(raw), UTCInstant.parseAnyForm(raw), UTCInstant.parse(raw))
            }
            if let fast { #expect(fast == general, "\(input)") }
            #expect(both == general, "\(input)")
        }
        #expect(
            inputs.contains {
                var t = $0; return t.withUTF8 { UTCInstant.parseBackendForm(UnsafeRawBufferPointer($0)) } != nil
            })
    }
}

extension EventPayload {
    fileprivate var alert: AlertEvent? {
        if case .alert(let a) = self { return a }
        return nil
    }
    fileprivate var job: JobEvent? {
        if case .job(let j) = self { return j }
        return nil
    }
    fileprivate var onu: ONUEvent? {
        if case .onu(let o) = self { return o }
        return nil
    }
}
