import DashTestSupport
import Foundation
import Testing

/// Runs a short command to completion (tmux control commands return at once), killing it after
/// `timeout` seconds.
///
/// Not Foundation's `Process`, and not a pipe: the first `tmux new-session` forks the tmux server,
/// which inherits the client's descriptors and keeps them for its whole life. Reading a pipe to
/// its end would wait for the server to exit, and corelibs Foundation notices a child's exit
/// through a socket the server inherits too, so `waitUntilExit` never returned (a hang seen in
/// CI). ``Child`` writes the output to a file, reaps with `waitpid`, and starts the child with no
/// signal blocked (a tmux server started with SIGCHLD blocked outlives kill-server).
@discardableResult
func run(_ args: [String], timeout: Double = 10) -> (status: Int32, output: String) {
    let path = NSTemporaryDirectory() + "rd-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
    defer { unlink(path) }
    do {
        let child = try Child.spawn(["/usr/bin/env"] + args, stdout: path, stderr: path)
        guard let status = child.waitBlocking(timeout: timeout) else {
            return (-1, "\(args.joined(separator: " ")) did not finish in \(timeout) s")
        }
        return (status, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    } catch {
        return (-1, "\(error)")
    }
}

/// The console in a real terminal: tmux at 120x40, driven with send-keys, read with capture-pane.
/// Each session runs on its own tmux server (`-L`), so the tests neither see nor disturb an
/// operator's tmux, and ``kill()`` ends that server with its session.
struct TmuxSession {
    let name = "rd-e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    private var tmux: [String] { ["tmux", "-L", name, "-f", "/dev/null"] }

    func start(cols: Int = 120, rows: Int = 40, locale: String = "C.UTF-8") -> Bool {
        // window-size manual: the window keeps the size asked for (and later resize-window's).
        run(
            tmux + [
                "new-session", "-d", "-s", name, "-x", "\(cols)", "-y", "\(rows)", "-e", "TERM=tmux-256color", "-e",
                "LANG=\(locale)", "-e", "LC_ALL=\(locale)",
                "bash --norc --noprofile",
            ]
        ).status == 0
            && run(tmux + ["set-option", "-t", name, "window-size", "manual"]).status == 0
    }

    func resize(cols: Int, rows: Int) { run(tmux + ["resize-window", "-t", name, "-x", "\(cols)", "-y", "\(rows)"]) }

    func keys(_ k: String...) { run(tmux + ["send-keys", "-t", name] + k) }
    func type(_ text: String) { run(tmux + ["send-keys", "-t", name, "-l", text]) }
    var screen: String { run(tmux + ["capture-pane", "-p", "-t", name]).output }
    var alternateScreen: String {
        run(tmux + ["display-message", "-p", "-t", name, "#{alternate_on}"]).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }
    func kill() { run(tmux + ["kill-server"]) }
    /// A tmux format variable of the pane (`mouse_any_flag`: the program asked for mouse reports).
    func flag(_ name: String) -> String {
        run(tmux + ["display-message", "-p", "-t", self.name, "#{\(name)}"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits (bounded) until the screen satisfies `condition`; returns the last screen.
    func wait(_ what: String, timeout: Double = 60, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        // swift test does not always print a multi-line issue: the screen also goes to a file.
        let file = NSTemporaryDirectory() + "rd-tmux-timeout-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        try? ("timed out waiting for \(what)\n" + last).write(toFile: file, atomically: true, encoding: .utf8)
        Issue.record("timed out waiting for \(what) (the screen is in \(file)); the screen was:\n\(last)")
        throw CancellationError()
    }
}

extension EndToEnd {
    @Suite("Console in tmux", .serialized)
    struct ConsoleTmuxTests {
        @Test(
            "--demo at 120x40: streams live, panes, tenant filter, help, freeze, pause and cancel a job, quit, terminal restored")
        func demo() async throws {
            try #require(run(["tmux", "-V"]).status == 0, "tmux is needed (make test installs it)")
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            let log = NSTemporaryDirectory() + "rd-e2e-\(getpid()).log"
            t.type("PS1='PROMPT> '; \(realtimeDashBinary) --demo --log-file \(log); echo EXIT=$?")
            t.keys("Enter")

            // Every stream of both tenants live: five green entries, nothing connecting.
            var s = try await t.wait("all streams live", timeout: 60) { screen in
                let status = screen.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
                return status.components(separatedBy: "●").count - 1 >= 5 && !status.contains("connecting")
                    && !status.contains("retry")
            }
            for title in ["1 ONU events", "2 Alerts", "3 Tickets", "4 Subscribers", "5 RADIUS sessions", "6 Jobs"] {
                #expect(s.contains(title), "pane \(title)")
            }
            #expect(s.contains("tenant: all (2)"))
            #expect(t.alternateScreen == "1")

            t.type("t")
            s = try await t.wait("tenant filter t-01") { $0.contains("tenant: t-01") }
            t.type("tt")
            s = try await t.wait("all tenants again") { $0.contains("tenant: all (2)") }

            t.type("?")
            s = try await t.wait("help") { $0.contains("Keys (? or Esc closes)") && $0.contains("reconnect all") }
            t.keys("Escape")
            s = try await t.wait("help closed") { !$0.contains("Keys (? or Esc closes)") }

            t.type(" ")
            s = try await t.wait("frozen") { $0.contains("FROZEN +") }
            t.type(" ")
            s = try await t.wait("thawed") { !$0.contains("FROZEN") }

            // Jobs: pause, then cancel through the confirmation.
            t.type("6")
            s = try await t.wait("a job row") { $0.contains("running") || $0.contains("pending") }
            t.type("j")
            t.type("p")
            s = try await t.wait("the pause acknowledged") { $0.contains("pause acknowledged") }
            t.type("c")
            s = try await t.wait("the cancel confirmation") { $0.contains("Cancel job") && $0.contains("y: cancel it") }
            t.type("y")
            s = try await t.wait("the cancel acknowledged") {
                $0.contains("cancel acknowledged") || $0.contains("cancel confirmed")
            }
            s = try await t.wait("the cancel confirmed by job.cancelled") {
                $0.contains("cancel confirmed") && $0.contains("cancelled")
            }

            t.type("q")
            s = try await t.wait("the shell back") { $0.contains("EXIT=0") }
            #expect(s.contains("PROMPT>"))
            #expect(t.alternateScreen == "0", "no alternate screen left behind")
            // Nothing was logged to the terminal; the log file has the session.
            #expect(!s.contains("info realtime-dash"))
            #expect((try? String(contentsOfFile: log, encoding: .utf8))?.contains("demo backend on") == true)
        }

        @Test("--mouse: raw SGR mouse sequences sort by a column title, focus a pane, turn the wheel; reporting off after q")
        func mouse() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            // xterm-256color: curses asks for SGR (1006) reports, which the test writes as bytes.
            t.type("PS1='PROMPT> '; TERM=xterm-256color \(realtimeDashBinary) --demo --mouse --log-file /dev/null; echo EXIT=$?")
            t.keys("Enter")
            let first = try await t.wait("the ONU pane's column titles") { $0.contains("OLT/PON") && $0.contains("dBm") }
            #expect(t.flag("mouse_sgr_flag") == "1", "the console asked for SGR mouse reports")
            let lines = first.components(separatedBy: "\n")
            guard let y = lines.firstIndex(where: { $0.contains("OLT/PON") && $0.contains("dBm") }),
                let r = lines[y].range(of: "dBm")
            else {
                Issue.record("no ONU column titles on the screen:\n\(first)")
                return
            }
            let x = lines[y].distance(from: lines[y].startIndex, to: r.lowerBound)
            // Button 1 pressed and released on the title (SGR coordinates are 1-based).
            t.type("\u{1B}[<0;\(x + 1);\(y + 1)M\u{1B}[<0;\(x + 1);\(y + 1)m")
            var s = try await t.wait("the ONU pane sorted by dBm") { $0.contains("(▲ dBm)") && $0.contains("dBm▲") }
            #expect(s.contains("┏━ 1 ONU events"), "the click focused the ONU pane")
            t.type("\u{1B}[<0;\(x + 1);\(y + 1)M")
            s = try await t.wait("reversed by a second click") { $0.contains("(▼ dBm)") }
            // The wheel over the Alerts pane (column 3 of the row below its title) focuses it.
            t.type("\u{1B}[<65;3;\(y + 2)M")
            s = try await t.wait("the Alerts pane focused by the wheel") { $0.contains("┏━ 2 Alerts") }
            t.type("q")
            s = try await t.wait("the shell back") { $0.range(of: "EXIT=[0-9]+", options: .regularExpression) != nil }
            #expect(s.contains("EXIT=0"))
            #expect(t.flag("mouse_any_flag") == "0", "mouse reporting is off again in the shell")
        }

        @Test("the console keeps running until asked: 8 s on the clock later it still draws, then q exits 0")
        func keepsRunning() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            t.type("PS1='PROMPT> '; \(realtimeDashBinary) --demo --log-file /dev/null; echo EXIT=$?")
            t.keys("Enter")
            /// The header's clock in seconds of the day.
            func clock(_ screen: String) -> Int? {
                guard let r = screen.range(of: "[0-9]{2}:[0-9]{2}:[0-9]{2} UTC", options: .regularExpression) else { return nil }
                let p = screen[r].prefix(8).split(separator: ":").compactMap { Int($0) }
                return p.count == 3 ? p[0] * 3600 + p[1] * 60 + p[2] : nil
            }
            let first = try await t.wait("the first frame") { clock($0) != nil }
            let start = clock(first)!
            _ = try await t.wait("the clock 8 s on, the console still drawing", timeout: 60) { s in
                guard let now = clock(s), !s.contains("EXIT=") else { return false }
                return (now - start + 86_400) % 86_400 >= 8
            }
            t.type("q")
            let end = try await t.wait("the shell back") { $0.range(of: "EXIT=[0-9]+", options: .regularExpression) != nil }
            #expect(end.contains("EXIT=0"), "\(end)")
            #expect(t.alternateScreen == "0")
        }

        @Test("SIGTERM mid-frame restores the terminal")
        func sigterm() async throws {
            try #require(run(["tmux", "-V"]).status == 0)
            let t = TmuxSession()
            #expect(t.start())
            defer { t.kill() }
            // The console in the foreground (a background job cannot read the terminal); a killer beside it.
            let marker = NSTemporaryDirectory() + "rd-sigterm-\(getpid()).log"
            t.type(
                "PS1='PROMPT> '; (sleep 4; pkill -TERM -f 'log-file \(marker)') & \(realtimeDashBinary) --demo --log-file \(marker); echo EXIT=$?"
            )
            t.keys("Enter")
            let s = try await t.wait("the shell back after SIGTERM", timeout: 40) {
                $0.range(of: "EXIT=[0-9]", options: .regularExpression) != nil
            }
            #expect(s.contains("EXIT=143"), "128 + SIGTERM")
            #expect(t.alternateScreen == "0")
        }

        @Test("without a terminal the console refuses with a clear message and points at tail")
        func notATerminal() async throws {
            let r = await (try Subprocess(["--demo"], environment: ["TERM": "xterm-256color"])).wait()
            #expect(r.status == 64)
            #expect(r.stderr.contains("must be a terminal") && r.stderr.contains("realtime-dash tail"))
        }
    }
}
