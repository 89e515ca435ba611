import Foundation
import Testing
@testable import DashboardCore
@testable import DashboardRender
import RealtimeProtocol

/// Tests/Fixtures/hostile, made by scripts/make-hostile-corpus.py.
enum HostileCorpus {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/hostile")

    /// name → expected outcome ("event" or "malformed"), from EXPECTED.
    static let expected: [String: String] = {
        let text = (try? String(contentsOf: directory.appendingPathComponent("EXPECTED"), encoding: .utf8)) ?? ""
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }()

    static func payload(_ name: String) -> [UInt8] {
        (try? Array(Data(contentsOf: directory.appendingPathComponent(name + ".json")))) ?? []
    }
}

/// A scalar a terminal would act on: C0, DEL, C1, and the bidi controls.
func isTerminalControl(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
    default: false
    }
}

@Suite("Hostile corpus")
struct HostileCorpusTests {
    @Test("the corpus is there and complete")
    func corpus() {
        #expect(HostileCorpus.expected.count >= 45)
        for name in HostileCorpus.expected.keys {
            #expect(
                FileManager.default.fileExists(atPath: HostileCorpus.directory.appendingPathComponent(name + ".json").path),
                "\(name).json")
        }
    }

    @Test(
        "every payload decodes to its expected outcome, without crashing or hanging",
        arguments: HostileCorpus.expected.keys.sorted())
    func decodes(_ name: String) {
        let bytes = HostileCorpus.payload(name)
        let decoded = EventDecoder.decode(bytes)
        switch decoded {
        case .event(let e):
            #expect(HostileCorpus.expected[name] == "event", "\(name) decoded to \(e.type.rawValue)")
        case .malformed(let m):
            #expect(HostileCorpus.expected[name] == "malformed", "\(name) was malformed: \(m.reason)")
            #expect(!m.reason.isEmpty && m.raw == bytes, "the reason is given and the bytes are kept")
        }
    }

    @Test("through the reducer and the renderer: malformed counted, values clamped, no control character in any cell")
    func reducedAndRendered() {
        var state = AppState(tenants: ["t-01"], historyLimit: 50, now: UTCInstant(iso8601: "2025-12-08T10:31:00")!)
        var malformed = 0
        for name in HostileCorpus.expected.keys.sorted() {
            let bytes = HostileCorpus.payload(name)
            let endpoint: Endpoint = name.contains("progress") || name.contains("items") ? .job("hj-1") : .events
            switch EventDecoder.decode(bytes) {
            case .event(let e): _ = reduce(&state, .client([.event(tenant: "t-01", endpoint: endpoint, event: e)]))
            case .malformed(let m):
                malformed += 1
                _ = reduce(&state, .client([.malformed(tenant: "t-01", endpoint: endpoint, reason: m.reason, raw: m.raw)]))
            }
        }
        #expect(state.malformed == malformed && malformed == HostileCorpus.expected.values.filter { $0 == "malformed" }.count)
        #expect(state.unknownEvents >= 1, "onu.exploded is counted as unknown")
        // The last job event said 250 %: the row keeps what was said, the screen clamps it.
        let job = state.jobs.values.first
        #expect(job != nil)

        var screens = 0
        for (cols, rows) in [(80, 24), (200, 60), (10, 5), (40, 10)] {
            for pane in Pane.allCases {
                var s = state
                s.focus = pane
                _ = reduce(&s, .resized(cols: cols, rows: rows))
                check(Screen.render(s, cols: cols, rows: rows), "\(pane) at \(cols)x\(rows)")
                // The detail overlay shows the raw JSON of the selected row, hostile bytes and all.
                _ = reduce(&s, .key(.enter))
                check(Screen.render(s, cols: cols, rows: rows), "\(pane) detail at \(cols)x\(rows)")
                screens += 2
            }
        }
        #expect(screens == 8 * Pane.allCases.count)
        // The malformed count is on screen (status bar or connections panel).
        var s = state
        _ = reduce(&s, .key(.char("C")))
        let text = Screen.render(s, cols: 200, rows: 60).cells.map(\.text).joined()
        #expect(text.contains("malformed"), "the malformed counter is visible")
    }

    @Test("progress below 0 and above 100 is drawn clamped to 0–100 %")
    func clamped() {
        for (name, shown) in [("progress-below-zero", "0%"), ("progress-above-100", "100%")] {
            guard case .event(let e) = EventDecoder.decode(HostileCorpus.payload(name)) else {
                Issue.record("\(name) did not decode")
                continue
            }
            var state = AppState(tenants: ["t-01"], now: e.timestamp)
            _ = reduce(&state, .client([.event(tenant: "t-01", endpoint: .job("hj-1"), event: e)]))
            _ = reduce(&state, .key(.char("6")))
            let text = Screen.render(state, cols: 120, rows: 40).cells.map(\.text).joined()
            #expect(text.contains(shown), "\(name) shows \(shown)")
            #expect(!text.contains("250%") && !text.contains("-20%"))
        }
    }

    @Test("a line that never ends is cut at the event size limit, and the stream goes on")
    func endlessLine() {
        var parser = SSEParser(maxEventSize: 1 << 20)
        var outputs: [SSEParser.Output] = []
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        outputs += parser.feed(Array("data: ".utf8))
        for _ in 0..<48 { outputs += parser.feed(chunk) }  // 3 MiB, no newline
        outputs += parser.feed(Array("\n\nevent: alert.raised\ndata: {}\n\n".utf8))
        let events = outputs.compactMap { if case .event(let e) = $0 { e } else { nil } }
        #expect(events.count == 1 && events.first?.type == "alert.raised", "the event after the oversized one still arrives")
        #expect(
            outputs.contains { if case .event = $0 { false } else { true } },
            "the oversized event is reported, not silently dropped")
    }

    func check(_ grid: Grid, _ what: String) {
        for (i, cell) in grid.cells.enumerated() {
            if let bad = cell.text.unicodeScalars.first(where: isTerminalControl) {
                Issue.record(
                    "\(what): cell \(i % grid.cols),\(i / grid.cols) holds U+\(String(bad.value, radix: 16, uppercase: true))")
                return
            }
        }
    }
}
