import DashboardCore
import RealtimeProtocol

/// Draws the whole screen: `render(state, size) -> Grid`, composed of widgets. No curses here.
public enum Screen {
    /// Below this the console shows one line saying so.
    public static let minimumSize = (cols: 40, rows: 10)

    public static func render(_ state: AppState, cols: Int, rows: Int, ascii: Bool = false) -> Grid {
        var g = Grid(cols: cols, rows: rows)
        g.ascii = ascii
        guard cols >= minimumSize.cols, rows >= minimumSize.rows else {
            tooSmall(&g)
            return g
        }
        let screen = Rect(x: 0, y: 0, width: cols, height: rows)
        let (top, rest) = screen.splitTop(1)
        let (body, bottom) = rest.splitBottom(2)
        let (message, status) = bottom.splitTop(1)
        Header(state).render(in: top, into: &g)
        let panes = layout(state, body: body)
        for (pane, rect) in panes {
            let focused = state.focus == pane
            let content = state.content(for: pane, limit: PaneWidget.visibleRows(height: rect.height))
            let editing = focused && state.filters[pane] == nil ? state.editingFilter : nil
            PaneWidget(content: content, focused: focused, editing: editing).render(in: rect, into: &g)
        }
        if panes.isEmpty { g.write("(no pane fits)", x: 1, y: body.y, style: Style(.dim)) }
        MessageLine(state).render(in: message, into: &g)
        StatusBar(state).render(in: status, into: &g)
        overlay(state, &g)
        return g
    }

    /// Word-wrapped over the rows there are, so even 10x5 reads as a sentence.
    static func tooSmall(_ g: inout Grid) {
        let text = "terminal too small: \(g.cols)x\(g.rows), needs \(minimumSize.cols)x\(minimumSize.rows); q quits"
        var lines: [String] = [""]
        for w in text.split(separator: " ") {
            if lines[lines.count - 1].isEmpty {
                lines[lines.count - 1] = String(w)
            } else if lines[lines.count - 1].count + 1 + w.count <= g.cols {
                lines[lines.count - 1] += " " + w
            } else {
                lines.append(String(w))
            }
        }
        for (y, line) in lines.prefix(g.rows).enumerated() { g.write(line, x: 0, y: y, style: Style(.warning, bold: true)) }
    }

    /// Which panes, where: all six at 80x24 and up (three columns from 160 wide), four below
    /// that, then the focused pane alone; a zoomed pane takes the whole body.
    static func layout(_ state: AppState, body: Rect) -> [(Pane, Rect)] {
        let cols = body.width, rows = body.height + 3
        if state.zoomed { return [(state.focus, body)] }
        if cols >= 160 && rows >= 24 {
            // Sessions and jobs get the wide bottom row.
            let parts = body.rows([11, 9])
            let top = parts[0].columns([1, 1, 1]), bottom = parts[1].columns([3, 2])
            let right = top[2].rows([1, 1])
            return [
                (.alerts, top[0]), (.onu, top[1]), (.tickets, right[0]), (.subscribers, right[1]), (.sessions, bottom[0]),
                (.jobs, bottom[1]),
            ]
        }
        let order = Pane.readingOrder(cols: cols, rows: rows)
        if cols >= 80 && rows >= 24 {
            return Array(zip(order, body.grid(order.count, columns: 2)))
        }
        if cols >= 60 && rows >= 16 {
            var four = Array(order.prefix(4))
            if !four.contains(state.focus) { four[3] = state.focus }
            return Array(zip(four, body.grid(four.count, columns: 2)))
        }
        return [(state.focus, body)]
    }

    // MARK: Overlays

    static func overlay(_ state: AppState, _ g: inout Grid) {
        switch state.overlay {
        case .none: return
        case .help:
            popup(
                &g, state, title: "Keys (? or Esc closes)",
                lines: state.helpLines.map { $0.label.isEmpty ? $0.text : pad($0.label, 10) + " " + $0.text })
        case .onuList(let scope, let sort, let selected):
            let rows = state.onuList(scope, sort: sort)
            let names = ["status", "serial", "since", "dBm", "subscriber"]
            var header = pad("serial", 18) + pad("status", 10) + pad("since", 10) + pad("dBm", 8) + "subscriber"
            header = header.replacingOccurrences(of: names[sort.rawValue], with: names[sort.rawValue] + "▼")
            let lines =
                [header]
                + rows.map { r in
                    pad(r.serial, 18) + pad(r.onu.status.rawValue, 10) + pad(r.onu.since.timeOfDay, 10)
                        + pad(r.onu.signalDBm.map(Format.decimal1) ?? "-", 8) + (r.onu.subscriber ?? "-")
                }
            Popup(
                title:
                    "\(scope) \(scope.tenant): \(rows.count) ONUs (↑↓, s sorts, Enter: subscriber's sessions and tickets, Esc)",
                lines: lines, scroll: state.overlayScroll, highlight: selected + 1
            ).render(in: Rect(x: 0, y: 0, width: g.cols, height: g.rows), into: &g)
        case .detail(let title, let text):
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if state.focus == .sessions, let t = state.sessionTrend, state.sessions[t.key] == nil,
                title.contains(t.key.id) || text.contains(t.key.id)
            {
                lines =
                    ["session ended: it is no longer in the sessions table (below: the event shown when this opened)", ""] + lines
            } else if state.focus == .sessions, let t = state.sessionTrend, state.sessions[t.key] != nil {
                // The session's bit rate, live, since its detail was first opened.
                let n = t.bitsIn.count
                lines =
                    [
                        "bit rate in  " + Sparkline.text(t.bitsIn, width: 40, ascii: g.ascii) + " "
                            + Format.bits((t.bitsIn.last ?? 0) / 8) + " now",
                        "bit rate out " + Sparkline.text(t.bitsOut, width: 40, ascii: g.ascii) + " "
                            + Format.bits((t.bitsOut.last ?? 0) / 8) + " now",
                        "(\(n) update\(n == 1 ? "" : "s") since \(t.since.timeOfDay) UTC, when this detail was first opened)", "",
                    ] + lines
            }
            popup(&g, state, title: title + " (Esc closes)", lines: lines)
        case .connections:
            var lines = [
                pad("tenant", 7) + pad("endpoint", 17) + pad("state", 24) + pad("latency", 11) + pad("ev/s", 6) + pad("events", 8)
                    + pad("last", 7) + pad("retries", 8) + pad("bad", 5) + "last error"
            ]
            // Problems first (auth, gave up, retry, stale, connecting), then live, then stopped;
            // job sockets that closed because their job finished are one line at the end.
            var finished = 0
            let shown = state.connections.filter { id, c in
                guard state.shows(id.tenant) else { return false }
                if c.state == .stopped(reason: .jobFinished) {
                    finished += 1
                    return false
                }
                return true
            }
            let order = shown.keys.sorted {
                let a = StatusBar.severity(shown[$0]!.state), b = StatusBar.severity(shown[$1]!.state)
                return a != b ? a > b : $0 < $1
            }
            for id in order {
                let c = state.connections[id]!
                let (symbol, word, _) = StatusBar.badge(c.state, ascii: g.ascii, now: state.now)
                let age = c.lastEventAt.map { "\(max(0, (state.now.microseconds - $0.microseconds) / 1_000_000))s" } ?? "-"
                lines.append(
                    pad(id.tenant, 7) + pad(id.endpoint.name, 17) + pad("\(symbol) \(word.isEmpty ? "live" : word)", 24)
                        + pad(StatusBar.latency(c.latencyMs, id.endpoint) ?? "-", 11) + pad("\(c.eventsPerSecond)", 6)
                        + pad("\(c.events)", 8)
                        + pad(age, 7) + pad("\(c.retries)", 8) + pad("\(c.malformed)", 5) + (c.lastError ?? ""))
                if let trend = trendLine(c, id.endpoint, ascii: g.ascii) { lines.append(trend) }
                if case .stopped(let reason) = c.state { lines.append("       \(reason)") }
                if case .gaveUp(let reason) = c.state { lines.append("       \(reason)") }
            }
            if finished > 0 {
                lines.append("\(finished) finished job socket\(finished == 1 ? "" : "s") (closed when their job ended)")
            }
            lines.append("")
            lines.append(
                "dropped \(state.dropped)  coalesced \(state.coalesced)  malformed \(state.malformed)  unknown event types \(state.unknownEvents)"
            )
            for n in state.notices { lines.append("! " + n.full) }
            if state.insecureTLS { lines.append("! TLS certificate verification is OFF (--insecure-skip-tls-verify)") }
            popup(&g, state, title: "Connections (C or Esc closes, R reconnects all)", lines: lines)
        case .confirmCancel(let tenant, let endpoint, let id, let type):
            let what = if case .campaign = endpoint { "campaign" } else { "job" }
            popup(
                &g, state, title: "Confirm",
                lines: ["Cancel \(what) \(id)", "type \(type), tenant \(tenant)?", "", "y: cancel it    n / Esc: keep it"])
        }
    }

    /// Under a stream in the C panel: its events a second over the last minute, and its
    /// latencies (ping round trips, or times to first byte of its connects), labelled.
    static func trendLine(_ c: ConnectionInfo, _ endpoint: Endpoint, ascii: Bool) -> String? {
        guard c.rateTrend.count > 1 || c.latencyTrend.count > 1 else { return nil }
        var line = "       "
        if c.rateTrend.count > 1 {
            let top = c.rateTrend.compactMap { $0 }.max() ?? 0
            line +=
                "ev/s " + Sparkline.text(c.rateTrend.map { $0.map(Double.init) }, width: ConnectionInfo.trendLength, ascii: ascii)
            // Samples, not seconds: a replay's faster clock rolls one over several recorded seconds.
            line += " (last \(c.rateTrend.count), max \(top)/s)"
        }
        if c.latencyTrend.count > 1 {
            let top = Int((c.latencyTrend.max() ?? 0).rounded())
            let what = endpoint.kind == .sse ? "ttfb per connect" : "ping rtt"
            line += "   \(what) " + Sparkline.text(c.latencyTrend, width: 30, ascii: ascii) + " (max \(top)ms)"
        }
        return line
    }

    static func popup(_ g: inout Grid, _ state: AppState, title: String, lines: [String]) {
        Popup(title: title, lines: lines, scroll: state.overlayScroll)
            .render(in: Rect(x: 0, y: 0, width: g.cols, height: g.rows), into: &g)
    }

    static func pad(_ s: String, _ n: Int) -> String {
        let w = TerminalText.width(s)
        return w >= n ? TerminalText.truncate(s, to: n - 1) + " " : s + String(repeating: " ", count: n - w)
    }
}
