import DashTestSupport
import DemoBackend
import Foundation
import RealtimeProtocol
import Testing

/// The hostile corpus (Tests/Fixtures/hostile), fixture name → payload, in a stable order.
func hostileFixtures() -> [(name: String, bytes: [UInt8], outcome: String)] {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
        "Fixtures/hostile")
    let expected = (try? String(contentsOf: dir.appendingPathComponent("EXPECTED"), encoding: .utf8)) ?? ""
    return expected.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
        let parts = line.split(separator: " ").map(String.init)
        guard parts.count == 2, let data = try? Data(contentsOf: dir.appendingPathComponent(parts[0] + ".json")) else {
            return nil
        }
        return (parts[0], Array(data), parts[1])
    }
}

/// The raw sequences the corpus carries: none of them may ever reach a terminal.
let forbiddenSequences: [String] = [
    "\u{1b}[2J\u{1b}[HHOSTILE", "\u{1b}[10;10H", "\u{1b}]52;", "\u{1b}]8;;", "\u{1b}P1$q", "\u{1b}_evil", "\u{1b}]0;title",
    "\u{1b}[31m10.0.0.1", "\u{1b}[5m100M", "\u{9b}2J", "\u{202e}HOSTILE", "\u{1b}[2JHOSTILE-RAWCTL",
]

extension EndToEnd {
    @Suite("Hostile input in a real terminal", .serialized)
    struct HostilePtyTests {
        static func backend() -> DemoBackend.Configuration {
            var c = DemoBackend.Configuration()
            c.runsSimulation = false
            c.randomStorms = false
            c.tenantCount = 1
            c.pingInterval = .seconds(1)
            return c
        }

        @Test("the console draws the whole corpus; every byte it writes is curses' own drawing", .timeLimit(.minutes(2)))
        func console() async throws {
            let fixtures = hostileFixtures()
            #expect(fixtures.count >= 45)
            try await withDemoBackend(Self.backend()) { server in
                let console = try await ConsoleUnderTest.start(
                    server: server, cols: 120, rows: 40, executable: realtimeDashBinary)
                defer { console.stop() }
                try await console.waitForScreen(timeout: 30) { $0.contains("Alerts") }
                let deadline = Date().addingTimeInterval(20)
                while server.backend.openConnections < 5 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                #expect(server.backend.openConnections >= 5)
                console.send("2")  // the alerts pane
                var drawn = 0
                for f in fixtures {
                    server.backend.publish(
                        tenant: "t-01", endpoint: .alerts, json: String(decoding: f.bytes, as: UTF8.self),
                        eventName: "alert.raised")
                    // Alerts with a marker: wait until the marker is drawn, then open and close the detail (the raw JSON).
                    if f.outcome == "event",
                        let marker = String(decoding: f.bytes, as: UTF8.self).firstMatch(of: /HOSTILE-[A-Z0-9]+/),
                        f.name.hasPrefix("c") || f.name.hasPrefix("o") || f.name.hasPrefix("d") || f.name.hasPrefix("a")
                            || f.name.hasPrefix("b")
                    {
                        let mark = Array(String(marker.output).utf8)
                        let t0 = Date()
                        while console.terminal.find(mark, from: 0) == nil && Date().timeIntervalSince(t0) < 5 {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        if console.terminal.find(mark, from: 0) != nil { drawn += 1 }
                        console.send("\r")
                        try await Task.sleep(for: .milliseconds(100))
                        console.send("\u{1b}")
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(drawn >= 8, "the hostile alerts were drawn (as visible placeholders)")
                // The malformed ones are counted where an operator sees them.
                console.send("C")
                try await console.waitForScreen(timeout: 10) { $0.contains("malformed") }
                console.send("C")
                try await Task.sleep(for: .milliseconds(300))
                _ = await console.quit()
                let bytes = console.terminal.bytes
                let scan = TerminalByteScan(bytes)
                print("pty byte scan (console): \(scan)")
                #expect(scan.stringSequences.isEmpty, "no OSC, DCS, APC, PM or SOS: \(scan.stringSequences)")
                #expect(scan.c1AndBidi.isEmpty, "no C1 or bidi control characters: \(scan.c1AndBidi)")
                #expect(scan.foreignCSI.isEmpty, "only curses' CSI vocabulary: \(scan.foreignCSI)")
                #expect(scan.otherC0.keys.allSatisfy { $0 == 0x07 }, "no C0 control but the bell: \(scan.otherC0)")
                let text = String(decoding: bytes, as: UTF8.self)
                for seq in forbiddenSequences { #expect(!text.contains(seq), "raw \(seq.debugDescription) reached the terminal") }
                #expect(text.contains("\u{241b}"), "escape characters are shown as ␛")
            }
        }

        @Test(
            "tail in a terminal, text and jsonl: nothing a terminal would act on", .timeLimit(.minutes(2)),
            arguments: ["text", "jsonl"])
        func tail(format: String) async throws {
            let fixtures = hostileFixtures()
            // The 1 MiB message is over the 1 MiB event limit once framed: reported, not delivered.
            let events = fixtures.filter { $0.outcome == "event" && $0.name != "one-mib-message" }.count
            try await withDemoBackend(Self.backend()) { server in
                let dir = try scratchDirectory()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                try SecretFile.write(server.backend.mintToken(tenant: "t-01", lifetime: 3600), to: dir + "/token")
                let terminal = try PseudoTerminal(cols: 200, rows: 50)
                defer { terminal.close() }
                let child = try Child.spawn(
                    [
                        realtimeDashBinary, "tail", "--api-url", server.origin, "--token-file", dir + "/token", "--endpoint",
                        "alerts",
                        "--format", format, "--count", String(events),
                    ],
                    environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"], terminal: terminal.slavePath)
                let deadline = Date().addingTimeInterval(20)
                while server.backend.openConnections < 1 && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                for f in fixtures {
                    server.backend.publish(
                        tenant: "t-01", endpoint: .alerts, json: String(decoding: f.bytes, as: UTF8.self),
                        eventName: "alert.raised")
                }
                let status = await child.wait(timeout: 30)
                try await Task.sleep(for: .milliseconds(200))
                #expect(status == 0)
                let bytes = terminal.bytes
                let scan = TerminalByteScan(bytes)
                print("pty byte scan (tail --format \(format)): \(scan)")
                #expect(scan.escapeSequences == 0, "tail writes no escape sequence at all")
                #expect(scan.c1AndBidi.isEmpty && scan.otherC0.isEmpty)
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(text.contains("HOSTILE-OSC52") && text.contains("HOSTILE-CJK"))
                #expect(text.contains("malformed frame"), "malformed payloads are reported on stderr")
            }
        }
    }
}
