import Foundation
import RealtimeClient
import RealtimeProtocol
import TailOutput
import Testing

/// What a sink wrote: standard output's bytes and standard error's lines.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = []
    private var err: [String] = []
    func stdout(_ b: [UInt8]) { lock.withLock { out += b } }
    func stderr(_ l: String) { lock.withLock { err.append(l) } }
    var text: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var bytes: [UInt8] { lock.withLock { out } }
    var lines: [String] { lock.withLock { err } }
}

func sink(_ format: TailFormat, limit: Int? = nil, streams: Int = 1, terminal: Bool = false) -> (TailSink, Captured) {
    let c = Captured()
    let s = TailSink(
        format: format, limit: limit, sources: ["t-01": .file("/run/t-01.token")], streams: streams,
        writer: OutputBuffer(sink: c.stdout), stdoutIsTerminal: terminal, diagnostics: c.stderr)
    return (s, c)
}

func alertEvent(_ i: Int, message: String = "OLT unreachable") -> ClientEvent {
    let json = EventEncoder.json(
        type: .alertRaised, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
        payload: .alert(
            AlertEvent(
                alertID: "a-\(i)", alertType: "device_offline", severity: .critical, source: "olt-0\(i)",
                message: message)))
    guard case .event(let e) = EventDecoder.decode(json) else { fatalError("the test payload must decode") }
    return .event(tenant: "t-01", endpoint: .alerts, event: e)
}

@Suite("tail's sinks")
struct TailSinkTests {
    @Test("a replay's sink goes on after a recorded auth failure and stop; state lines from a file are made safe")
    func replaySink() {
        let c = Captured()
        let s = TailSink(
            format: .jsonl, limit: nil, sources: [:], streams: 1, writer: OutputBuffer(sink: c.stdout), stdoutIsTerminal: false,
            diagnostics: c.stderr, endsOnFailure: false)
        let outcome = s.write(
            Inbox.Batch(events: [
                .status(tenant: "t-01\u{1b}]52;c;x\u{07}", endpoint: .alerts, state: .authFailed(status: 401, retryAt: nil)),
                .status(tenant: "t-01", endpoint: .alerts, state: .stopped(reason: .policyViolation(reason: "bye \u{1b}[2J"))),
                alertEvent(1),
            ]))
        s.writer.flush()
        #expect(outcome == nil, "a console's recording goes on after what it recovered from")
        #expect(s.total == 1 && c.text.hasSuffix("\n"))
        #expect(c.lines.count == 2 && !c.lines.joined().unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test("jsonl to a pipe is each event's bytes exactly, one per line")
    func jsonlExact() {
        let (s, c) = sink(.jsonl)
        let events = (0..<3).map { alertEvent($0, message: "caf\u{e9} \u{1b}[2J") }
        #expect(s.write(Inbox.Batch(events: events)) == nil)
        s.writer.flush()
        var expected: [UInt8] = []
        for case .event(_, _, let e) in events { expected += e.raw + [0x0A] }
        #expect(c.bytes == expected)
        #expect(s.total == 3)
    }

    @Test("jsonl to a terminal escapes C1 and bidi controls; the value stays valid JSON")
    func jsonlTerminal() throws {
        let (s, c) = sink(.jsonl, terminal: true)
        _ = s.write(Inbox.Batch(events: [alertEvent(1, message: "x\u{9b}2J\u{202e}y")]))
        s.writer.flush()
        let line = c.text
        #expect(!line.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E })
        #expect(line.contains("\\u009b") && line.contains("\\u202e"))
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["message"] as? String == "x\u{9b}2J\u{202e}y")
    }

    @Test("text is one sanitised line per event")
    func text() {
        let (s, c) = sink(.text)
        _ = s.write(Inbox.Batch(events: [alertEvent(2, message: "down \u{1b}[31mred")]))
        s.writer.flush()
        #expect(c.text == "10:30:00 t-01 alert.raised CRITICAL olt-02 device_offline: down \\u{1b}[31mred\n")
    }

    @Test("--count: stops at the limit and writes no event beyond it")
    func limit() {
        let (s, c) = sink(.jsonl, limit: 2)
        #expect(s.write(Inbox.Batch(events: [alertEvent(1)])) == nil)
        #expect(s.write(Inbox.Batch(events: [alertEvent(2), alertEvent(3)])) == .finished)
        s.writer.flush()
        #expect(s.total == 2)
        #expect(c.text.split(separator: "\n").count == 2)
        #expect(s.write(Inbox.Batch(events: [alertEvent(4)])) == .finished)
        #expect(s.total == 2)
    }

    @Test("a rejected token ends tail with a line that names the token's source")
    func authFailed() {
        let (s, c) = sink(.count)
        let outcome = s.write(
            Inbox.Batch(events: [.status(tenant: "t-01", endpoint: .alerts, state: .authFailed(status: 401, retryAt: nil))]))
        #expect(
            outcome
                == .authFailed(
                    "authentication failed for tenant t-01 on alerts: the token file /run/t-01.token was rejected (HTTP 401): "
                        + "it is wrong or has expired"))
        #expect(c.lines == ["[t-01 alerts] auth failed (HTTP 401), manual retry only"])
    }

    @Test("fallen behind: dropped and coalesced counts go to standard error")
    func behind() {
        let (s, c) = sink(.count)
        _ = s.write(Inbox.Batch(events: [], coalesced: 5, dropped: 2))
        #expect(c.lines == ["realtime-dash: output fell behind: 2 events dropped, 5 coalesced"])
    }

    @Test("malformed frames are reported, sanitised, and not counted")
    func malformed() {
        let (s, c) = sink(.count)
        _ = s.write(Inbox.Batch(events: [.malformed(tenant: "t-01", endpoint: .alerts, reason: "bad \u{1b}]52;", raw: [])]))
        #expect(s.total == 0)
        #expect(c.lines == ["[t-01 alerts] malformed frame: bad \\u{1b}]52;"])
    }
}

@Suite("A WebSocket 403")
struct WebSocket403Tests {
    let catalogue = try! EndpointCatalogue(origin: "http://127.0.0.1:8000", basePath: "/api/nope/v1")

    func sink(streams: Int, hasSSE: Bool) -> (TailSink, Captured) {
        let c = Captured()
        let s = TailSink(
            format: .count, limit: nil, sources: ["t-01": .file("/run/t-01.token")], streams: streams,
            writer: OutputBuffer(sink: c.stdout), stdoutIsTerminal: false, diagnostics: c.stderr, catalogue: catalogue,
            hasSSE: hasSSE)
        return (s, c)
    }

    func status(_ e: Endpoint, _ s: ConnectionState) -> Inbox.Batch {
        Inbox.Batch(events: [.status(tenant: "t-01", endpoint: e, state: s)])
    }

    @Test("names the URL and both readings; with SSE live it is the path, not the token (exit 1, not 2)")
    func sseLiveMeansPath() {
        let (s, c) = sink(streams: 2, hasSSE: true)
        #expect(s.write(status(.wsSessions, .authFailed(status: 403, retryAt: nil))) == nil, "undecided until SSE says")
        #expect(
            c.lines.last
                == "[t-01 ws-sessions] HTTP 403 from ws://127.0.0.1:8000/api/nope/v1/realtime/ws/sessions: the token was rejected or there is no such endpoint (check --base-path)"
        )
        #expect(s.write(status(.alerts, .live)) == nil, "the SSE stream still runs")
        let outcome = s.write(status(.alerts, .stopped(reason: .noContent)))
        guard case .failed(let line)? = outcome else {
            Issue.record("expected a failure once every stream stopped, got \(String(describing: outcome))")
            return
        }
        #expect(line.contains("the SSE streams did not reject the token, so the path is wrong"))
    }

    @Test("with the SSE streams rejected too, it is the token (exit 2)")
    func sseRejectedMeansToken() {
        let (s, _) = sink(streams: 2, hasSSE: true)
        #expect(s.write(status(.wsSessions, .authFailed(status: 403, retryAt: nil))) == nil)
        guard case .authFailed? = s.write(status(.alerts, .authFailed(status: 401, retryAt: nil))) else {
            Issue.record("the SSE stream's rejection is the token's")
            return
        }
    }

    @Test("without SSE streams it cannot be told: the stream fails with the sentence (exit 1)")
    func noSSE() {
        let (s, _) = sink(streams: 1, hasSSE: false)
        guard case .failed(let line)? = s.write(status(.wsSessions, .authFailed(status: 403, retryAt: nil))) else {
            Issue.record("expected a failure")
            return
        }
        #expect(line.contains("HTTP 403 from ws://127.0.0.1:8000/api/nope/v1/realtime/ws/sessions"))
    }
}
