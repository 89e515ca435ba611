import Foundation
import RealtimeProtocol
import Recording
import Testing

/// One line per event that says everything a replay must reproduce (ClientEvent is not Equatable).
func summary(_ e: ClientEvent) -> String {
    switch e {
    case .event(let t, let ep, let ev): "event \(t) \(ep) \(ev.type.rawValue) \(ev.raw)"
    case .status(let t, let ep, let s): "status \(t) \(ep) \(s)"
    case .latency(let t, let ep, let ms): "latency \(t) \(ep) \(ms)"
    case .malformed(let t, let ep, let reason, let raw): "malformed \(t) \(ep) \(reason) \(raw)"
    case .error(let t, let ep, let m): "error \(t) \(ep) \(m)"
    case .jobSnapshot(let t, let jobs): "jobs \(t) \(jobs)"
    case .campaigns(let t, let c): "campaigns \(t) \(c)"
    case .restarted(let r): "restarted \(r.tenants) \(r.profile ?? "-") \(r.origin) \(r.readOnly) \(r.note)"
    case .command(let t, let ep, let c, let o): "command \(t) \(ep) \(c) \(o)"
    case .notice(let n): "notice \(n)"
    }
}

/// Encodes `events` as lines and plays them back through the recording's parsers.
func roundTrip(
    _ events: [ClientEvent], at time: UTCInstant = UTCInstant(microseconds: 1_796_613_492_000_000)
) throws
    -> [ClientEvent]
{
    var out: [ClientEvent] = []
    var parser = SSEParser()
    for e in events {
        var line: [UInt8] = []
        guard Recording.append(e, at: time, to: &line) else { continue }
        #expect(line.last == 0x0A && line.dropLast().firstIndex(of: 0x0A) == nil, "one line per frame: \(summary(e))")
        guard case .frame(let f) = try Recording.decode(Array(line.dropLast())) else {
            Issue.record("not a frame: \(summary(e))")
            continue
        }
        #expect(f.time == time)
        f.clientEvents(into: &out, parser: &parser)
    }
    return out
}

func decoded(_ json: String) -> Event {
    switch EventDecoder.decode(Array(json.utf8)) {
    case .event(let e): return e
    case .malformed(let m):
        Issue.record("fixture does not decode: \(m.reason)")
        return Event(type: .unknown("x"), tenantID: "", timestamp: UTCInstant(microseconds: 0), payload: .unknown(.null), raw: [])
    }
}

/// An alert with an escape sequence and non-ASCII in its message, as the backend sends them.
let alertJSON = EventEncoder.json(
    type: .alertRaised, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
    payload: .alert(
        AlertEvent(
            alertID: "a-1", alertType: "device_offline", severity: .critical, source: "olt-01",
            message: "OLT \u{1B}[2J unreachable é", details: .object([]))))
let sessionJSON = EventEncoder.json(
    type: .sessionUpdated, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
    payload: .session(SessionEvent(username: "bob", sessionID: "s-1", nasIPAddress: "10.0.0.1", bytesIn: 12, bytesOut: 3)))

@Suite("Recording format")
struct RecordingFormatTests {
    @Test(
        "every frame kind round-trips: events through the SSE parser and the WebSocket classifier, states, latency, errors, REST lists, restarts"
    )
    func everyKind() throws {
        let job = JobSummary(
            id: "j-1", jobType: "bulk_provision", status: .running, title: "Provision \"A\"", progressPercent: 42.5,
            itemsTotal: 10,
            itemsProcessed: 4, itemsSucceeded: 3, itemsFailed: 1, currentItem: "ONT-7", errorMessage: nil)
        let events: [ClientEvent] = [
            .event(tenant: "t-01", endpoint: .alerts, event: decoded(alertJSON)),
            .event(tenant: "t-01", endpoint: .wsSessions, event: decoded(sessionJSON)),
            .event(tenant: "t-01", endpoint: .radiusSessions, event: decoded(sessionJSON)),
            .status(tenant: "t-01", endpoint: .alerts, state: .connecting(attempt: 3)),
            .status(tenant: "t-01", endpoint: .alerts, state: .live),
            .status(tenant: "t-01", endpoint: .alerts, state: .stale),
            .status(
                tenant: "t-01", endpoint: .onuStatus,
                state: .backingOff(attempt: 2, retryAt: UTCInstant(microseconds: 1_796_613_499_000_000), reason: "refused \"x\"")),
            .status(tenant: "t-01", endpoint: .tickets, state: .authFailed(status: 401, retryAt: UTCInstant(microseconds: 5))),
            .status(tenant: "t-01", endpoint: .tickets, state: .authFailed(status: 403, retryAt: nil)),
            .status(tenant: "t-01", endpoint: .tickets, state: .gaveUp(reason: "5xx")),
            .status(tenant: "t-01", endpoint: .job("j-1"), state: .stopped(reason: .jobFinished)),
            .status(tenant: "t-01", endpoint: .events, state: .stopped(reason: .noContent)),
            .status(
                tenant: "t-01", endpoint: .campaign("3ebfe821-8cdd-41d5-b7fc-c9447e8a1fb8"),
                state: .stopped(reason: .policyViolation(reason: "Job not found"))),
            .status(tenant: "t-01", endpoint: .job("j-2"), state: .polled(reason: "HTTP 500")),
            .latency(tenant: "t-01", endpoint: .alerts, milliseconds: 27.125),
            .error(tenant: "t-01", endpoint: .alerts, message: "closed\n1001"),
            .jobSnapshot(
                tenant: "t-02", jobs: [job, JobSummary(id: "j-2", jobType: "data_import", status: .completed, title: "x")]),
            .campaigns(tenant: "t-02", campaigns: [CampaignSummary(id: "c-1", name: "Dunning", isActive: true, priority: 2)]),
            .restarted(
                Restart(
                    tenants: ["t-01", "t-02"], profile: "lab", readOnly: true, origin: "http://lab:8000", note: "profile lab")),
        ]
        let back = try roundTrip(events)
        #expect(back.map(summary) == events.map(summary))
    }

    @Test("what is not the network's is not recorded: command outcomes and notices")
    func notRecorded() throws {
        var line: [UInt8] = []
        #expect(!Recording.append(.notice("hello"), at: UTCInstant(microseconds: 1), to: &line))
        #expect(
            !Recording.append(
                .command(tenant: "t", endpoint: .job("j"), command: .cancelJob, outcome: .sent), at: .init(microseconds: 1),
                to: &line))
        #expect(line.isEmpty)
    }

    @Test("a frame's bytes come back exactly: as they are, as a string (a multi-line or malformed frame), as base64 (not UTF-8)")
    func dataForms() throws {
        // Decoded and on one line: embedded as they are.
        var line: [UInt8] = []
        Recording.append(
            .event(tenant: "t-01", endpoint: .alerts, event: decoded(alertJSON)), at: .init(microseconds: 1), to: &line)
        #expect(String(decoding: line, as: UTF8.self).contains(",\"data\":" + alertJSON + "}"))
        // A frame the decoder refused, with a newline in it and bytes that are not UTF-8.
        let multiLine = Array("{\"event_type\":\n\"x\"}".utf8)
        let notUTF8: [UInt8] = Array("{\"event_type\":\"alert.raised\",\"x\":\"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
        let events: [ClientEvent] = [
            .malformed(tenant: "t-01", endpoint: .wsSessions, reason: "r", raw: multiLine),
            .malformed(tenant: "t-01", endpoint: .wsSessions, reason: "r", raw: notUTF8),
            .malformed(tenant: "t-01", endpoint: .alerts, reason: "r", raw: Array("not json".utf8)),
        ]
        let back = try roundTrip(events)
        let raws = back.compactMap { e -> [UInt8]? in if case .malformed(_, _, _, let raw) = e { raw } else { nil } }
        #expect(raws == [multiLine, notUTF8, Array("not json".utf8)])
    }

    @Test("a frame the SSE parser refused keeps its reason; replay reports it as live did")
    func refusedFrame() throws {
        let back = try roundTrip([.malformed(tenant: "t-01", endpoint: .alerts, reason: "event larger than 16 MiB", raw: [])])
        #expect(back.map(summary) == ["malformed t-01 alerts event larger than 16 MiB []"])
    }

    @Test("the header names the version, program, profile, tenants and origin, never a token")
    func header() throws {
        let h = Recording.Header(
            program: "realtime-dash 0.2.0", started: UTCInstant(microseconds: 1_796_613_492_000_000), profile: "prod",
            tenants: ["t-01"], origin: "https://noc.example.net")
        guard case .header(let back) = try Recording.decode(Array(h.line.dropLast())) else {
            Issue.record("not read as a header")
            return
        }
        #expect(back == h)
    }

    @Test("bad lines are named: not JSON, another version, an unknown kind, a missing field")
    func badLines() {
        func reason(_ s: String) -> String {
            do {
                _ = try Recording.decode(Array(s.utf8))
                return "read"
            } catch {
                return error.description
            }
        }
        #expect(reason("garbage").hasPrefix("not JSON"))
        #expect(reason(#"{"realtime_dash_recording":7}"#).contains("version 7"))
        #expect(reason(#"{"t":1,"tn":"t","ep":"alerts","k":"teleport"}"#).contains("unknown kind 'teleport'"))
        #expect(reason(#"{"t":1,"tn":"t","ep":"alerts","k":"sse","ev":"x"}"#).contains("no 'data'"))
        #expect(reason(#"{"t":1,"tn":"t","ep":"nowhere","k":"sse","ev":"x","data":{}}"#) != "read")
        #expect(reason(#"{"t":"soon","k":"lost","n":1}"#).contains("'t'"))
        #expect(
            reason(#"{"k":"lost","n":1,"t":-9223372036854775808}"#).contains("'t' is not a time"), "no arithmetic on it later")
    }
}

@Suite("Replay times (--from, --to)")
struct ReplayTimeTests {
    let start = UTCInstant(iso8601: "2026-12-07T23:58:30Z")!

    func parsed(_ s: String) -> String {
        switch ReplayTime.parse(s, start: start) {
        case .success(let t): t.iso8601
        case .failure(let e): "error: \(e)"
        }
    }

    @Test("a time of day, an offset, a full timestamp; a recording across midnight; nonsense refused")
    func forms() {
        #expect(parsed("23:59") == "2026-12-07T23:59:00.000000")
        #expect(parsed("23:59:10") == "2026-12-07T23:59:10.000000")
        #expect(parsed("00:01") == "2026-12-08T00:01:00.000000", "after midnight: the next day")
        #expect(parsed("+90s") == "2026-12-08T00:00:00.000000")
        #expect(parsed("+2m") == "2026-12-08T00:00:30.000000")
        #expect(parsed("+1h") == "2026-12-08T00:58:30.000000")
        #expect(parsed("2026-12-07T23:59:00Z") == "2026-12-07T23:59:00.000000")
        #expect(parsed("25:00").hasPrefix("error"))
        #expect(parsed("+x").hasPrefix("error"))
        #expect(parsed("yesterday").hasPrefix("error"))
        #expect(parsed("١٢:٠٠").hasPrefix("error"), "digits of another script are not read as a time (nor crash)")
    }
}
