import DashboardCore
import DashboardRender
import DemoBackend
import DashTestSupport
import Foundation
import RealtimeProtocol
import Recording

/// One measured figure: the median of the repetitions, with min and max.
public struct BenchResult: Sendable {
    var scenario: String
    var metric: String
    var unit: String
    var median: Double
    var min: Double
    var max: Double
    var note: String

    static func from(_ scenario: String, metric: String, unit: String, samples: [Double], note: String) -> BenchResult {
        let s = samples.sorted()
        return BenchResult(
            scenario: scenario, metric: metric, unit: unit, median: s[s.count / 2], min: s.first!, max: s.last!, note: note)
    }

    public var json: String {
        "{\"scenario\":\(JSONValue.quoted(scenario)),\"metric\":\(JSONValue.quoted(metric)),\"unit\":\(JSONValue.quoted(unit)),"
            + "\"median\":\(median),\"min\":\(min),\"max\":\(max),\"note\":\(JSONValue.quoted(note))}"
    }

    public static func table(_ rows: [BenchResult]) -> String {
        func fmt(_ v: Double) -> String {
            v >= 1000 ? String(format: "%.0f", v) : String(format: "%.2f", v)
        }
        var lines = [String]()
        let header = ["scenario", "metric", "median", "min", "max", "unit", "note"]
        var cells = [header]
        for r in rows { cells.append([r.scenario, r.metric, fmt(r.median), fmt(r.min), fmt(r.max), r.unit, r.note]) }
        var widths = Array(repeating: 0, count: header.count)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
        for (n, row) in cells.enumerated() {
            lines.append(
                row.enumerated().map { i, c in
                    (i >= 2 && i <= 4)
                        ? String(repeating: " ", count: widths[i] - c.count) + c
                        : c + String(repeating: " ", count: widths[i] - c.count)
                }.joined(separator: "  "))
            if n == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}

public struct BenchScenario: Sendable {
    public var name: String
    public var run: @Sendable (_ quick: Bool, _ repetitions: Int) async throws -> [BenchResult]

    init(name: String, run: @escaping @Sendable (_ quick: Bool, _ repetitions: Int) async throws -> [BenchResult]) {
        self.name = name
        self.run = run
    }

    init(name: String, one: @escaping @Sendable (_ quick: Bool, _ repetitions: Int) -> BenchResult) {
        self.name = name
        self.run = { [one($0, $1)] }
    }
}

public enum BenchScenarios {
    /// In this order: `memory` first, so its RSS is not inflated by what the others allocated.
    public static let all: [BenchScenario] = [
        BenchScenario(name: "memory", one: memory),
        BenchScenario(name: "parse", one: parse),
        BenchScenario(name: "decode-foundation", one: decodeFoundation),
        BenchScenario(name: "record", run: record),
        BenchScenario(name: "ingest", run: { [ingest(quick: $0, repetitions: $1), ingestStorm(quick: $0, repetitions: $1)] }),
        BenchScenario(name: "render", run: { render(quick: $0, repetitions: $1) + [renderStorm(quick: $0, repetitions: $1)] }),
        BenchScenario(name: "e2e", run: LiveBench.e2e),
        BenchScenario(name: "idle", run: LiveBench.idle),
        BenchScenario(name: "watch", run: LiveBench.watch),
        BenchScenario(name: "scale", run: LiveBench.scale),
        BenchScenario(name: "keys", run: LiveBench.keys),
    ]

    static let epoch = UTCInstant(iso8601: "2025-12-08T10:00:00")!

    static func sessionEvent(_ i: Int, _ round: Int) -> ClientEvent {
        let t = UTCInstant(microseconds: epoch.microseconds + Int64(round) * 10_000_000)
        let e = Event(
            type: .sessionUpdated, tenantID: "t-01", timestamp: t,
            payload: .session(
                SessionEvent(
                    username: "user\(i)@isp", sessionID: "s-\(i)", nasIPAddress: "10.0.0.1", framedIPAddress: "100.64.0.1",
                    bandwidthProfile: "100M", bytesIn: Int64(i * 1000 + round * 997), bytesOut: Int64(i * 100 + round),
                    sessionTime: Int64(round * 10))),
            raw: [])
        return .event(tenant: "t-01", endpoint: .radiusSessions, event: e)
    }

    /// Decoded events → reduce: live sessions receiving session.updated at random.
    static func ingest(quick: Bool, repetitions: Int) -> BenchResult {
        let sessions = quick ? 10_000 : 100_000
        let updates = quick ? 50_000 : 500_000
        var g = SeededRandom(seed: 7)
        let batch = (0..<updates).map { _ in sessionEvent(Int(g.next() % UInt64(sessions)), Int(g.next() % 1000)) }
        let batches = inBatches(batch)
        var samples: [Double] = []
        for _ in 0..<repetitions {
            var state = AppState(tenants: ["t-01"], now: epoch)
            _ = reduce(&state, .client((0..<sessions).map { sessionEvent($0, 0) }))
            let t0 = monotonicSeconds()
            for b in batches { _ = reduce(&state, .client(b)) }
            samples.append(Double(updates) / (monotonicSeconds() - t0))
            precondition(state.sessions.count == sessions)
        }
        return .from(
            "ingest", metric: "session.updated", unit: "events/s", samples: samples,
            note: "\(updates) updates over \(sessions) live sessions, batches of 1000, peak RSS \(rssMB()) MB")
    }

    /// Events in the inbox's batches of 1000, made before the clock starts: what is timed is
    /// `reduce`, not the bench copying events into arrays (the inbox hands its batch over).
    static func inBatches(_ events: [ClientEvent]) -> [[ClientEvent]] {
        stride(from: 0, to: events.count, by: 1000).map { Array(events[$0..<min($0 + 1000, events.count)]) }
    }

    static func onuEvent(_ i: Int, offline: Bool) -> ClientEvent {
        let e = Event(
            type: offline ? .onuOffline : .onuOnline, tenantID: "t-01",
            timestamp: UTCInstant(microseconds: epoch.microseconds + Int64(i)),
            payload: .onu(
                ONUEvent(
                    onuSerial: "HWTC\(hex8(i))", subscriberID: "sub-\(i)", status: offline ? .offline : .online,
                    previousStatus: offline ? .online : .offline, oltID: "olt-\(i % 64)", ponPort: i % 16 + 1)),
            raw: [])
        return .event(tenant: "t-01", endpoint: .onuStatus, event: e)
    }

    static func hex8(_ i: Int) -> String {
        let h = String(i, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - h.count)) + h
    }

    /// An outage storm: 50,000 distinct ONUs go offline, into state that already holds 100,000 sessions.
    static func ingestStorm(quick: Bool, repetitions: Int) -> BenchResult {
        let onus = quick ? 5_000 : 50_000
        let batches = inBatches((0..<onus).map { onuEvent($0, offline: true) })
        var samples: [Double] = []
        for _ in 0..<repetitions {
            var state = AppState(tenants: ["t-01"], now: epoch)
            _ = reduce(&state, .client((0..<(quick ? 10_000 : 100_000)).map { sessionEvent($0, 0) }))
            let t0 = monotonicSeconds()
            for b in batches { _ = reduce(&state, .client(b)) }
            samples.append(Double(onus) / (monotonicSeconds() - t0))
            precondition(state.outages.onuCount == onus)
        }
        return .from(
            "ingest", metric: "onu.offline storm", unit: "events/s", samples: samples,
            note: "\(onus) distinct ONUs offline, batches of 1000, peak RSS \(rssMB()) MB")
    }

    /// Resident memory with 100,000 live sessions and every history full, after a 200x60 frame.
    static func memory(quick: Bool, repetitions: Int) -> BenchResult {
        let sessions = quick ? 10_000 : 100_000
        let before = currentRSSMB()
        var state = AppState(tenants: ["t-01", "t-02"], now: epoch)
        _ = reduce(&state, .client((0..<sessions).map { sessionEvent($0, 1) }))
        // Every history to its limit, for both tenants: ONU events, tickets, subscribers, alerts.
        let fill = state.historyLimit
        for tenant in ["t-01", "t-02"] {
            var events: [ClientEvent] = []
            for i in 0..<fill {
                let ts = UTCInstant(microseconds: epoch.microseconds + Int64(i) * 1000)
                let onu = Event(
                    type: .onuOffline, tenantID: tenant, timestamp: ts,
                    payload: .onu(
                        ONUEvent(
                            onuSerial: "HWTC\(hex8(i))", subscriberID: "sub-\(i)", status: .offline, previousStatus: .online,
                            oltID: "olt-1", ponPort: 1)),
                    raw: Array(
                        #"{"event_type":"onu.offline","tenant_id":"t-01","timestamp":"2025-12-08T10:30:00","onu_serial":"HWTC00000001","status":"offline"}"#
                            .utf8))
                let ticket = Event(
                    type: .ticketCreated, tenantID: tenant, timestamp: ts,
                    payload: .ticket(
                        TicketEvent(
                            ticketID: "tk-\(i)", ticketNumber: "TCK-2025-\(i)",
                            title: "No connectivity since the storm, subscriber \(i)",
                            category: "technical", priority: "high", status: "open")), raw: [])
                let sub = Event(
                    type: .subscriberSuspended, tenantID: tenant, timestamp: ts,
                    payload: .subscriber(
                        SubscriberEvent(
                            subscriberID: "sub-\(i)", accountNumber: "ACC-\(i)", fullName: "Subscriber Number \(i)",
                            status: "suspended", plan: "Home 100M")), raw: [])
                let alert = Event(
                    type: .alertRaised, tenantID: tenant, timestamp: ts,
                    payload: .alert(
                        AlertEvent(
                            alertID: "al-\(i)", alertType: "device_offline", severity: .warning, source: "olt-1",
                            message: "Alert number \(i) on the OLT", details: nil)), raw: [])
                events += [
                    .event(tenant: tenant, endpoint: .onuStatus, event: onu),
                    .event(tenant: tenant, endpoint: .tickets, event: ticket),
                    .event(tenant: tenant, endpoint: .subscribers, event: sub),
                    .event(tenant: tenant, endpoint: .alerts, event: alert),
                ]
            }
            _ = reduce(&state, .client(events))
        }
        _ = reduce(&state, .key(.char("5")))
        let grid = Screen.render(state, cols: 200, rows: 60)
        precondition(grid.rows == 60 && state.sessions.count == sessions)
        let after = currentRSSMB()
        return .from(
            "memory", metric: "RSS", unit: "MB", samples: [Double(after)],
            note:
                "\(sessions) sessions, every history full (\(fill) per tenant and pane), 2 tenants; \(after - before) MB of it the state"
        )
    }

    /// Resident set size now (not the peak), from /proc/self/statm.
    static func currentRSSMB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / (1 << 20)
    }

    /// One 200x60 frame with many sessions, sorted by bytes, a filter active: of a still state,
    /// and between batches of 1,000 session updates (the updates are not timed, the frame is).
    static func render(quick: Bool, repetitions: Int) -> [BenchResult] {
        let sessions = quick ? 10_000 : 100_000
        var state = AppState(tenants: ["t-01"], now: epoch)
        _ = reduce(&state, .client((0..<sessions).map { sessionEvent($0, 1) }))
        _ = reduce(&state, .key(.char("5")))
        // The filter typed as an operator types it: / user1 Enter.
        for key: Key in [.char("/"), .char("u"), .char("s"), .char("e"), .char("r"), .char("1"), .enter] {
            _ = reduce(&state, .key(key))
        }
        precondition(state.filters[.sessions] == "user1")
        var still: [Double] = []
        for _ in 0..<max(20, repetitions * 10) {
            let t0 = monotonicSeconds()
            let grid = Screen.render(state, cols: 200, rows: 60)
            still.append((monotonicSeconds() - t0) * 1000)
            precondition(grid.rows == 60)
        }
        var g = SeededRandom(seed: 11)
        var live: [Double] = []
        for round in 0..<max(20, repetitions * 10) {
            _ = reduce(&state, .client((0..<1000).map { _ in sessionEvent(Int(g.next() % UInt64(sessions)), 2 + round) }))
            let t0 = monotonicSeconds()
            let grid = Screen.render(state, cols: 200, rows: 60)
            live.append((monotonicSeconds() - t0) * 1000)
            precondition(grid.rows == 60)
        }
        return [
            .from(
                "render", metric: "frame 200x60", unit: "ms", samples: still,
                note: "\(sessions) sessions, sorted by bytes, filter on; p99 \(p99(still)) ms"),
            .from(
                "render", metric: "frame 200x60, live", unit: "ms", samples: live,
                note: "the same, each frame after 1,000 session updates; p99 \(p99(live)) ms"),
        ]
    }

    /// One 200x60 frame during a storm: 50,000 ONUs offline in 200 PON outages (each with its
    /// subscribers), the ONU pane focused, the header's summary and the Alerts pane's outages on.
    static func renderStorm(quick: Bool, repetitions: Int) -> BenchResult {
        let onus = quick ? 5_000 : 50_000
        var state = AppState(tenants: ["t-01"], now: epoch)
        let events = (0..<onus).map { i -> ClientEvent in
            let e = Event(
                type: .onuOffline, tenantID: "t-01", timestamp: UTCInstant(microseconds: epoch.microseconds + Int64(i)),
                payload: .onu(
                    ONUEvent(
                        onuSerial: "HWTC\(hex8(i))", subscriberID: "sub-\(i)", status: .offline, previousStatus: .online,
                        oltID: "olt-\(i % 200)", ponPort: 1)),
                raw: [])
            return .event(tenant: "t-01", endpoint: .onuStatus, event: e)
        }
        _ = reduce(&state, .client(events))
        _ = reduce(&state, .client([Endpoint.onuStatus, .alerts].map { .status(tenant: "t-01", endpoint: $0, state: .live) }))
        _ = reduce(&state, .key(.char("1")))
        let active = state.outages.outages.values.filter(\.isActive).count
        precondition(active == 200, "200 outages, not \(active)")
        var times: [Double] = []
        // One frame first, as the console has drawn before the storm (its first frame is not the
        // one an operator waits for); then enough frames for a 99th percentile that is not just
        // the slowest one.
        _ = Screen.render(state, cols: 200, rows: 60)
        for _ in 0..<max(20, repetitions * 40) {
            let t0 = monotonicSeconds()
            let grid = Screen.render(state, cols: 200, rows: 60)
            times.append((monotonicSeconds() - t0) * 1000)
            precondition(grid.rows == 60)
        }
        return .from(
            "render", metric: "frame 200x60, storm", unit: "ms", samples: times,
            note: "\(onus) ONUs offline in \(active) outages; p99 \(p99(times)) ms")
    }

    /// The 99th percentile of `t`, to two decimals.
    static func p99(_ t: [Double]) -> String {
        let sorted = t.sorted()
        return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
    }

    static func rssMB() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss / 1024)
    }

    /// 200,000 SSE frames (CRLF, alert payloads like the backend's) fed in 16 KiB chunks through
    /// `SSEParser` and `EventDecoder`; events/s on one core.
    static func parse(quick: Bool, repetitions: Int) -> BenchResult {
        let count = quick ? 20_000 : 200_000
        let stream = BenchData.sseAlertStream(count: count)
        var samples: [Double] = []
        var mbps: [Double] = []
        for _ in 0..<repetitions {
            var parser = SSEParser()
            var decoded = 0
            var malformed = 0
            let t0 = monotonicSeconds()
            stream.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let end = Swift.min(offset + 16_384, raw.count)
                    parser.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<end])) { out in
                        if case .event(let e) = out, e.type != "connected" {
                            switch EventDecoder.decode(e.data) {
                            case .event: decoded += 1
                            case .malformed: malformed += 1
                            }
                        }
                    }
                    offset = end
                }
            }
            let dt = monotonicSeconds() - t0
            precondition(
                decoded == count && malformed == 0, "bench parse: decoded \(decoded) of \(count), \(malformed) malformed")
            samples.append(Double(count) / dt)
            mbps.append(Double(stream.count) / dt / 1e6)
        }
        let mb = mbps.sorted()[mbps.count / 2]
        return .from(
            "parse", metric: "parse+decode", unit: "events/s", samples: samples,
            note: "\(count) frames (alert, session, ONU), \(String(format: "%.0f", mb)) MB/s, one core")
    }

    /// `--record`'s cost per frame: the lines encoded as the inbox's tap encodes them (reads of
    /// 64 events), then the whole recorder (tap, queue, writer thread) into /dev/null.
    static func record(quick: Bool, repetitions: Int) -> [BenchResult] {
        let count = quick ? 20_000 : 500_000
        var parser = SSEParser()
        var events: [ClientEvent] = []
        for output in parser.feed(BenchData.sseAlertStream(count: count)) {
            if case .event(let e) = output, e.type != "connected", case .event(let event) = EventDecoder.decode(e.data) {
                events.append(.event(tenant: "t-01", endpoint: .alerts, event: event))
            }
        }
        var reads = stride(from: 0, to: events.count, by: 64).map { Array(events[$0..<min($0 + 64, events.count)]) }
        var encoded: [Double] = [], recorded: [Double] = []
        var bytes = 0
        var lost = 0
        for _ in 0..<repetitions {
            var out: [UInt8] = []
            out.reserveCapacity(8 << 20)
            let heads = Recording.LineHeads(tenants: header.tenants)
            bytes = 0
            let t0 = monotonicSeconds()
            for i in reads.indices {
                Recording.appendRead(&reads[i], at: UTCInstant.now(), heads: heads, to: &out)
                if out.count >= 8 << 20 {
                    bytes += out.count
                    out.removeAll(keepingCapacity: true)
                }
            }
            bytes += out.count
            encoded.append(Double(events.count) / (monotonicSeconds() - t0))
            guard let recorder = try? Recorder(Recorder.Options(path: "/dev/null"), header: header) else { continue }
            let t1 = monotonicSeconds()
            for i in reads.indices { recorder.commit(recorder.prepare(&reads[i])) }
            recorder.close()
            recorded.append(Double(events.count) / (monotonicSeconds() - t1))
            lost = recorder.counts.lost
        }
        return [
            .from(
                "record", metric: "encode", unit: "events/s", samples: encoded,
                note:
                    "\(events.count) alert frames as recording lines, reads of 64, one core (\(bytes / max(1, events.count)) bytes a line)"
            ),
            .from(
                "record", metric: "recorder to /dev/null", unit: "events/s", samples: recorded,
                note:
                    "the tap, the bounded queue and the writer thread, until every line is written; last run lost \(lost) frames"),
        ]
    }

    static let header = Recording.Header(
        program: "bench", started: UTCInstant(microseconds: 0), profile: nil, tenants: ["t-01"], origin: "http://bench")

    /// The baseline the issue quotes: Foundation's JSONDecoder on the same alert payloads.
    static func decodeFoundation(quick: Bool, repetitions: Int) -> BenchResult {
        struct Alert: Decodable {
            var event_type: String
            var tenant_id: String
            var timestamp: String
            var alert_id: String
            var alert_type: String
            var severity: String
            var source: String
            var message: String
            var details: [String: String]?
        }
        let count = quick ? 5_000 : 50_000
        let payloads = (0..<count).map { Data(BenchData.alertJSON($0).utf8) }
        var samples: [Double] = []
        let decoder = JSONDecoder()
        for _ in 0..<repetitions {
            var ok = 0
            let t0 = monotonicSeconds()
            for p in payloads where (try? decoder.decode(Alert.self, from: p)) != nil { ok += 1 }
            let dt = monotonicSeconds() - t0
            precondition(ok == count)
            samples.append(Double(count) / dt)
        }
        return .from(
            "decode-foundation", metric: "JSONDecoder", unit: "events/s", samples: samples,
            note: "\(count) alert payloads, decode only (baseline)")
    }
}

/// Payloads shaped like the backend's.
enum BenchData {
    static func alertJSON(_ i: Int) -> String {
        let sev = ["info", "warning", "error", "critical"][i % 4]
        return
            "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:\(String(format: "%02d", i % 60)).123456\","
            + "\"alert_id\":\"a-\(i)\",\"alert_type\":\"device_offline\",\"severity\":\"\(sev)\",\"source\":\"olt-\(i % 16)\","
            + "\"message\":\"OLT unreachable on PON \(i % 16)\",\"details\":null}"
    }

    static func sessionJSON(_ i: Int) -> String {
        "{\"event_type\":\"session.updated\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:\(String(format: "%02d", i % 60)).123456\","
            + "\"username\":\"user\(i)@isp.example\",\"session_id\":\"s-\(i)\",\"nas_ip_address\":\"10.0.\(i % 250).1\",\"framed_ip_address\":\"100.64.\(i % 250).\(i % 200)\","
            + "\"subscriber_id\":\"sub-\(i)\",\"bandwidth_profile\":\"100M\",\"bytes_in\":\(i * 7919),\"bytes_out\":\(i * 131),\"session_time\":\(i % 86400),\"terminate_cause\":null}"
    }

    static func onuJSON(_ i: Int) -> String {
        "{\"event_type\":\"onu.offline\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:\(String(format: "%02d", i % 60)).123456\","
            + "\"onu_serial\":\"HWTC\(String(format: "%08X", i))\",\"subscriber_id\":\"sub-\(i)\",\"status\":\"offline\",\"signal_dbm\":null,"
            + "\"previous_status\":\"online\",\"olt_id\":\"olt-\(i % 16)\",\"pon_port\":\(i % 16 + 1)}"
    }

    /// Alert, session and ONU frames in turn, as the combined stream carries them.
    static func sseAlertStream(count: Int) -> [UInt8] {
        var s = "event: connected\r\ndata: {\"channel\": \"alerts:t-01\"}\r\n\r\n"
        s.reserveCapacity(count * 330)
        for i in 0..<count {
            switch i % 3 {
            case 0: s += "event: alert.raised\r\ndata: " + alertJSON(i) + "\r\n\r\n"
            case 1: s += "event: session.updated\r\ndata: " + sessionJSON(i) + "\r\n\r\n"
            default: s += "event: onu.offline\r\ndata: " + onuJSON(i) + "\r\n\r\n"
            }
            if i % 1000 == 999 { s += ": ping - 2025-12-08 10:30:15.000001+00:00\r\n\r\n" }
        }
        return Array(s.utf8)
    }
}
