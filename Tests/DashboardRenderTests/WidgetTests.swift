import DashboardCore
import RealtimeProtocol
import Testing

@testable import DashboardRender

/// A grid of `x` so a widget's every written cell, and every cell it must not touch, shows.
func xGrid(_ cols: Int, _ rows: Int) -> Grid {
    Grid(cols: cols, rows: rows, fill: Cell(text: "x", style: Style(), isContinuation: false))
}

@Suite("Rect")
struct RectTests {
    @Test("splits tile exactly: no cell lost or shared, rounding spread")
    func splits() {
        let r = Rect(x: 2, y: 1, width: 11, height: 7)
        let cols = r.columns([1, 1, 1])
        #expect(cols.map(\.width) == [3, 4, 4] && cols.map(\.x) == [2, 5, 9] && cols.last!.maxX == r.maxX)
        let rows = r.rows([11, 9])
        #expect(rows.map(\.height).reduce(0, +) == 7 && rows[1].y == rows[0].maxY)
        let (top, rest) = r.splitTop(1)
        #expect(top == Rect(x: 2, y: 1, width: 11, height: 1) && rest.y == 2 && rest.height == 6)
        let (above, bottom) = r.splitBottom(2)
        #expect(bottom.y == 6 && bottom.height == 2 && above.height == 5)
        #expect(r.grid(3, columns: 2).count == 3 && r.grid(3, columns: 2)[2].x == r.x)
        #expect(r.inset(1) == Rect(x: 3, y: 2, width: 9, height: 5))
        #expect(r.splitTop(99).rest.isEmpty && Rect(x: 0, y: 0, width: -3, height: 2).isEmpty)
        #expect(r.centered(width: 5, height: 3) == Rect(x: 5, y: 3, width: 5, height: 3))
    }
}

@Suite("Table")
struct TableTests {
    let columns = [
        ColumnSpec("sev", priority: 100), ColumnSpec("time", priority: 70),
        ColumnSpec("message", min: 6, priority: 90, flex: true), ColumnSpec("type", priority: 50),
    ]
    let lines = [
        Table.Line(["CRITICAL", "10:30:20", "PON 4 loss of signal", "los"]),
        Table.Line(["INFO", "10:30:21", "ok", "pon_flap"]),
    ]

    func draw(_ width: Int, selected: Int? = nil) -> [String] {
        var g = xGrid(width + 2, 4)
        Table(columns: columns, lines: lines, selected: selected).render(
            in: Rect(x: 1, y: 0, width: width, height: 3), into: &g)
        return g.lines
    }

    @Test("wide: every column, the flexible one takes the spare width, nothing outside the rect")
    func wide() {
        let lines = draw(50)
        #expect(lines[0].hasPrefix("x sev      time     message") && lines[0].hasSuffix("x"))
        #expect(lines[1].contains("PON 4 loss of signal") && lines[2].contains("pon_flap"))
        #expect(lines[3] == String(repeating: "x", count: 52), "the row below the rect is untouched")
        #expect(lines.allSatisfy { $0.first == "x" && $0.last == "x" }, "the columns beside it too")
    }

    @Test("narrow: the least important columns go first, the important ones keep their whole values")
    func narrow() {
        let lines = draw(30)
        #expect(lines[0] == "x sev      message             x", "time and type dropped")
        #expect(lines[1] == "x CRITICAL PON 4 loss of signalx")
        let cut = draw(24)
        #expect(cut[1] == "x CRITICAL PON 4 loss of…x", "a flexible value is cut only when nothing else is left to drop")
        let tiny = draw(12)
        #expect(tiny[0] == "x sev        x" && tiny[1] == "x CRITICAL   x", "the most important column alone")
    }

    @Test("the widths: minimums from the titles, spare to values that are cut, then to flexible columns")
    func widths() {
        let natural = [8, 8, 20, 8]
        #expect(Table.widths(columns, natural: natural, available: 49) == [8, 8, 22, 8])
        #expect(
            Table.widths(columns, natural: natural, available: 40) == [8, 8, 22, 0], "type dropped, message whole and the spare")
        #expect(Table.widths(columns, natural: natural, available: 29) == [8, 0, 20, 0])
        #expect(Table.widths(columns, natural: natural, available: 3) == [3, 0, 0, 0])
        let titles = columns.map { TerminalText.width($0.title) }
        for w in 4...60 {
            let ws = Table.widths(columns, natural: natural, available: w)
            let used = ws.reduce(0, +) + ws.filter { $0 > 0 }.count - 1
            #expect(used <= w, "fits in \(w)")
            for i in ws.indices where ws[i] > 0 && w >= 4 { #expect(ws[i] >= titles[i], "header \(i) whole at \(w)") }
        }
    }

    @Test("the selected line is reversed with a marker; right-aligned columns align right")
    func selection() {
        var g = xGrid(20, 3)
        var t = Table(
            columns: [ColumnSpec("n", priority: 2, alignment: .right), ColumnSpec("name", priority: 1)],
            lines: [Table.Line(["7", "a"]), Table.Line(["123", "b"])], selected: 1)
        t.sortMark = (0, true)
        t.render(in: Rect(x: 0, y: 0, width: 20, height: 3), into: &g)
        #expect(g.lines == ["  n▼ name           ", "   7 a              ", "▸123 b              "])
        #expect(g[0, 2].style.reverse && g[19, 2].style.reverse && !g[0, 1].style.reverse)
    }
}

@Suite("Box, Popup, Header, StatusBar, MessageLine")
struct ChromeWidgetTests {
    @Test("a box: title in the top edge, footer at the bottom right, inside untouched")
    func box() {
        var g = xGrid(16, 5)
        Box(title: "Jobs", footer: " 1-2/9 ").render(in: Rect(x: 1, y: 1, width: 14, height: 3), into: &g)
        #expect(
            g.lines == [
                "xxxxxxxxxxxxxxxx", "x┌─ Jobs ─────┐x", "x│xxxxxxxxxxxx│x", "x└───── 1-2/9 ┘x", "xxxxxxxxxxxxxxxx",
            ])
    }

    @Test("a popup scrolls: the window moves, `more` marks say which way there is more, the last page stays full")
    func popup() {
        let lines = (1...10).map { "line \($0)" }
        func draw(_ scroll: Int) -> [String] {
            var g = xGrid(20, 7)
            Popup(title: "T", lines: lines, scroll: scroll).render(in: Rect(x: 0, y: 0, width: 20, height: 7), into: &g)
            return g.lines
        }
        let top = draw(0)
        // A 5-row box centred in 7 rows: border at 1 and 5, three lines between.
        #expect(top[2].contains("line 1 ") && top[4].contains("line 3") && top[5].contains("more ↓"))
        #expect(!top[5].contains("more ↑"))
        let middle = draw(3)
        #expect(middle[2].contains("line 4") && middle[5].contains("more ↑↓"))
        let end = draw(99)
        #expect(end[4].contains("line 10") && end[2].contains("line 8") && !end[5].contains("more ↓"))
        #expect(top[0].hasPrefix("x") && top[6] == String(repeating: "x", count: 20), "outside the popup untouched")
    }

    @Test("the overlay scroll follows ↑↓ PgDn End in the reducer, and stops at the last page")
    func overlayScroll() {
        var s = AppState(tenants: ["t-01"], now: UTCInstant(microseconds: 0))
        _ = reduce(&s, .resized(cols: 80, rows: 24))
        _ = reduce(&s, .key(.char("?")))
        _ = reduce(&s, .key(.down))
        _ = reduce(&s, .key(.down))
        #expect(s.overlayScroll == 2)
        _ = reduce(&s, .key(.end))
        let last = s.helpLines.count - Popup.visibleLines(screenRows: 24)
        #expect(s.overlayScroll == last && last > Keymap.bindings.count, "the help is longer than its keys")
        let help = Screen.render(s, cols: 80, rows: 24).lines.joined(separator: "\n")
        #expect(help.contains("Jobs       tenant id type status"), "the end of the help (the Jobs fields) is reachable")
        #expect(help.contains(":reload") && help.contains("/ query"), "so are the commands and the query language")
        _ = reduce(&s, .key(.char("?")))
        _ = reduce(&s, .key(.char("C")))
        #expect(s.overlayScroll == 0, "another overlay starts at the top")
    }

    @Test("the header and the status bar draw only their line")
    func lines() {
        var s = AppState(tenants: ["t-01", "t-02"], now: UTCInstant(iso8601: "2025-12-08T10:30:00")!)
        s.connections[StreamID("t-01", .alerts)] = ConnectionInfo()
        s.connections[StreamID("t-01", .alerts)]!.state = .live
        var g = xGrid(60, 3)
        Header(s).render(in: Rect(x: 0, y: 1, width: 60, height: 1), into: &g)
        #expect(g.lines[0] == String(repeating: "x", count: 60) && g.lines[2] == g.lines[0])
        #expect(g.lines[1].hasPrefix(" realtime-dash  tenant: all (2)") && g.lines[1].hasSuffix("10:30:00 UTC "))
        g = xGrid(60, 3)
        StatusBar(s).render(in: Rect(x: 0, y: 2, width: 60, height: 1), into: &g)
        #expect(g.lines[1] == String(repeating: "x", count: 60))
        #expect(g.lines[2].hasPrefix("● alerts") && g.lines[2].hasSuffix("10:30:00"))
    }

    @Test("the footer hints come from the keymap, whole hints only")
    func hints() {
        let all = MessageLine.hints(width: 500)
        for h in Keymap.hints { #expect(all.contains("\(h.label) \(h.text)")) }
        #expect(all.hasPrefix(" ? help "))
        let short = MessageLine.hints(width: 20)
        #expect(short == " ? help  Tab/1-6 panes ".prefix(short.count).description && TerminalText.width(short) <= 20)
        #expect(!short.hasSuffix("Tab/1-"), "no hint is cut")
    }
}
