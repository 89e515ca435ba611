import DashboardCore
import DashboardRender
import DemoBackend
import Foundation
import RealtimeProtocol

/// One measured figure: the median of the repetitions, with min and max.
struct BenchResult {
    var scenario: String
    var metric: String
    var unit: String
    var median: Double
    var min: Double
    var max: Double
    var note: String

    static func from(_ scenario: String, metric: String, unit: String, samples: [Double], note: String) -> BenchResult {
        let s = samples.sorted()
        return BenchResult(scenario: scenario, metric: metric, unit: unit, median: s[s.count / 2], min: s.first!, max: s.last!, note: note)
    }

    var json: String {
        "{\"scenario\":\(JSONValue.quoted(scenario)),\"metric\":\(JSONValue.quoted(metric)),\"unit\":\(JSONValue.quoted(unit)),"
            + "\"median\":\(median),\"min\":\(min),\"max\":\(max),\"note\":\(JSONValue.quoted(note))}"
    }

    static func table(_ rows: [BenchResult]) -> String {
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
            lines.append(row.enumerated().map { i, c in
                (i >= 2 && i <= 4) ? String(repeating: " ", count: widths[i] - c.count) + c : c + String(repeating: " ", count: widths[i] - c.count)
            }.joined(separator: "  "))
            if n == 0 { lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        return lines.joined(separator: "\n")
    }
}

struct BenchScenario: Sendable {
    var name: String
    var run: @Sendable (_ quick: Bool, _ repetitions: Int) -> BenchResult
}

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

enum BenchScenarios {
    static let all: [BenchScenario] = [
        BenchScenario(name: "parse", run: parse),
        BenchScenario(name: "decode-foundation", run: decodeFoundation),
        BenchScenario(name: "ingest", run: ingest),
        BenchScenario(name: "render", run: render),
    ]

    static let epoch = UTCInstant(iso8601: "2025-12-08T10:00:00")!

    static func sessionEvent(_ i: Int, _ round: Int) -> ClientEvent {
        let t = UTCInstant(microseconds: epoch.microseconds + Int64(round) * 10_000_000)
        let e = Event(type: .sessionUpdated, tenantID: "t-01", timestamp: t,
                      payload: .session(SessionEvent(username: "user\(i)@isp", sessionID: "s-\(i)", nasIPAddress: "10.0.0.1", framedIPAddress: "100.64.0.1",
                                                     bandwidthProfile: "100M", bytesIn: Int64(i * 1000 + round * 997), bytesOut: Int64(i * 100 + round), sessionTime: Int64(round * 10))),
                      raw: [])
        return .event(tenant: "t-01", endpoint: .radiusSessions, event: e)
    }

    /// Decoded events → reduce: live sessions receiving session.updated at random.
    static func ingest(quick: Bool, repetitions: Int) -> BenchResult {
        let sessions = quick ? 10_000 : 100_000
        let updates = quick ? 50_000 : 500_000
        var g = SeededRandom(seed: 7)
        let batch = (0..<updates).map { _ in sessionEvent(Int(g.next() % UInt64(sessions)), Int(g.next() % 1000)) }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            var state = AppState(tenants: ["t-01"], now: epoch)
            _ = reduce(&state, .client((0..<sessions).map { sessionEvent($0, 0) }))
            let t0 = monotonicSeconds()
            var i = 0
            while i < batch.count {
                _ = reduce(&state, .client(Array(batch[i..<min(i + 1000, batch.count)])))
                i += 1000
            }
            samples.append(Double(updates) / (monotonicSeconds() - t0))
            precondition(state.sessions.count == sessions)
        }
        return .from("ingest", metric: "session.updated", unit: "events/s", samples: samples,
                     note: "\(updates) updates over \(sessions) live sessions, batches of 1000, peak RSS \(rssMB()) MB")
    }

    /// One 200x60 frame with many sessions, sorted by bytes, a filter active.
    static func render(quick: Bool, repetitions: Int) -> BenchResult {
        let sessions = quick ? 10_000 : 100_000
        var state = AppState(tenants: ["t-01"], now: epoch)
        _ = reduce(&state, .client((0..<sessions).map { sessionEvent($0, 1) }))
        _ = reduce(&state, .key(.char("5")))
        state.filters[.sessions] = "user1"
        var times: [Double] = []
        for _ in 0..<max(20, repetitions * 10) {
            let t0 = monotonicSeconds()
            let grid = Screen.render(state, cols: 200, rows: 60)
            times.append((monotonicSeconds() - t0) * 1000)
            precondition(grid.rows == 60)
        }
        let sorted = times.sorted()
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return .from("render", metric: "frame 200x60", unit: "ms", samples: times,
                     note: "\(sessions) sessions, sorted by bytes, filter on; p99 \(String(format: "%.2f", p99)) ms")
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
            precondition(decoded == count && malformed == 0, "bench parse: decoded \(decoded) of \(count), \(malformed) malformed")
            samples.append(Double(count) / dt)
            mbps.append(Double(stream.count) / dt / 1e6)
        }
        let mb = mbps.sorted()[mbps.count / 2]
        return .from("parse", metric: "parse+decode", unit: "events/s", samples: samples,
                     note: "\(count) alert frames, \(String(format: "%.0f", mb)) MB/s, one core")
    }

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
        return .from("decode-foundation", metric: "JSONDecoder", unit: "events/s", samples: samples,
                     note: "\(count) alert payloads, decode only (baseline)")
    }
}

/// Payloads shaped like the backend's.
enum BenchData {
    static func alertJSON(_ i: Int) -> String {
        let sev = ["info", "warning", "error", "critical"][i % 4]
        return "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:\(String(format: "%02d", i % 60)).123456\","
            + "\"alert_id\":\"a-\(i)\",\"alert_type\":\"device_offline\",\"severity\":\"\(sev)\",\"source\":\"olt-\(i % 16)\","
            + "\"message\":\"OLT unreachable on PON \(i % 16)\",\"details\":null}"
    }

    static func sseAlertStream(count: Int) -> [UInt8] {
        var s = "event: connected\r\ndata: {\"channel\": \"alerts:t-01\"}\r\n\r\n"
        s.reserveCapacity(count * 330)
        for i in 0..<count {
            s += "event: alert.raised\r\ndata: " + alertJSON(i) + "\r\n\r\n"
            if i % 1000 == 999 { s += ": ping - 2025-12-08 10:30:15.000001+00:00\r\n\r\n" }
        }
        return Array(s.utf8)
    }
}

