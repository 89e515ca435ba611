import DashboardCore
import RealtimeProtocol

/// Draws the whole screen: `render(state, size) -> Grid`. No curses here.
public enum Screen {
    /// Below this the console shows one line saying so.
    public static let minimumSize = (cols: 40, rows: 10)

    public static func render(_ state: AppState, cols: Int, rows: Int, ascii: Bool = false) -> Grid {
        var g = Grid(cols: cols, rows: rows)
        g.ascii = ascii
        guard cols >= minimumSize.cols, rows >= minimumSize.rows else {
            // Word-wrapped over the rows there are, so even 10x5 reads as a sentence.
            let words = "terminal too small: \(cols)x\(rows), needs \(minimumSize.cols)x\(minimumSize.rows); q quits".split(
                separator: " ")
            var lines: [String] = [""]
            for w in words {
                if lines[lines.count - 1].isEmpty {
                    lines[lines.count - 1] = String(w)
                } else if lines[lines.count - 1].count + 1 + w.count <= cols {
                    lines[lines.count - 1] += " " + w
                } else {
                    lines.append(String(w))
                }
            }
            for (y, line) in lines.prefix(rows).enumerated() { g.write(line, x: 0, y: y, style: Style(.warning, bold: true)) }
            return g
        }
        header(state, &g)
        let bodyTop = 1
        let panes = layout(state, cols: cols, rows: rows)
        for (pane, rect) in panes {
            drawPane(state, pane, &g, x: rect.x, y: bodyTop + rect.y, width: rect.w, height: rect.h)
        }
        if panes.isEmpty { g.write("(no pane fits)", x: 1, y: bodyTop, style: Style(.dim)) }
        messageLine(state, &g, y: rows - 2)
        statusBar(state, &g, y: rows - 1)
        overlay(state, &g)
        return g
    }

    struct Rect { var x, y, w, h: Int }

    /// Which panes, where: all six at 80x24 and up (three columns from 160 wide), four below
    /// that, then the focused pane alone; a zoomed pane takes the whole body.
    static func layout(_ state: AppState, cols: Int, rows: Int) -> [(Pane, Rect)] {
        let h = rows - 3
        if state.zoomed { return [(state.focus, Rect(x: 0, y: 0, w: cols, h: h))] }
        func grid(_ panes: [Pane], columns: Int) -> [(Pane, Rect)] {
            let lines = (panes.count + columns - 1) / columns
            var out: [(Pane, Rect)] = []
            for (i, p) in panes.enumerated() {
                let c = i % columns, r = i / columns
                let x0 = cols * c / columns, x1 = cols * (c + 1) / columns
                let y0 = h * r / lines, y1 = h * (r + 1) / lines
                out.append((p, Rect(x: x0, y: y0, w: x1 - x0, h: y1 - y0)))
            }
            return out
        }
        if cols >= 160 && rows >= 24 {
            // Sessions and jobs get the wide bottom row.
            let top = h * 11 / 20
            let third = cols / 3
            return [
                (.alerts, Rect(x: 0, y: 0, w: third, h: top)), (.onu, Rect(x: third, y: 0, w: third, h: top)),
                (.tickets, Rect(x: 2 * third, y: 0, w: cols - 2 * third, h: top / 2)),
                (.subscribers, Rect(x: 2 * third, y: top / 2, w: cols - 2 * third, h: top - top / 2)),
                (.sessions, Rect(x: 0, y: top, w: cols * 3 / 5, h: h - top)),
                (.jobs, Rect(x: cols * 3 / 5, y: top, w: cols - cols * 3 / 5, h: h - top)),
            ]
        }
        if cols >= 80 && rows >= 24 { return grid([.alerts, .onu, .sessions, .jobs, .tickets, .subscribers], columns: 2) }
        if cols >= 60 && rows >= 16 {
            var four: [Pane] = [.alerts, .sessions, .jobs, .onu]
            if !four.contains(state.focus) { four[3] = state.focus }
            return grid(four, columns: 2)
        }
        return [(state.focus, Rect(x: 0, y: 0, w: cols, h: h))]
    }

    static func header(_ state: AppState, _ g: inout Grid) {
        g.fill(x: 0, y: 0, width: g.cols, height: 1, style: Style(.header, reverse: true))
        var left = " realtime-dash  tenant: \(state.tenantFilter ?? "all (\(state.tenants.count))")"
        if let f = state.frozen { left += "  FROZEN +\(f.eventsSince)" }
        var used = g.write(left, x: 0, y: 0, style: Style(.header, bold: true, reverse: true))
        if state.insecureTLS {
            // Never hidden: certificate verification is off for every connection.
            used += g.write(
                "  TLS NOT VERIFIED ", x: used, y: 0, maxWidth: max(0, g.cols - used),
                style: Style(.critical, bold: true, reverse: true))
        }
        if let notice = state.notices.first {
            // The first standing warning, as much as fits beside the clock (all of them in the C panel).
            let room = g.cols - used - 16
            if room > 12 {
                let text = "  ! " + notice + (state.notices.count > 1 ? " (+\(state.notices.count - 1), see C)" : "") + " "
                used += g.write(text, x: used, y: 0, maxWidth: room, style: Style(.warning, bold: true, reverse: true))
            }
        }
        var right = ""
        if state.malformed > 0 { right += "malformed \(state.malformed)  " }
        if state.dropped + state.coalesced > 0 { right += "dropped \(state.dropped) coalesced \(state.coalesced)  " }
        right += "\(state.now.timeOfDay) UTC "
        let w = TerminalText.width(right)
        if used + w + 1 <= g.cols { g.write(right, x: g.cols - w, y: 0, style: Style(.header, reverse: true)) }
    }

    static func drawPane(_ state: AppState, _ pane: Pane, _ g: inout Grid, x: Int, y: Int, width: Int, height: Int) {
        guard width >= 10, height >= 3 else { return }
        let focused = state.focus == pane
        let visible = max(0, height - 3)
        let content = state.content(for: pane, limit: visible)
        var title = "\(pane.rawValue + 1) \(content.title)"
        if let editing = state.editingFilter, focused, state.filters[pane] == nil { title += " /\(editing)▏" }
        g.box(x: x, y: y, width: width, height: height, title: title, focused: focused)
        // One column on the left for the selection marker (visible without colour).
        let inner = width - 3
        let widths = columnWidths(content.columns, inner)
        // Column headers.
        var cx = x + 2
        for (i, c) in content.columns.enumerated() where widths[i] > 0 {
            cell(c.title, &g, x: cx, y: y + 1, width: widths[i], right: c.rightAligned, style: Style(.dim, bold: true))
            cx += widths[i] + 1
        }
        if content.rows.isEmpty {
            g.write(
                content.total == 0 ? "waiting for events…" : "no row matches the filter", x: x + 2, y: y + 2, maxWidth: inner - 2,
                style: Style(.dim))
        }
        for (r, row) in content.rows.enumerated() where r < visible {
            let yy = y + 2 + r
            let selected = focused && content.selectedIndex == r
            var style = Style(role(row.tone), bold: row.tone == .critical)
            if selected {
                style = Style(.selected, bold: true, reverse: true)
                g.fill(x: x + 1, y: yy, width: inner + 1, height: 1, style: style)
                g.write(g.ascii ? ">" : "▸", x: x + 1, y: yy, style: style)
            }
            var cx = x + 2
            for (i, c) in content.columns.enumerated() where widths[i] > 0 && i < row.cells.count {
                cell(row.cells[i], &g, x: cx, y: yy, width: widths[i], right: c.rightAligned, style: style)
                cx += widths[i] + 1
            }
        }
        // Position indicator when there is more than fits.
        if content.matched > content.rows.count, width > 20 {
            let pos = " \(content.offset + 1)-\(content.offset + content.rows.count)/\(content.matched) "
            g.write(pos, x: x + width - 1 - TerminalText.width(pos), y: y + height - 1, style: Style(.dim))
        }
    }

    /// Column widths for `available` columns: minimums first (dropping trailing columns that do
    /// not fit), then the rest to the flexible columns.
    static func columnWidths(_ columns: [Column], _ available: Int) -> [Int] {
        var widths = columns.map(\.width)
        var total = widths.reduce(0, +) + max(0, columns.count - 1)
        var i = columns.count - 1
        while total > available && i > 0 {
            if !columns[i].flexible || widths.filter({ $0 > 0 }).count > 1 {
                total -= widths[i] + 1
                widths[i] = 0
            }
            i -= 1
        }
        if total > available, let first = widths.indices.first {
            widths[first] = max(1, widths[first] - (total - available)); total = available
        }
        let flexible = columns.indices.filter { columns[$0].flexible && widths[$0] > 0 }
        if !flexible.isEmpty, total < available {
            let extra = available - total
            for (k, idx) in flexible.enumerated() { widths[idx] += extra / flexible.count + (k < extra % flexible.count ? 1 : 0) }
        }
        return widths
    }

    static func cell(_ text: String, _ g: inout Grid, x: Int, y: Int, width: Int, right: Bool, style: Style) {
        let t = TerminalText.truncate(TerminalText.sanitize(text), to: width)
        let w = TerminalText.width(t)
        g.write(t, x: right ? x + width - w : x, y: y, maxWidth: width, style: style)
    }

    static func role(_ tone: Tone) -> Role {
        switch tone {
        case .normal: .normal
        case .dim: .dim
        case .good: .good
        case .info: .info
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }

    static func messageLine(_ state: AppState, _ g: inout Grid, y: Int) {
        if let editing = state.editingFilter {
            g.write(
                "filter \(state.focus.title): \(editing)▏  (Enter keeps, Esc drops, ! inverts)", x: 1, y: y,
                style: Style(.info, bold: true))
        } else if let flash = state.flash {
            g.fill(x: 0, y: y, width: g.cols, height: 1, style: Style(.flash, reverse: true))
            g.write(" ! " + flash.text, x: 0, y: y, style: Style(.flash, bold: true, reverse: true))
        } else {
            g.write(
                " ? help  Tab/1-6 panes  / filter  t tenant  space freeze  Enter detail  C connections  q quit", x: 0, y: y,
                style: Style(.dim))
        }
    }

    /// Symbol, word and colour for a state; readable without colour.
    static func badge(_ s: ConnectionState, ascii: Bool, now: UTCInstant) -> (String, String, Role) {
        switch s {
        case .live: return (ascii ? "*" : "●", "", .statusLive)
        case .connecting: return (ascii ? "~" : "◌", "connecting", .statusConnecting)
        case .stale: return (ascii ? "!" : "◍", "stale", .statusBackoff)
        case .backingOff(let attempt, let at, _):
            let secs = max(0, Int(((at.microseconds - now.microseconds) + 999_999) / 1_000_000))
            return (ascii ? "~" : "◌", "retry \(secs)s (#\(attempt))", .statusBackoff)
        case .authFailed: return (ascii ? "x" : "✖", "auth", .statusFailed)
        case .gaveUp: return (ascii ? "x" : "✖", "gave up", .statusFailed)
        case .stopped: return (ascii ? "-" : "■", "stopped", .statusStopped)
        }
    }

    static func severity(_ s: ConnectionState) -> Int {
        switch s {
        case .live: 0
        case .connecting: 2
        case .stale, .backingOff: 3
        case .stopped: 1
        case .authFailed, .gaveUp: 4
        }
    }

    static func shortName(_ e: Endpoint) -> String {
        switch e {
        case .onuStatus: "onu"
        case .radiusSessions: "radius"
        case .subscribers: "subs"
        case .wsSessions: "ws"
        default: e.name
        }
    }

    /// One entry per endpoint, aggregated over the shown tenants (the worst state wins, the
    /// slowest latency is shown); job and campaign sockets as a live count.
    static func statusBar(_ state: AppState, _ g: inout Grid, y: Int) {
        var byEndpoint: [Endpoint: [ConnectionInfo]] = [:]
        var jobSockets = (live: 0, total: 0)
        for (id, info) in state.connections where state.shows(id.tenant) {
            switch id.endpoint {
            case .job, .campaign:
                jobSockets.total += 1
                if info.state == .live { jobSockets.live += 1 }
            default:
                byEndpoint[id.endpoint, default: []].append(info)
            }
        }
        // Full names with latency; if that does not fit, short names; then without latency.
        let endpoints = byEndpoint.keys.sorted()
        func entries(short: Bool, latency: Bool) -> [(String, Role, Bool)] {
            endpoints.map { endpoint in
                let infos = byEndpoint[endpoint]!
                let worst = infos.max { severity($0.state) < severity($1.state) }!
                let (symbol, word, role) = badge(worst.state, ascii: g.ascii, now: state.now)
                var text = "\(symbol) \(short ? shortName(endpoint) : endpoint.name)"
                if word.isEmpty {
                    if latency, let ms = infos.compactMap(\.latencyMs).max() { text += " \(Int(ms.rounded()))ms" }
                } else {
                    text += " \(word)"
                }
                return (text, role, worst.state != .live)
            }
        }
        // Right: the freeze badge, the tenant filter and the clock; reserved first, then the
        // endpoints take the most detailed form that fits what is left.
        var right: [(String, Style)] = []
        if state.frozen != nil { right.append(("FROZEN", Style(.frozen, bold: true, reverse: true))) }
        if let t = state.tenantFilter { right.append(("tenant \(t)", Style(.info, bold: true))) }
        right.append((state.now.timeOfDay, Style(.dim)))
        let jobsText = jobSockets.total > 0 ? "jobs \(jobSockets.live)/\(jobSockets.total)" : ""
        func width(_ items: [(String, Role, Bool)]) -> Int {
            items.reduce(0) { $0 + TerminalText.width($1.0) + 2 } + (jobsText.isEmpty ? 0 : jobsText.count + 2)
        }
        var chosen = entries(short: false, latency: true)
        while true {
            let room = g.cols - right.reduce(0, { $0 + TerminalText.width($1.0) + 1 })
            for (short, latency) in [(true, true), (true, false)] where width(chosen) > room {
                chosen = entries(short: short, latency: latency)
            }
            if width(chosen) <= room || right.count <= 1 { break }
            right.removeLast()
            chosen = entries(short: false, latency: true)
        }
        var x = 0
        for (text, role, bold) in chosen {
            let w = TerminalText.width(text)
            guard x + w <= g.cols else { break }
            g.write(text, x: x, y: y, style: Style(role, bold: bold))
            x += w + 2
        }
        if !jobsText.isEmpty, x + jobsText.count <= g.cols {
            x += g.write(jobsText, x: x, y: y, style: Style(.dim)) + 2
        }
        while !right.isEmpty && x + right.reduce(0, { $0 + TerminalText.width($1.0) + 1 }) - 1 > g.cols { right.removeLast() }
        var rx = g.cols - right.reduce(0, { $0 + TerminalText.width($1.0) + 1 }) + 1
        for (text, style) in right {
            rx += g.write(text, x: rx, y: y, style: style) + 1
        }
    }

    // MARK: Overlays

    static func overlay(_ state: AppState, _ g: inout Grid) {
        switch state.overlay {
        case .none: return
        case .help:
            var lines = Keymap.bindings.map { b in (b.label, b.help) }
            lines.append(("", ""))
            lines.append(("status", "● live  ◌ connecting/retry  ◍ stale  ✖ auth/gave up  ■ stopped"))
            popup(&g, title: "Keys (? or Esc closes)", lines: lines.map { $0.0.isEmpty ? $0.1 : pad($0.0, 10) + " " + $0.1 })
        case .detail(let title, let text):
            popup(
                &g, title: title + " (Esc closes)",
                lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        case .connections:
            var lines = [
                pad("tenant", 7) + pad("endpoint", 17) + pad("state", 24) + pad("latency", 9) + pad("ev/s", 6) + pad("events", 8)
                    + pad("last", 7) + pad("retries", 8) + pad("bad", 5) + "last error"
            ]
            for id in state.connections.keys.sorted() where state.shows(id.tenant) {
                let c = state.connections[id]!
                let (symbol, word, _) = badge(c.state, ascii: g.ascii, now: state.now)
                let age = c.lastEventAt.map { "\(max(0, (state.now.microseconds - $0.microseconds) / 1_000_000))s" } ?? "-"
                lines.append(
                    pad(id.tenant, 7) + pad(id.endpoint.name, 17) + pad("\(symbol) \(word.isEmpty ? "live" : word)", 24)
                        + pad(c.latencyMs.map { "\(Int($0.rounded()))ms" } ?? "-", 9) + pad("\(c.eventsPerSecond)", 6)
                        + pad("\(c.events)", 8)
                        + pad(age, 7) + pad("\(c.retries)", 8) + pad("\(c.malformed)", 5) + (c.lastError ?? ""))
                if case .stopped(let reason) = c.state { lines.append("       \(reason)") }
                if case .gaveUp(let reason) = c.state { lines.append("       \(reason)") }
            }
            lines.append("")
            lines.append(
                "dropped \(state.dropped)  coalesced \(state.coalesced)  malformed \(state.malformed)  unknown event types \(state.unknownEvents)"
            )
            for n in state.notices { lines.append("! " + n) }
            if state.insecureTLS { lines.append("! TLS certificate verification is OFF (--insecure-skip-tls-verify)") }
            popup(&g, title: "Connections (C or Esc closes, R reconnects all)", lines: lines)
        case .confirmCancel(let tenant, let endpoint, let id, let type):
            let what = if case .campaign = endpoint { "campaign" } else { "job" }
            popup(
                &g, title: "Confirm",
                lines: ["Cancel \(what) \(id)", "type \(type), tenant \(tenant)?", "", "y: cancel it    n / Esc: keep it"])
        }
    }

    static func popup(_ g: inout Grid, title: String, lines: [String]) {
        let w = min(g.cols - 2, max(TerminalText.width(title) + 6, (lines.map { TerminalText.width($0) }.max() ?? 0) + 4))
        let h = min(g.rows - 2, lines.count + 2)
        let x = (g.cols - w) / 2, y = (g.rows - h) / 2
        g.fill(x: x, y: y, width: w, height: h, style: Style(.overlay))
        g.box(x: x, y: y, width: w, height: h, title: title, focused: true)
        for (i, line) in lines.prefix(h - 2).enumerated() {
            g.write(
                TerminalText.truncate(TerminalText.sanitize(line), to: w - 4), x: x + 2, y: y + 1 + i, maxWidth: w - 4,
                style: Style(.overlay))
        }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        let w = TerminalText.width(s)
        return w >= n ? TerminalText.truncate(s, to: n - 1) + " " : s + String(repeating: " ", count: n - w)
    }
}
