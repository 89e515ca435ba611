import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 14: the `:` command line, yank and read-only.
@Suite("The : command line")
struct CommandLineTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }
    func type(_ s: inout AppState, _ text: String) -> [Effect] { text.flatMap { reduce(&s, .key(.char($0))) } }
    /// Types `:text` and Enter.
    func run(_ s: inout AppState, _ text: String) -> [Effect] {
        _ = keyed(&s, .char(":"))
        _ = type(&s, text)
        return keyed(&s, .enter)
    }

    @Test(": opens the line, Esc drops it, Backspace on an empty line closes it; keys are text meanwhile")
    func opensAndCloses() {
        var s = state()
        _ = keyed(&s, .char(":"))
        #expect(s.commandLine == CommandPrompt())
        _ = type(&s, "q")
        #expect(s.commandLine?.text == "q", "q is text here, not quit")
        _ = keyed(&s, .escape)
        #expect(s.commandLine == nil)
        _ = keyed(&s, .char(":"), .char("x"), .backspace)
        #expect(s.commandLine?.text == "")
        _ = keyed(&s, .backspace)
        #expect(s.commandLine == nil)
    }

    @Test("pane commands focus like 1-6; :tenant sets the header's tenant filter; :q quits")
    func panesTenantQuit() {
        var s = state()
        _ = run(&s, "jobs")
        #expect(s.focus == .jobs)
        _ = run(&s, "radius")
        #expect(s.focus == .sessions, "an alias")
        _ = run(&s, "tenant t-02")
        #expect(s.tenantFilter == "t-02")
        _ = run(&s, "tenant all")
        #expect(s.tenantFilter == nil)
        #expect(run(&s, "q").contains(.quit))
        #expect(run(&s, "quit").contains(.quit))
    }

    @Test(
        "an unknown command or argument says what was expected, in one line",
        arguments: [
            ("tenant t-9", "unknown tenant 't-9': t-01, t-02, all"),
            ("tenant", ":tenant needs one tenant: t-01, t-02, all"),
            (
                "frobnicate",
                "unknown command ':frobnicate' (:help lists them): alerts, onu, tickets, subscribers, sessions, jobs, tenant, filter, sort, clear, readonly, profile, reload, help, quit"
            ),
            ("alerts now", ":alerts takes no argument, not 'now'"),
            ("filter pon=", "not applied: 'pon=': a value is needed after '='"),
            ("sort in", "unknown column 'in' of Alerts: sev, time, source, message, tenant, type, none, lazy, live"),
            ("sort", ":sort needs a column of Alerts: sev, time, source, message, tenant, type, none, lazy, live"),
            ("readonly maybe", "'maybe' is not on or off"),
            ("q now", ":quit takes no argument, not 'now'"),
            ("help me", ":help takes no argument, not 'me'"),
        ])
    func errors(_ line: String, _ message: String) {
        var s = state()
        let before = s.tenantFilter
        _ = run(&s, line)
        #expect(s.flash?.text == message)
        #expect(s.tenantFilter == before && s.filters.isEmpty, "nothing changed")
    }

    @Test(":filter sets and clears the focused pane's query; :sort picks a column and direction on sessions")
    func filterAndSort() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .info), alert("b", .critical, at: at(1))]))
        _ = run(&s, "filter sev>=error")
        #expect(s.filters[.alerts] == "sev>=error" && s.content(for: .alerts, limit: 10).rows.compactMap(severity) == [.critical])
        _ = run(&s, "filter")
        #expect(s.filters[.alerts] == nil)
        _ = run(&s, "sessions")
        _ = run(&s, "sort user")
        #expect(s.sessionSort == .user && !s.sessionSortDescending, "users read A to Z first")
        _ = run(&s, "sort rate desc")
        #expect(s.sessionSort == .rateIn && s.sessionSortDescending)
        _ = run(&s, "sort rate asc")
        #expect(!s.sessionSortDescending)
        _ = run(&s, "sort speed")
        #expect(s.flash?.text == "unknown column 'speed' of RADIUS sessions: in, out, rate, duration, user, lazy, live")
        _ = run(&s, "sort user sideways")
        #expect(s.flash?.text == "'sideways' is not a direction: asc, desc" && s.sessionSort == .rateIn)
    }

    @Test("Tab completes a command, then its argument; an ambiguous Tab extends and lists")
    func completion() {
        var s = state()
        _ = keyed(&s, .char(":"))
        _ = type(&s, "te")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "tenant ", "unique: taken whole, with a space for the argument")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "tenant " && s.commandLine?.candidates == ["t-01", "t-02", "all"])
        _ = type(&s, "t")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "tenant t-0" && s.commandLine?.candidates == ["t-01", "t-02"])
        _ = type(&s, "2")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "tenant t-02" && s.commandLine?.candidates == [])
        _ = keyed(&s, .enter)
        #expect(s.tenantFilter == "t-02")
        _ = keyed(&s, .char(":"))
        _ = type(&s, "s")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "s" && s.commandLine?.candidates == ["subscribers", "sessions", "sort"])
        _ = type(&s, "u")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "subscribers", "a command without an argument gets no space")
        _ = keyed(&s, .escape, .char(":"))
        _ = type(&s, "zz")
        _ = keyed(&s, .tab)
        #expect(s.commandLine?.text == "zz" && s.commandLine?.candidates == [], "nothing to complete: left as typed")
    }

    @Test("↑↓ browse the history; Enter keeps a command once (saved), not an empty line or a repeat")
    func history() {
        var s = state()
        #expect(run(&s, "jobs") == [.saveHistory(["jobs"])])
        #expect(run(&s, "tenant t-01") == [.saveHistory(["jobs", "tenant t-01"])])
        #expect(run(&s, "tenant t-01") == [], "the same again is not kept twice")
        #expect(run(&s, "  ") == [])
        _ = keyed(&s, .char(":"))
        _ = type(&s, "al")
        _ = keyed(&s, .up)
        #expect(s.commandLine?.text == "tenant t-01")
        _ = keyed(&s, .up, .up)
        #expect(s.commandLine?.text == "jobs", "stops at the oldest")
        _ = keyed(&s, .down)
        #expect(s.commandLine?.text == "tenant t-01")
        _ = keyed(&s, .down)
        #expect(s.commandLine?.text == "al", "past the newest: what was being typed")
        s.commandHistory = (0..<Commands.historyLimit).map { "c\($0)" }
        let effects = keyed(&s, .enter)
        guard case .saveHistory(let kept)? = effects.first else {
            Issue.record("the history is saved")
            return
        }
        #expect(kept.count == Commands.historyLimit && kept.last == "al" && kept.first == "c1", "bounded, oldest dropped")
    }

    @Test(":profile asks for a switch by name; :reload for a reload; the marker clears what the old streams showed")
    func profiles() {
        var s = state()
        #expect(!run(&s, "profile lab").contains(.switchProfile("lab")))
        #expect(s.flash?.text == "unknown profile 'lab': the config has no profiles")
        s.profiles = ["prod", "lab"]
        s.profile = "prod"
        s.readOnly = "profile prod"
        #expect(!run(&s, "profile staging").contains(.switchProfile("staging")))
        #expect(s.flash?.text == "unknown profile 'staging': prod, lab")
        #expect(!run(&s, "profile prod").contains(.switchProfile("prod")))
        #expect(s.flash?.text == "already on profile prod; :reload reads its config and tokens again")
        #expect(run(&s, "profile lab").contains(.switchProfile("lab")))
        #expect(run(&s, "reload").contains(.reload))
        _ = reduce(&s, .client([alert("a", .critical), session("s1", bytes: 10)]))
        s.filters[.alerts] = "sev>=error"
        s.tenantFilter = "t-02"
        s.mouse = true
        s.notices = [Notice(short: "token t-01 expires in 30 s", full: "the token for tenant t-01 expires in 30 s")]
        s.acks.acks.append(
            Ack(target: AckTarget(OutageScope(tenant: "t-01", olt: "olt-1", pon: nil)), who: "me", at: t0, note: "", expires: nil)
        )
        _ = reduce(&s, .client([.restarted(Restart(tenants: ["lab-1"], profile: "lab", accent: "green", note: "profile lab"))]))
        #expect(s.alerts.isEmpty && s.sessions.isEmpty && s.connections.isEmpty, "the old profile's data is gone")
        #expect(s.tenants == ["lab-1"] && s.tenantFilter == nil, "t-02 is not a tenant of lab")
        #expect(s.profile == "lab" && s.accent == "green")
        #expect(s.readOnly == nil, "prod's read-only went with prod")
        #expect(s.filters[.alerts] == "sev>=error" && s.acks.acks.count == 1 && s.mouse, "what the operator set stays")
        #expect(s.notices.isEmpty, "warnings about the old tokens go; the next check says what holds")
        #expect(s.flash?.text == "profile lab (what was shown before is cleared)")
        s.readOnly = "--readonly"
        _ = reduce(&s, .client([.restarted(Restart(tenants: ["p"], profile: "prod", readOnly: true, note: "profile prod"))]))
        #expect(s.readOnly == "--readonly", "a read-only asked for on the command line stays")
        s.readOnly = nil
        _ = reduce(&s, .client([.restarted(Restart(tenants: ["p"], profile: "prod", readOnly: true, note: "profile prod"))]))
        #expect(s.readOnly == "profile prod")
        // A reload of the same backend keeps what is shown; the reconnect marks it unverified.
        s.origin = "http://prod:1"
        _ = reduce(&s, .client([alert("z", .critical, tenant: "p")]))
        _ = reduce(
            &s,
            .client([
                .restarted(Restart(tenants: ["p"], profile: "prod", readOnly: true, origin: "http://prod:1", note: "reloaded"))
            ]))
        #expect(s.alerts.count == 1, "the same backend: kept")
        #expect(s.flash?.text == "reloaded (what is shown is kept, and checked again as the streams come back)")
        _ = reduce(
            &s, .client([.restarted(Restart(tenants: ["p"], profile: "prod", origin: "http://elsewhere:1", note: "reloaded"))]))
        #expect(s.alerts.isEmpty, "another backend for the same profile: cleared")
        _ = reduce(&s, .client([.notice("reload not applied: config.json: not valid JSON")]))
        #expect(s.flash?.text == "reload not applied: config.json: not valid JSON")
    }

    @Test("the help lists every command and every pane's fields from the tables that serve them")
    func help() {
        var s = state()
        _ = run(&s, "help")
        #expect(s.overlay == .help)
        #expect(Keymap.command(for: .char(":")) == .commandLine)
        let lines = s.helpLines
        for c in Commands.table {
            #expect(lines.contains { $0.label == ":" + c.name && $0.text.contains(c.help) }, ":\(c.name)")
        }
        for pane in Pane.allCases {
            let names = RowFields.fields(for: pane).map(\.name)
            #expect(lines.contains { $0.label.hasSuffix(pane.shortTitle) && names.allSatisfy($0.text.contains) }, "\(pane)")
        }
    }
}

@Suite("Read-only and yank")
struct ReadOnlyAndYankTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }

    func withJob() -> AppState {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .running, progress: 10)]))
        _ = keyed(&s, .char("6"))
        return s
    }

    @Test("read-only refuses cancel, pause and resume before any effect; local acks still work")
    func readOnly() {
        var s = withJob()
        s.readOnly = "--readonly"
        for key in ["c", "p", "r"] {
            let effects = keyed(&s, .char(Character(key)))
            #expect(effects.isEmpty && s.overlay == .none, "\(key): nothing sent, no dialog")
            #expect(
                s.flash?.text.hasPrefix("read-only (--readonly): ") == true
                    && s.flash?.text.hasSuffix("refused, nothing was sent") == true)
        }
        _ = reduce(&s, .client([alert("a", .critical)]))
        _ = keyed(&s, .char("2"), .char("a"), .enter)
        #expect(s.acks.acks.count == 1, "acknowledgements are local: still allowed")
        _ = keyed(&s, .char(":"))
        _ = "readonly off".map { reduce(&s, .key(.char($0))) }
        _ = keyed(&s, .enter)
        #expect(s.readOnly == "--readonly" && s.flash?.text == "read-only comes from --readonly: it stays for this session")
    }

    @Test(
        "a replay: its keys become replay effects, and job commands, reconnects, profiles and reloads are refused in a sentence")
    func replay() {
        var s = withJob()
        let t = UTCInstant(microseconds: 1_796_613_492_000_000)
        _ = reduce(&s, .replay(ReplayStatus(position: t, start: t, end: t.minus(seconds: -60))))
        #expect(keyed(&s, .char(" ")) == [.replay(.togglePause)] && s.frozen == nil, "space pauses the replay, not the view")
        #expect(keyed(&s, .char("+")) == [.replay(.faster)])
        #expect(keyed(&s, .char("-")) == [.replay(.slower)])
        #expect(keyed(&s, .char("]")) == [.replay(.jump(10))])
        #expect(keyed(&s, .char("[")) == [.replay(.jump(-10))])
        #expect(keyed(&s, .char("g")) == [.replay(.toStart)])
        #expect(keyed(&s, .char("G")) == [.replay(.toEnd)])
        for key in ["c", "p", "r", "R"] {
            let effects = keyed(&s, .char(Character(key)))
            #expect(effects.isEmpty && s.overlay == .none, "\(key): nothing sent, no dialog")
            #expect(
                s.flash?.text.hasPrefix("replay of a recording: ") == true
                    && s.flash?.text.hasSuffix("nothing is sent from a replay") == true)
        }
        s.profiles = ["lab"]
        func run(_ s: inout AppState, _ text: String) -> [Effect] {
            _ = keyed(&s, .char(":"))
            for c in text { _ = reduce(&s, .key(.char(c))) }
            return keyed(&s, .enter)
        }
        #expect(
            !run(&s, "profile lab").contains(.switchProfile("lab"))
                && s.flash?.text.contains("switching profiles refused") == true)
        #expect(!run(&s, "reload").contains(.reload) && s.flash?.text.contains("reloading refused") == true)
        #expect(reduce(&s, .reloadSignal).isEmpty)
        #expect(s.helpLines.first?.text == "replay: pause / resume")
        #expect(!s.helpLines.contains { $0.text.contains("freeze") }, "space is the replay's here")
        #expect(s.helpLines.contains { $0.label == "Home" && $0.text == "first row" })
        // Live again: the same keys mean what they always did.
        s.replay = nil
        _ = keyed(&s, .char(" "))
        #expect(s.frozen != nil)
    }

    @Test(":readonly turns it on and off; a cancel dialog opened before it sends nothing")
    func readOnlyCommand() {
        var s = withJob()
        _ = keyed(&s, .char("c"))
        guard case .confirmCancel = s.overlay else {
            Issue.record("c opens the dialog")
            return
        }
        s.readOnly = ":readonly"  // as if turned on by another path while the dialog was open
        #expect(keyed(&s, .char("y")).isEmpty && s.flash?.text == "read-only (:readonly): cancel refused, nothing was sent")
        s.readOnly = nil
        for c in ":readonly" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.readOnly == ":readonly")
        for c in ":ro off" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.readOnly == nil)
        #expect(keyed(&s, .char("p")) == [.send(tenant: "t-01", endpoint: .job("j-1"), command: .pauseJob)])
    }

    @Test("y yanks the selected row's JSON exactly as received; Y its id; an empty pane says so")
    func yank() {
        var s = state()
        _ = reduce(&s, .client([alert("a-7", .critical)]))
        let raw = s.alerts[.alert("t-01", "a-7")]!.raw
        _ = keyed(&s, .char("2"))
        #expect(keyed(&s, .char("y")) == [.yank(bytes: raw, what: "Alerts row JSON as received (\(raw.count) bytes)")])
        #expect(keyed(&s, .char("Y")) == [.yank(bytes: Array("a-7".utf8), what: "id a-7")])
        _ = keyed(&s, .char("3"))
        #expect(keyed(&s, .char("y")).isEmpty && s.flash?.text == "nothing to copy: Tickets has no row")
        // A job listed over REST has no event yet: nothing "as received" to copy.
        _ = reduce(
            &s,
            .client([.jobSnapshot(tenant: "t-01", jobs: [JobSummary(id: "j-9", jobType: "bulk", status: .running, title: "x")])]))
        _ = keyed(&s, .char("6"))
        #expect(keyed(&s, .char("y")).isEmpty)
        #expect(s.flash?.text == "this row has no event as received yet (it was listed over REST); Y copies its id")
        #expect(keyed(&s, .char("Y")) == [.yank(bytes: Array("j-9".utf8), what: "id j-9")])
    }
}
