import ConsoleRuntime
import DashTestSupport
import DemoBackend
import Foundation
import Testing

/// The terminal side of the fault matrix (FAULTS.md): signals mid-frame, job control, resizes,
/// tiny terminals and a non-UTF-8 locale, each against `--demo` in a real terminal (tmux).
extension EndToEnd {
    @Suite("Console faults in tmux", .serialized)
    struct ConsoleFaultTests {
        /// Starts `realtime-dash --demo` at a prompt and waits for its first frame.
        func startConsole(_ t: TmuxSession, marker: String, extra: String = "") async throws -> String {
            let log = NSTemporaryDirectory() + "rd-fault-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
            t.type("PS1='PROMPT> '; \(realtimeDashBinary) --demo --log-file \(log) \(extra); echo EXIT=$?")
            t.keys("Enter")
            _ = try await t.wait("the console's first frame") { $0.contains(marker) }
            return log
        }

        @Test(
            "a PON storm is one outage row naming the OLT/PON and its count; Enter lists its ONUs; its ack survives a restart",
            .timeLimit(.minutes(4)))
        func ponStorm() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let c = quietBackend(ping: .seconds(1))
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            let log = NSTemporaryDirectory() + "rd-storm-\(getpid()).log"
            let stateHome = try scratchDirectory()
            try await withDemoBackend(c) { server in
                let file = try tokenFile(server.backend.mintToken(tenant: "t-01", lifetime: 3600))
                t.type(
                    "PS1='PROMPT> '; XDG_STATE_HOME=\(stateHome) USER=nightshift \(realtimeDashBinary) --api-url \(server.origin) --token-file \(file) --log-file \(log); echo EXIT=$?"
                )
                t.keys("Enter")
                _ = try await t.wait("every stream live") { s in
                    s.components(separatedBy: "●").count - 1 >= 5 && !s.contains("retry")
                }
                let hit = try #require(server.backend.triggerStorm(tenant: "t-01", scope: .pon, olt: 2, pon: 5))
                #expect(hit.olt == "olt-02" && hit.pon == 5, "where it was asked to hit: \(hit)")
                let scope = "\(hit.olt ?? "?")/\(hit.pon ?? -1)"
                // The simulation is stepped by hand: the storm takes its ONUs down in a few steps.
                let s = try await t.wait("one outage row for \(scope) with its count") { s in
                    server.backend.step(seconds: 0.5)
                    return s.contains("OUTAGE \(scope) \(hit.onus)/") && s.contains("1 outage (\(scope) \(hit.onus) ONUs)")
                }
                #expect(
                    s.components(separatedBy: "OUTAGE \(scope)").count - 1 == 2, "one row in the ONU pane, one in Alerts:\n\(s)")
                t.type("1")
                t.keys("Enter")
                _ = try await t.wait("its ONUs listed") {
                    $0.contains("serial") && $0.contains("subscriber") && $0.contains("offline")
                }
                t.keys("Escape")
                // a acknowledges the outage with a note: marked on its row, and kept on disk.
                t.type("a")
                _ = try await t.wait("the note prompt") { $0.contains("ack outage \(scope): note") }
                t.type("fibre crew dispatched")
                t.keys("Enter")
                _ = try await t.wait("the outage marked acknowledged") {
                    $0.contains("OUTAGE \(scope) \(hit.onus)/") && $0.contains("ONUs offline since")
                        && $0.contains(" · ack")
                }
                // The fibre is spliced: every ONU back, the outage resolved (and still acknowledged).
                _ = try await t.wait("the outage resolved") { s in
                    server.backend.step(seconds: 0.5)
                    return s.contains("\(scope): \(hit.onus) ONUs were offline")
                }
                t.type("q")
                _ = try await t.wait("the shell back") { $0.contains("EXIT=0") }
                let kept = try String(contentsOfFile: stateHome + "/realtime-dash/acks.json", encoding: .utf8)
                #expect(kept.contains("fibre crew dispatched") && kept.contains("nightshift"), "\(kept)")
                let book = AckStore(path: stateHome + "/realtime-dash/acks.json").load()
                #expect(book.problem == nil && book.book.acks.count == 1, "what the next console starts with")

                // The console restarted: the same PON cut again finds its acknowledgement waiting.
                t.type(
                    "clear; XDG_STATE_HOME=\(stateHome) USER=nightshift \(realtimeDashBinary) --api-url \(server.origin) --token-file \(file) --log-file \(log); echo EXIT=$?"
                )
                t.keys("Enter")
                _ = try await t.wait("the kept acknowledgement said at start") {
                    $0.contains("kept from earlier: 1 acknowledgement (outage \(scope) by nightshift)")
                }
                _ = try await t.wait("every stream live again") { s in
                    s.components(separatedBy: "●").count - 1 >= 5 && !s.contains("retry")
                }
                let again = try #require(server.backend.triggerStorm(tenant: "t-01", scope: .pon, olt: 2, pon: 5))
                _ = try await t.wait("the same outage, acknowledged since before the restart") { s in
                    server.backend.step(seconds: 0.5)
                    return s.contains("OUTAGE \(scope) \(again.onus)/") && s.contains(" · ack")
                }
                t.type("q")
                _ = try await t.wait("the shell back again") { $0.contains("EXIT=0") }
            }
        }

        @Test(
            "a backend outage: the panes say stale and the header DISCONNECTED; after the restart a gap row, and live again",
            .timeLimit(.minutes(3)))
        func outage() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            // The backend goes down and comes back on the same port, held so no other test takes it.
            let reservation = try PortReservation(host: "127.0.0.4")
            defer { reservation.release() }
            var c = DemoBackend.Configuration()
            c.host = reservation.host
            c.port = reservation.port
            c.secret = Array("outage-secret".utf8)
            c.tenantCount = 1
            c.rate = 5
            c.randomStorms = false
            let token = DemoBackend(c).mintToken(tenant: "t-01", lifetime: 3600)
            let file = try tokenFile(token)
            let log = NSTemporaryDirectory() + "rd-outage-\(getpid()).log"
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            try await withDemoBackend(c) { server in
                t.type(
                    "PS1='PROMPT> '; \(realtimeDashBinary) --api-url \(server.origin) --token-file \(file) --log-file \(log); echo EXIT=$?"
                )
                t.keys("Enter")
                _ = try await t.wait("every stream live") { s in
                    s.contains("1 ONU events") && s.components(separatedBy: "●").count - 1 >= 5 && !s.contains("retry")
                }
            }
            // Down: nothing on screen may read as current.
            _ = try await t.wait("the outage on screen", timeout: 60) { s in
                s.contains("DISCONNECTED") && s.contains("crit ? err ? warn ? info ?") && s.contains("ONU events stale")
            }
            try await withDemoBackend(c) { _ in
                _ = try await t.wait("the gap row after the restart", timeout: 90) { s in
                    s.contains("── no data ") && !s.contains("DISCONNECTED") && !s.contains("stale")
                }
                t.type("q")
                _ = try await t.wait("the shell back") { $0.contains("EXIT=0") }
            }
        }

        @Test("SIGINT and SIGHUP mid-frame restore the terminal, like SIGTERM", arguments: ["INT", "HUP"])
        func signals(_ signal: String) async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            let log = try await startConsole(t, marker: "RADIUS sessions")
            #expect(t.alternateScreen == "1")
            run(["pkill", "-\(signal)", "-f", "log-file \(log)"])
            let s = try await t.wait("the shell back after SIG\(signal)") {
                $0.range(of: "EXIT=[0-9]+", options: .regularExpression) != nil
            }
            #expect(s.contains(signal == "INT" ? "EXIT=130" : "EXIT=129"), "128 + the signal")
            #expect(t.alternateScreen == "0")
        }

        @Test("Ctrl-Z gives the shell back with the terminal restored; fg redraws and the console goes on")
        func suspendResume() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            _ = try await startConsole(t, marker: "RADIUS sessions")
            t.keys("C-z")
            let s = try await t.wait("the shell after Ctrl-Z") {
                $0.contains("Stopped") || $0.contains("PROMPT>") && !$0.contains("RADIUS sessions")
            }
            #expect(t.alternateScreen == "0", "suspended: the normal screen is back")
            #expect(!s.contains("RADIUS sessions"))
            t.type("fg")
            t.keys("Enter")
            _ = try await t.wait("redrawn after fg") { $0.contains("RADIUS sessions") && $0.contains("ONU events") }
            #expect(t.alternateScreen == "1")
            t.type("?")
            _ = try await t.wait("keys answered after fg") { $0.contains("Keys (? or Esc closes)") }
            t.type("?q")
            // The shell already printed EXIT=148 (stopped) for the command line; after fg, q ends it for good.
            let deadline = Date().addingTimeInterval(20)
            while t.alternateScreen != "0" && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(t.alternateScreen == "0", "terminal restored after the resumed console quit")
            let end = try await t.wait("the prompt after quitting") { $0.components(separatedBy: "PROMPT>").count >= 3 }
            #expect(end.contains("EXIT=148"), "Ctrl-Z stopped it (128 + SIGTSTP)")
        }

        @Test("a resize storm: forty sizes in a row, then the layout fits the last one and keys still work")
        func resizeStorm() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            _ = try await startConsole(t, marker: "RADIUS sessions")
            for i in 0..<40 { t.resize(cols: 30 + (i * 37) % 180, rows: 8 + (i * 13) % 50) }
            t.resize(cols: 100, rows: 30)
            let s = try await t.wait("the layout at 100x30") { screen in
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                return screen.contains("realtime-dash")
                    && lines.contains { $0.hasSuffix("┐") && $0.count == 100 || $0.count == 100 && $0.hasSuffix("┓") }
            }
            #expect(s.contains("Alerts"))
            t.type("q")
            _ = try await t.wait("quit") { $0.contains("EXIT=0") }
            #expect(t.alternateScreen == "0")
        }

        @Test("a 10x5 terminal: no crash, a clear note, and back to full panes when it grows")
        func tinyTerminal() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start(cols: 10, rows: 5))
            defer { t.kill() }
            t.type("PS1='> '; \(realtimeDashBinary) --demo --log-file /dev/null; echo EXIT=$?")
            t.keys("Enter")
            try await Task.sleep(for: .seconds(3))
            let tiny = t.screen
            #expect(!tiny.contains("EXIT="), "still running at 10x5: \(tiny)")
            #expect(tiny.contains("terminal") && tiny.contains("small"), "it says why there is nothing to see: \(tiny)")
            #expect(t.alternateScreen == "1")
            t.resize(cols: 120, rows: 40)
            _ = try await t.wait("full panes after growing") { $0.contains("RADIUS sessions") }
            t.type("q")
            _ = try await t.wait("quit") { $0.contains("EXIT=0") }
        }

        @Test("a non-UTF-8 locale (LANG=C): ASCII borders and placeholders, no mojibake")
        func asciiLocale() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start(locale: "C"))
            defer { t.kill() }
            _ = try await startConsole(t, marker: "RADIUS sessions")
            let s = t.screen
            #expect(s.contains("+-") || s.contains("-+"), "ASCII box corners")
            #expect(!s.contains("┌") && !s.contains("●"), "no UTF-8 box drawing or symbols in a C locale")
            #expect(s.contains("(v bytes in)"), "the sort arrow has an ASCII look-alike")
            t.type("q")
            _ = try await t.wait("quit") { $0.contains("EXIT=0") }
        }
    }
}
