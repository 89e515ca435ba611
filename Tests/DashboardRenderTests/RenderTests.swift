import Foundation
import Testing
@testable import DashboardCore
@testable import DashboardRender
import RealtimeProtocol

let t0 = UTCInstant(iso8601: "2025-12-08T10:30:00")!
func at(_ s: Double) -> UTCInstant { UTCInstant(microseconds: t0.microseconds + Int64(s * 1e6)) }

func event(_ type: EventType, _ tenant: String, _ t: Double, _ payload: EventPayload, endpoint: Endpoint) -> ClientEvent {
    let time = at(t)
    return .event(
        tenant: tenant, endpoint: endpoint,
        event: Event(
            type: type, tenantID: tenant, timestamp: time, payload: payload,
            raw: Array(EventEncoder.json(type: type, tenantID: tenant, timestamp: time, payload: payload).utf8)))
}

/// A deterministic screenful: every pane populated, streams in every state.
func fixture() -> AppState {
    var s = AppState(tenants: ["t-01", "t-02"], historyLimit: 100, now: at(60))
    var events: [ClientEvent] = []
    for (i, e) in Endpoint.defaultSSE.enumerated() {
        events.append(.status(tenant: "t-01", endpoint: e, state: .live))
        events.append(.latency(tenant: "t-01", endpoint: e, milliseconds: Double(10 + i)))
        events.append(.status(tenant: "t-02", endpoint: e, state: .live))
    }
    events.append(
        .status(tenant: "t-02", endpoint: .tickets, state: .backingOff(attempt: 3, retryAt: at(68), reason: "connection refused"))
    )
    events.append(.status(tenant: "t-02", endpoint: .wsSessions, state: .authFailed(status: 403, retryAt: at(180))))
    events.append(.status(tenant: "t-01", endpoint: .job("j-1"), state: .live))
    for i in 0..<12 {
        events.append(
            event(
                i % 3 == 0 ? .onuOffline : .onuSignalDegraded, i % 2 == 0 ? "t-01" : "t-02", Double(i),
                .onu(
                    ONUEvent(
                        onuSerial: "HWTC\(1000 + i)", status: i % 3 == 0 ? .offline : .degraded,
                        signalDBm: i % 3 == 0 ? nil : -28.5,
                        oltID: "olt-0\(i % 4 + 1)", ponPort: i % 16 + 1)), endpoint: .onuStatus))
    }
    let sev: [AlertSeverity] = [.critical, .error, .warning, .info]
    for i in 0..<6 {
        events.append(
            event(
                .alertRaised, i % 2 == 0 ? "t-01" : "t-02", Double(i * 5),
                .alert(
                    AlertEvent(
                        alertID: "a-\(i)", alertType: ["pon_los", "high_cpu", "link_flap"][i % 3], severity: sev[i % 4],
                        source: "olt-0\(i % 4 + 1)",
                        message: i == 1 ? "日本語 の メッセージ \u{1b}[2J" : "PON \(i) loss of signal")), endpoint: .alerts))
    }
    for i in 0..<5 {
        events.append(
            event(
                .ticketCreated, "t-01", Double(i * 3),
                .ticket(
                    TicketEvent(
                        ticketID: "k\(i)", ticketNumber: "TCK-2025-0000\(i)", title: "No internet \(i)",
                        category: "connectivity", priority: i == 0 ? "urgent" : "medium", status: "open")), endpoint: .tickets))
        events.append(
            event(
                .subscriberActivated, "t-02", Double(i * 4),
                .subscriber(
                    SubscriberEvent(
                        subscriberID: "s\(i)", accountNumber: "ACC-00\(i)", fullName: "Ada Obi \(i)",
                        status: "active", plan: "Home 100M")), endpoint: .subscribers))
    }
    for i in 0..<30 {
        let p = SessionEvent(
            username: "user\(i)@isp", sessionID: "s-\(i)", nasIPAddress: "10.1.0.1", framedIPAddress: "100.64.0.\(i)",
            bandwidthProfile: "100M",
            bytesIn: Int64(i) * 1_234_567_890, bytesOut: Int64(i) * 123_456_789, sessionTime: Int64(i) * 97)
        events.append(event(.sessionUpdated, i % 2 == 0 ? "t-01" : "t-02", 10, .session(p), endpoint: .radiusSessions))
        var later = p
        later.bytesIn = p.bytesIn.map { $0 + Int64(i) * 1_000_000 }
        events.append(event(.sessionUpdated, i % 2 == 0 ? "t-01" : "t-02", 20, .session(later), endpoint: .radiusSessions))
    }
    events.append(
        event(
            .jobProgress, "t-01", 30,
            .job(
                JobEvent(
                    jobID: "j-1", jobType: "firmware_upgrade", status: .running, progressPercent: 42.5,
                    itemsTotal: 200, itemsProcessed: 85, itemsSucceeded: 80, itemsFailed: 5)), endpoint: .job("j-1")))
    events.append(
        event(
            .jobCompleted, "t-02", 31,
            .job(
                JobEvent(
                    jobID: "j-2", jobType: "bulk_provision", status: .completed, progressPercent: 100,
                    itemsTotal: 50, itemsProcessed: 50, itemsSucceeded: 50, itemsFailed: 0)), endpoint: .job("j-2")))
    events.append(.command(tenant: "t-01", endpoint: .job("j-1"), command: .pauseJob, outcome: .acknowledged))
    _ = reduce(&s, .client(events))
    _ = reduce(&s, .tick(at(61)))
    s.flash = nil
    return s
}

/// Compares `grid` with `Snapshots/<name>.txt`; RECORD_SNAPSHOTS=1 re-records (review the diff like code).
func assertSnapshot(_ grid: Grid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = dir.appendingPathComponent(name + ".txt")
    let text = grid.lines.joined(separator: "\n") + "\n"
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" || !FileManager.default.fileExists(atPath: file.path) {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != "1" {
            Issue.record("recorded a new snapshot \(name).txt; review it and run again", sourceLocation: sourceLocation)
        }
        return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    if expected != text {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false),
            a = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }
        Issue.record(
            "snapshot \(name) differs at line \((first?.offset ?? 0) + 1):\n  expected: \(first?.element.0 ?? "")\n  actual:   \(first?.element.1 ?? "")\n(RECORD_SNAPSHOTS=1 re-records)",
            sourceLocation: sourceLocation)
    }
}

@Suite("Screens")
struct ScreenSnapshotTests {
    @Test("whole screens at every size", arguments: [(80, 24), (120, 40), (200, 60), (40, 10), (39, 9)])
    func sizes(cols: Int, rows: Int) throws {
        let grid = Screen.render(fixture(), cols: cols, rows: rows)
        #expect(grid.lines.count == rows)
        #expect(grid.lines.allSatisfy { TerminalText.width($0) == cols }, "every line fills the width exactly")
        try assertSnapshot(grid, "screen-\(cols)x\(rows)")
    }

    @Test("overlays: help, connections, detail, cancel confirmation", arguments: ["help", "connections", "detail", "confirm"])
    func overlays(which: String) throws {
        var s = fixture()
        switch which {
        case "help": _ = reduce(&s, .key(.char("?")))
        case "connections": _ = reduce(&s, .key(.char("C")))
        case "detail": _ = reduce(&s, .key(.down)); _ = reduce(&s, .key(.enter))
        default: _ = reduce(&s, .key(.char("6"))); _ = reduce(&s, .key(.down)); _ = reduce(&s, .key(.char("c")))
        }
        try assertSnapshot(Screen.render(s, cols: 120, rows: 40), "overlay-\(which)-120x40")
    }

    @Test("a sorted pane names its column in the title and marks it in the header row; a held lazy sort says held")
    func sortedPane() {
        var s = fixture()
        _ = reduce(&s, .key(.char("1")))
        for _ in 0..<5 { _ = reduce(&s, .key(.char("s"))) }
        var screen = Screen.render(s, cols: 120, rows: 40).lines.joined(separator: "\n")
        #expect(screen.contains("(▲ dBm)") && screen.contains("dBm▲"))
        _ = reduce(&s, .key(.char("L")))
        _ = reduce(&s, .key(.down))
        screen = Screen.render(s, cols: 120, rows: 40).lines.joined(separator: "\n")
        #expect(screen.contains("(▲ dBm, held)"))
    }

    @Test("a frame says what a click at each cell points at: pane, column title, row")
    func hotspots() {
        var s = fixture()
        let g = Screen.render(s, cols: 120, rows: 40)
        let lines = g.lines
        // The ONU pane's dBm title and its first row, found where they are drawn.
        guard let y = lines.firstIndex(where: { $0.contains("OLT/PON") && $0.contains("dBm") }),
            let r = lines[y].range(of: "dBm")
        else {
            Issue.record("no ONU header in\n\(lines.joined(separator: "\n"))")
            return
        }
        let x = lines[y].distance(from: lines[y].startIndex, to: r.lowerBound)
        #expect(g.hit(x: x, y: y) == .header(.onu, AppState.sortColumns(.onu)[4]))
        let firstRow = s.content(for: .onu, limit: 30).rows[0].id
        #expect(g.hit(x: x, y: y + 1) == .row(.onu, firstRow))
        #expect(g.hit(x: x, y: y - 1) == .pane(.onu), "the title border: the pane")
        #expect(g.hit(x: 0, y: 0) == nil, "the header line points at nothing")
        _ = reduce(&s, .pointer(g.hit(x: x, y: y), .click))
        #expect(s.focus == .onu && s.sorts[.onu] == PaneSort(column: 4, descending: false))
    }

    @Test("the header shows the profile in its accent colour and says read-only")
    func profileHeader() {
        var s = fixture()
        s.profile = "prod"
        s.accent = "red"
        s.readOnly = "profile prod"
        let g = Screen.render(s, cols: 120, rows: 40)
        let header = g.lines[0]
        #expect(header.hasPrefix(" realtime-dash  prod  tenant: all (2)  read-only "), "got: \(header)")
        let x = header.distance(from: header.startIndex, to: header.range(of: "prod")!.lowerBound)
        #expect(g[x, 0].style.role == .accentRed, "prod is drawn in its accent")
        s.accent = "green"
        #expect(Screen.render(s, cols: 120, rows: 40)[x, 0].style.role == .accentGreen, "lab looks different")
    }

    @Test("frozen, filtered, tenant-filtered and zoomed views say so")
    func states() {
        var s = fixture()
        _ = reduce(&s, .key(.char(" ")))
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .live)]))
        _ = reduce(
            &s,
            .client([
                event(
                    .alertRaised, "t-01", 62,
                    .alert(AlertEvent(alertID: "new", alertType: "x", severity: .info, source: "s", message: "m")),
                    endpoint: .alerts)
            ]))
        _ = reduce(&s, .key(.char("t")))
        _ = reduce(&s, .key(.char("/")))
        for c in "cpu" { _ = reduce(&s, .key(.char(c))) }
        _ = reduce(&s, .key(.enter))
        let lines = Screen.render(s, cols: 120, rows: 40).lines
        #expect(lines[0].contains("tenant: t-01") && lines[0].contains("FROZEN +1"))
        #expect(lines[39].hasSuffix("FROZEN tenant t-01 10:31:01"), "the status bar: freeze badge, tenant filter, clock")
        #expect(lines.contains { $0.contains("Alerts") && $0.contains("/cpu 1/3") })
        _ = reduce(&s, .key(.char("z")))
        let zoomed = Screen.render(s, cols: 120, rows: 40).lines
        #expect(zoomed[1].contains("2 Alerts") && !zoomed.contains { $0.contains("RADIUS sessions") })
    }
}

@Suite("Widgets")
struct WidgetTests {
    /// A grid pre-filled with x, so every cell a widget leaves alone shows.
    func xGrid(_ cols: Int, _ rows: Int) -> Grid {
        Grid(cols: cols, rows: rows, fill: Cell(text: "x", style: Style(), isContinuation: false))
    }

    @Test("a box with its title, and nothing drawn outside it")
    func box() {
        var g = xGrid(12, 4)
        g.box(x: 1, y: 0, width: 10, height: 3, title: "Alerts", focused: false)
        #expect(g.lines[0] == "x┌─ Alert… ┐x".replacingOccurrences(of: " Alert… ", with: " Aler… ") || g.lines[0].contains("Al"))
        #expect(g.lines[2] == "x└────────┘x")
        #expect(g.lines[1] == "x│xxxxxxxx│x")
        #expect(g.lines[3] == "xxxxxxxxxxxx")
        #expect(g.lines[0].hasPrefix("x┌─ ") && g.lines[0].hasSuffix("┐x"))
    }

    @Test("ASCII borders when the locale is not UTF-8")
    func asciiBox() {
        var g = xGrid(8, 3)
        g.ascii = true
        g.box(x: 0, y: 0, width: 8, height: 3, title: "", focused: true)
        #expect(g.lines == ["+------+", "|xxxxxx|", "+------+"])
    }

    @Test("wide characters take two cells and are never cut in half; truncation is by display width")
    func wide() {
        var g = xGrid(8, 2)
        #expect(g.write("日本語テキスト", x: 0, y: 0, maxWidth: 7) == 6)
        #expect(g.lines[0] == "日本語xx")
        #expect(TerminalText.truncate("日本語テキスト", to: 7) == "日本語…")
        #expect(TerminalText.width("e\u{301}") == 1, "a combining mark adds no width")
        #expect(TerminalText.width("👩‍💻") == 2 && TerminalText.width("🇳🇬") == 2)
        #expect(g.write("ae\u{301}b", x: 0, y: 1) == 3 && g.lines[1] == "ae\u{301}bxxxxx")
    }

    @Test("the status bar: one entry per endpoint, worst state over tenants, readable without colour")
    func statusBar() {
        let s = fixture()
        let line = Screen.render(s, cols: 200, rows: 60).lines.last!
        #expect(
            line.contains("● onu-status ttfb 10ms") && line.contains("● alerts ttfb 11ms"),
            "an SSE latency says it is a time to first byte")
        #expect(line.contains("◌ tickets retry 7s (#3)"))
        #expect(line.contains("✖ ws-sessions auth"))
        #expect(line.contains("jobs 1/2"), "the job socket that never reported a state counts as not live")
        var ascii = Screen.render(s, cols: 200, rows: 60, ascii: true)
        ascii.ascii = true
        #expect(
            ascii.lines.last!.contains("* onu-status ttfb 10ms") && ascii.lines.last!.contains("~ tickets retry 7s (#3)")
                && ascii.lines.last!.contains("x ws-sessions auth"))
    }

    @Test("a job row: progress bar, counts, and the last command's state")
    func jobRow() {
        var s = fixture()
        s.focus = .jobs
        s.zoomed = true
        let lines = Screen.render(s, cols: 200, rows: 60).lines
        #expect(
            lines.contains {
                $0.contains("firmware_upgrade ") && $0.contains("42% [###     ]") && $0.contains("pause acknowledged")
                    && $0.contains("85/200")
            })
    }
}

@Suite("Sanitiser")
struct SanitiserTests {
    @Test(
        "escape sequences, C0/C1 controls and bidi overrides become visible placeholders",
        arguments: [
            ("\u{1b}[2J\u{1b}[H", "␛[2J␛[H"),
            ("\u{1b}]52;c;ZWNobyBoaQ==\u{07}", "␛]52;c;ZWNobyBoaQ==␇"),
            ("\u{1b}]8;;http://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\", "␛]8;;http://evil␛\\link␛]8;;␛\\"),
            ("\u{90}dcs\u{9c}", "⍰dcs⍰"),
            ("\u{9b}31m", "⍰31m"),
            ("a\u{0}b\tc\nd\re\u{7f}", "a␀b␉c␊d␍e␡"),
            ("safe \u{202e}txt.exe", "safe ⍰txt.exe"),
            ("\u{2066}x\u{2069}\u{200f}", "⍰x⍰⍰"),
            ("plain ASCII and 日本 stay", "plain ASCII and 日本 stay"),
        ])
    func sanitise(_ input: String, _ expected: String) {
        #expect(TerminalText.sanitize(input) == expected)
        let out = TerminalText.sanitize(input)
        #expect(!out.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
    }

    @Test("the printable-ASCII fast path takes exactly 0x20...0x7E, wherever in a string the first other byte is")
    func asciiFastPath() {
        for v in UInt32(0)...0xFF {
            let c = String(Unicode.Scalar(v)!)
            #expect(TerminalText.isPrintableASCII(c) == (0x20...0x7E).contains(v), "U+\(String(v, radix: 16))")
        }
        let clean = String(repeating: "abc-123 ~", count: 12)
        #expect(TerminalText.isPrintableASCII(clean) && TerminalText.isPrintableASCII(""))
        for bad in ["\u{1b}", "\u{7f}", "\u{1f}", "é", "\u{202e}"] {
            for i in [0, 1, 7, 8, 50, clean.count] {
                var s = clean
                s.insert(contentsOf: bad, at: s.index(s.startIndex, offsetBy: i))
                #expect(!TerminalText.isPrintableASCII(s), "\(bad.unicodeScalars.first!.value) at \(i)")
                #expect(TerminalText.sanitize(s) != s || bad == "é", "not passed through as ASCII")
            }
        }
    }

    @Test("a hostile alert message reaches the grid with no control character in any cell")
    func hostileInGrid() {
        var s = fixture()
        let hostile = "\u{1b}[31mred\u{1b}[0m \u{1b}]52;c;AAAA\u{07} \u{9b}2J \u{202e}evil\u{0}"
        _ = reduce(
            &s,
            .client([
                event(
                    .alertRaised, "t-01", 59,
                    .alert(AlertEvent(alertID: "h", alertType: "x", severity: .critical, source: hostile, message: hostile)),
                    endpoint: .alerts)
            ]))
        let grid = Screen.render(s, cols: 200, rows: 60)
        for cell in grid.cells {
            #expect(
                !cell.text.unicodeScalars.contains {
                    $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
                })
        }
        #expect(grid.lines.contains { $0.contains("␛[31mred␛[0m") })
    }
}

@Suite("Screens during an outage")
struct OutageScreenTests {
    /// The fixture (at 61 s), then every stream down, shown at 90 s.
    func outage() -> AppState {
        var s = fixture()
        let down = ConnectionState.backingOff(attempt: 2, retryAt: at(95), reason: "connection refused")
        _ = reduce(&s, .client(s.connections.keys.map { .status(tenant: $0.tenant, endpoint: $0.endpoint, state: down) }))
        _ = reduce(&s, .tick(at(90)))
        return s
    }

    @Test("a narrow pane's title keeps its staleness and its unknown counts whole", arguments: [30, 40, 60, 120])
    func narrowTitles(cols: Int) {
        let s = outage()
        for pane in Pane.allCases {
            var g = Grid(cols: cols, rows: 6)
            let content = s.content(for: pane, limit: 3)
            PaneWidget(content: content, focused: false).render(in: Rect(x: 0, y: 0, width: cols, height: 6), into: &g)
            let top = g.lines[0]
            #expect(top.contains("stale 0:"), "\(pane) at \(cols): \(top)")
            #expect(top.contains(" \(PaneView.title(content, width: cols)) "), "\(pane) at \(cols): the title is whole: \(top)")
            if pane == .alerts { #expect(top.contains("?"), "\(top)") }
        }
    }

    func line(_ g: Grid, containing text: String) -> (y: Int, line: String)? {
        g.lines.enumerated().first { $0.element.contains(text) }.map { ($0.offset, $0.element) }
    }

    @Test("every pane says stale and since when, counts read ?, rates -, rows dim, and the header says DISCONNECTED")
    func allDown() throws {
        let g = Screen.render(outage(), cols: 120, rows: 40)
        let header = try #require(g.lines.first)
        #expect(header.contains("DISCONNECTED"), "\(header)")
        let x = try #require(header.range(of: "DISCONNECTED").map { header.distance(from: header.startIndex, to: $0.lowerBound) })
        #expect(g[x, 0].style.role == .critical)
        let alerts = try #require(line(g, containing: "2 Alerts"))
        #expect(alerts.line.contains("crit ? err ? warn ? info ?"), "no false all-clear: \(alerts.line)")
        for title in ["1 ONU events", "2 Alerts", "3 Tickets", "4 Subscribers", "5 RADIUS sessions"] {
            let l = try #require(line(g, containing: title), "\(title) is on screen")
            #expect(l.line.contains("stale 0:29"), "\(title) says since when: \(l.line)")
        }
        // A session row: its rates cannot be known while nothing arrives.
        let user = try #require(line(g, containing: "user29@isp"))
        #expect(!user.line.contains("b/s"), "rates read -: \(user.line)")
        let ux = try #require(
            user.line.range(of: "user29@isp").map { user.line.distance(from: user.line.startIndex, to: $0.lowerBound) })
        #expect(g[ux, user.y].style.role == .dim, "a stale row is drawn dim")
        try assertSnapshot(g, "outage-120x40")
    }

    @Test("after the reconnect, history panes show the gap and the alerts say unverified")
    func afterReconnect() throws {
        var s = outage()
        _ = reduce(&s, .tick(at(100)))
        _ = reduce(&s, .client(s.connections.keys.map { .status(tenant: $0.tenant, endpoint: $0.endpoint, state: .live) }))
        let g = Screen.render(s, cols: 120, rows: 40)
        #expect(!g.lines[0].contains("DISCONNECTED"))
        #expect(line(g, containing: "── no data 10:31:01–10:31:40") != nil, "a gap row:\n\(g.lines.joined(separator: "\n"))")
        #expect(line(g, containing: "CRITICAL? ") != nil, "alerts raised before the gap may have cleared: marked in the severity")
        #expect(
            line(Screen.render(s, cols: 200, rows: 60), containing: "[unverified]") != nil,
            "and said in words where the message has room")
        #expect(line(g, containing: "crit ? err") == nil, "live again: the counts are known")
        try assertSnapshot(g, "after-outage-120x40")
    }

    @Test("a pane with nothing and no connection says so instead of waiting for events")
    func emptyAndDown() {
        var s = AppState(tenants: ["t-01"], historyLimit: 10, now: at(0))
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .connecting(attempt: 1))]))
        let g = Screen.render(s, cols: 120, rows: 40)
        #expect(g.lines.contains { $0.contains("not connected") })
        #expect(g.lines[0].contains("CONNECTING"))
        #expect(g.lines.contains { $0.contains("2 Alerts") && $0.contains("no connection") })
    }
}

@Suite("Jobs pane")
struct JobsPaneTests {
    @Test("a campaign with a long name does not push the jobs' progress off a 60-column pane", arguments: [60, 120])
    func campaignNameDoesNotHideProgress(cols: Int) throws {
        var s = fixture()
        _ = reduce(
            &s,
            .client([
                .campaigns(
                    tenant: "t-01",
                    campaigns: [
                        CampaignSummary(id: "c-1", name: "Q4 overdue accounts, second reminder, Lagos region", isActive: true)
                    ])
            ]))
        let content = s.content(for: .jobs, limit: 10)
        var g = Grid(cols: cols, rows: 10)
        PaneWidget(content: content, focused: false).render(in: Rect(x: 0, y: 0, width: cols, height: 10), into: &g)
        let job = try #require(g.lines.first { $0.contains("firmware_upgrade") }, "\(g.lines.joined(separator: "\n"))")
        #expect(job.contains("42%"), "the running job's progress is on screen: \(job)")
    }
}

@Suite("What rows claim")
struct HonestRowsTests {
    func pane(_ s: AppState, _ pane: Pane, cols: Int = 120) -> [String] {
        var g = Grid(cols: cols, rows: 12)
        PaneWidget(content: s.content(for: pane, limit: 9), focused: true).render(
            in: Rect(x: 0, y: 0, width: cols, height: 12), into: &g)
        return g.lines
    }

    @Test("a cleared alert is drawn below the active ones and says when it cleared; x leaves the active ones")
    func clearedAlert() throws {
        var s = fixture()
        let cleared = event(
            .alertCleared, "t-01", 61,
            .alert(AlertEvent(alertID: "a-0", alertType: "x", severity: .critical, source: "olt-01", message: "ignored")),
            endpoint: .alerts)
        _ = reduce(&s, .client([cleared]))
        let lines = pane(s, .alerts)
        let i = try #require(lines.firstIndex { $0.contains("cleared 10:31:01 ·") }, "\(lines.joined(separator: "\n"))")
        let active = lines.indices.filter { lines[$0].contains("CRITICAL") || lines[$0].contains("ERROR") }
        #expect(active.allSatisfy { $0 < i || lines[$0].contains("cleared") }, "active alerts above the cleared one")
    }

    @Test("a running job that stopped moving says for how long; finished jobs can be hidden, and the title says so")
    func stalledAndHidden() throws {
        var s = fixture()
        _ = reduce(&s, .tick(at(60 + 120)))
        let lines = pane(s, .jobs)
        let row = try #require(lines.first { $0.contains("firmware_upgrade") }, "\(lines.joined(separator: "\n"))")
        #expect(row.contains("42% no progress"), "\(row)")
        _ = reduce(&s, .key(.char("6")))
        _ = reduce(&s, .key(.char("x")))
        let hidden = pane(s, .jobs)
        #expect(hidden[0].contains("6 Jobs (1 finished hidden)"), "\(hidden[0])")
        #expect(!hidden.contains { $0.contains("completed") })
    }
}

@Suite("Status bar and connections panel")
struct StatusAndConnectionsTests {
    func withFinishedJobs() -> AppState {
        var s = fixture()
        var events: [ClientEvent] = []
        for i in 0..<12 {
            events.append(.status(tenant: "t-01", endpoint: .job("done-\(i)"), state: .stopped(reason: .jobFinished)))
        }
        _ = reduce(&s, .client(events))
        return s
    }

    @Test(
        "the status bar aggregates instead of dropping entries, and the clock and job count always show", arguments: [40, 60, 80])
    func aggregates(cols: Int) {
        let s = fixture()
        var g = Grid(cols: cols, rows: 1)
        StatusBar(s).render(in: Rect(x: 0, y: 0, width: cols, height: 1), into: &g)
        let line = g.lines[0]
        #expect(line.contains(s.now.timeOfDay), "the clock: \(line)")
        #expect(line.contains("jobs 1/2"), "the job sockets: \(line)")
        // Every endpoint is accounted for: the live ones counted, the others named or counted.
        #expect(line.contains("4 live") || line.contains("●4"), "\(line)")
        #expect(line.contains("retry") || line.contains("◌1"), "\(line)")
        #expect(line.contains("auth") || line.contains("✖1"), "\(line)")
    }

    @Test("job sockets followed over REST are counted apart, so they do not read as down")
    func polledJobs() {
        var s = fixture()
        _ = reduce(
            &s, .client([.status(tenant: "t-01", endpoint: .job("j-1"), state: .polled(reason: "WebSocket refused: HTTP 500"))]))
        var g = Grid(cols: 120, rows: 1)
        StatusBar(s).render(in: Rect(x: 0, y: 0, width: 120, height: 1), into: &g)
        #expect(g.lines[0].contains("jobs 0/2 (1 polled)"), "\(g.lines[0])")
    }

    @Test("Connections lists problems first, folds finished job sockets, and shows no 'job finished' as an error")
    func connectionsOrder() throws {
        var s = withFinishedJobs()
        _ = reduce(&s, .key(.char("C")))
        let lines = Screen.render(s, cols: 160, rows: 50).lines
        let auth = try #require(lines.firstIndex { $0.contains("ws-sessions") && $0.contains("auth") })
        let retry = try #require(lines.firstIndex { $0.contains(" tickets ") && $0.contains("retry") })
        let live = try #require(lines.firstIndex { $0.contains(" alerts ") && $0.contains("live") })
        #expect(auth < retry && retry < live, "auth, then retry, then live")
        #expect(lines.contains { $0.contains("12 finished job sockets") })
        #expect(!lines.contains { $0.contains("done-") }, "no line per finished socket")
    }
}

@Suite("Each pane at every width")
struct PaneWidthTests {
    static let widths = [40, 60, 80, 120, 200]

    /// One snapshot per pane: the pane drawn at 40, 60, 80, 120 and 200 columns, one under the
    /// other, so a column choice is reviewed at every width at once.
    @Test("snapshots per pane at 40, 60, 80, 120 and 200 columns", arguments: Pane.allCases)
    func widths(pane: Pane) throws {
        var s = fixture()
        _ = reduce(
            &s,
            .client([
                event(
                    .alertRaised, "t-01", 58,
                    .alert(
                        AlertEvent(
                            alertID: "long", alertType: "bgp_session_down", severity: .critical, source: "edge-router-transit-2",
                            message: "BGP session to transit-2 down: hold timer expired after 90 s, 812k prefixes withdrawn")),
                    endpoint: .alerts)
            ]))
        let height = 9
        var all = Grid(cols: Self.widths.max()!, rows: height * Self.widths.count)
        for (i, cols) in Self.widths.enumerated() {
            var g = Grid(cols: cols, rows: height)
            PaneWidget(content: s.content(for: pane, limit: PaneWidget.visibleRows(height: height)), focused: true)
                .render(in: Rect(x: 0, y: 0, width: cols, height: height), into: &g)
            // No header is cut: every title in the header line is whole or absent.
            let header = g.lines[1]
            #expect(!header.contains("…"), "\(pane) at \(cols): a header was cut: \(header)")
            for (y, line) in g.lines.enumerated() { all.write(line, x: 0, y: i * height + y) }
        }
        try assertSnapshot(all, "pane-\(pane)-widths")
    }

    @Test("what an operator needs survives the narrowest pane", arguments: [40, 60])
    func essentials(cols: Int) throws {
        let s = fixture()
        func lines(_ pane: Pane) -> [String] {
            var g = Grid(cols: cols, rows: 9)
            PaneWidget(content: s.content(for: pane, limit: 6), focused: false)
                .render(in: Rect(x: 0, y: 0, width: cols, height: 9), into: &g)
            return g.lines
        }
        let alerts = lines(.alerts)
        #expect(alerts[1].contains("sev") && alerts[1].contains("message"), "alerts keep severity and message: \(alerts[1])")
        let onu = lines(.onu)
        #expect(onu[1].contains("ONU") && onu[1].contains("status"), "ONU keeps serial and status: \(onu[1])")
        let jobs = lines(.jobs)
        #expect(jobs[1].contains("type") && jobs[1].contains("status"), "jobs keep type and status: \(jobs[1])")
    }
}

@Suite("Width fast path")
struct WidthFastPathTests {
    /// Printable ASCII takes a fast path (one column a byte, no Unicode lookup); it must agree
    /// with the character-by-character width everywhere, and anything else must not take it.
    @Test("printable ASCII agrees with the per-character width; controls, wide and combining text do not take the fast path")
    func agrees() {
        let samples = [
            "", "OUTAGE olt-03/11 212/230 ONUs offline since 15:26:47 · 198 subscribers", "plain ascii 0123 ~!@#$%^&*()",
            "tab\there", "esc\u{1b}[2J", "del\u{7f}", "日本語 の メッセージ", "e\u{301}t\u{301}e\u{301}", "👩‍👩‍👧 family",
        ]
        for s in samples {
            #expect(TerminalText.width(s) == s.reduce(0) { $0 + TerminalText.width($1) }, "\(s.debugDescription)")
            for cols in 1...12 {
                let cut = TerminalText.truncate(s, to: cols)
                #expect(TerminalText.width(cut) <= cols, "\(s.debugDescription) cut to \(cols): \(cut.debugDescription)")
            }
        }
        #expect(TerminalText.truncate("abcdef", to: 4) == "abc…")
        #expect(TerminalText.truncate("abcd", to: 4) == "abcd")
    }

    /// The narrow-scalar path (Latin, the screens' separators, box drawing) must agree with the
    /// per-character width, scalar for scalar, and leave anything that is not one column a
    /// scalar (soft hyphen, combining marks, wide, controls) to the slow path.
    @Test("Latin-1, Latin Extended, dashes, ellipsis and box drawing: one column a scalar, as the slow path says")
    func narrowScalars() {
        var scalars: [Unicode.Scalar] = []
        for range in [0xA0..<0x300, 0x2010..<0x2028, 0x2500..<0x25A0] {
            for v in range { scalars.append(Unicode.Scalar(UInt32(v))!) }
        }
        for scalar in scalars where scalar.value != 0xAD {
            let c = Character(scalar)
            #expect(TerminalText.width(c) == 1, "U+\(String(scalar.value, radix: 16)) is one column")
            #expect(TerminalText.narrowScalarCount(String(c)) == 1)
        }
        let line = "OUTAGE olt-03/11 · 212 ONUs — café Müller … ── █▒ naïve"
        #expect(TerminalText.narrowScalarCount(line) == line.count)
        #expect(TerminalText.width(line) == line.reduce(0) { $0 + TerminalText.width($1) })
        #expect(TerminalText.truncate(line, to: 20) == String(line.prefix(19)) + "…")
        #expect(TerminalText.width(TerminalText.truncate(line, to: 20)) == 20)
        for other in ["soft\u{AD}hyphen", "e\u{301}", "日本", "tab\t", "zero\u{200B}width", "rtl\u{202E}"] {
            #expect(TerminalText.narrowScalarCount(other) == nil, "\(other.debugDescription) takes the per-character path")
        }
    }
}

@Suite("Number formatting")
struct FormatTests {
    /// The hand-written formatting must read as `String(format:)` did on every kind of value a
    /// screen shows (negatives, zero, huge, tiny), except a value within a hair of a tie (0.05,
    /// whose double is 0.05000000000000000277), which may round either way, and -0.0, which
    /// reads 0.0.
    @Test("one and no decimals, byte counts, bit rates and clocks read as printf wrote them")
    func agreesWithPrintf() {
        var g = SystemRandomNumberGenerator()
        var values: [Double] = [0, 0.04, -0.04, 2.5, 3.5, -2.5, 0.25, -27.45, 9.94, 99.96, 1e17, -1e17, 123.456]
        for _ in 0..<5000 {
            values.append(Double.random(in: -1e6...1e6, using: &g))
            values.append(Double(Int.random(in: -100_000...100_000, using: &g)) / 20 + 0.001)
        }
        func nearTie(_ x: Double) -> Bool { abs(abs(x - x.rounded(.down)) - 0.5) < 1e-6 }
        for v in values {
            if !nearTie(v * 10) { #expect(Format.fixed1(v) == String(format: "%.1f", v), "\(v)") }
            if !nearTie(v) || v == v.rounded(.down) + 0.5 { #expect(Format.fixed0(v) == String(format: "%.0f", v), "\(v)") }
        }
        #expect(Format.fixed1(-0.0) == "0.0" && Format.fixed0(-0.0) == "0")
        for v in [0, 0.4, 0.5, 1.5, 7, 9.5, 10.49, 42.5, 99.5, 99.96, 100]
            + (0..<500).map({ _ in Double.random(in: 0...100, using: &g) })
        where !nearTie(v) || v == v.rounded(.down) + 0.5 {
            #expect(Format.percent3(v) == String(format: "%3.0f%%", v), "\(v)")
        }
        #expect(Format.progressBar(42.5, width: 4) == " 42% [##  ]" && Format.progressBar(nil, width: 4) == "  -")
        for v: Int64 in [0, 999, 10_000, 10_499, 10_500, 999_949, 1_000_000, 1_234_567_890, 5_432_109_876_543, -12_345] {
            let d = Double(v.magnitude)
            let printf =
                d >= 1e12
                ? String(format: "%.1fT", d / 1e12)
                : d >= 1e9
                    ? String(format: "%.1fG", d / 1e9)
                    : d >= 1e6
                        ? String(format: "%.1fM", d / 1e6) : d >= 1e4 ? String(format: "%.0fk", d / 1e3) : String(v.magnitude)
            #expect(Format.bytes(v) == (v < 0 ? "-" : "") + printf, "\(v)")
        }
        for b in [0.0, 12.4, 124.9, 1_249.0, 4_650_000.0, 1.26e9] {
            let bits = b * 8
            let printf =
                bits >= 1e9
                ? String(format: "%.1fGb/s", bits / 1e9)
                : bits >= 1e6
                    ? String(format: "%.1fMb/s", bits / 1e6)
                    : bits >= 1e3 ? String(format: "%.0fkb/s", bits / 1e3) : String(format: "%.0fb/s", bits)
            #expect(Format.bits(b) == printf, "\(b)")
        }
        #expect(Format.duration(3_723) == "1:02:03" && Format.duration(59) == "0:00:59" && Format.duration(90_000) == "1d1h")
        #expect(Format.elapsed(42) == "0:42" && Format.elapsed(725) == "12:05" && Format.elapsed(3_723) == "1:02:03")
    }
}

@Suite("Outage rows")
struct OutageRowTests {
    @Test("an outage seen before a gap in its stream reads OUTAGE?, its scope and count still first")
    func unverifiedMark() {
        var o = Outage(scope: OutageScope(tenant: "t-01", olt: "olt-03", pon: 11), since: UTCInstant(microseconds: 0))
        o.offlineCount = 5
        o.known = 32
        let now = UTCInstant(microseconds: 10_000_000)
        #expect(
            PaneView.outageText(o, tickets: 0, alerts: FoldedAlerts(), now: now, showTenant: false).hasPrefix(
                "OUTAGE olt-03/11 5/32"))
        o.unverified = true
        #expect(
            PaneView.outageText(o, tickets: 0, alerts: FoldedAlerts(), now: now, showTenant: false).hasPrefix(
                "OUTAGE? olt-03/11 5/32"))
    }
}
