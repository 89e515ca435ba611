import DashboardCore
import RealtimeProtocol

/// The bottom line: one entry per endpoint (the worst state over the shown tenants, the slowest
/// latency), the job sockets as a live count, then the freeze badge, tenant filter and clock.
public struct StatusBar: Widget {
    public var state: AppState

    public init(_ state: AppState) { self.state = state }

    public func render(in area: Rect, into g: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let ascii = g.ascii
        var byEndpoint: [Endpoint: [ConnectionInfo]] = [:]
        var jobSockets = (live: 0, total: 0, polled: 0)
        for (id, info) in state.connections where state.shows(id.tenant) {
            switch id.endpoint {
            case .job, .campaign:
                jobSockets.total += 1
                if info.state == .live { jobSockets.live += 1 }
                if case .polled = info.state { jobSockets.polled += 1 }
            default:
                byEndpoint[id.endpoint, default: []].append(info)
            }
        }
        // Full names with latency; if that does not fit, short names; then without latency.
        let endpoints = byEndpoint.keys.sorted()
        func entries(short: Bool, latency: Bool) -> [(String, Role, Bool)] {
            endpoints.map { endpoint in
                let infos = byEndpoint[endpoint]!
                let worst = infos.max { Self.severity($0.state) < Self.severity($1.state) }!
                let (symbol, word, role) = Self.badge(worst.state, ascii: ascii, now: state.now)
                var text = "\(symbol) \(short ? Self.shortName(endpoint) : endpoint.name)"
                if word.isEmpty {
                    if latency, let shown = Self.latency(infos.compactMap(\.latencyMs).max(), endpoint) { text += " " + shown }
                } else {
                    text += " \(word)"
                }
                return (text, role, worst.state != .live)
            }
        }
        // Narrower still: the live endpoints counted, the others named; then only counts.
        func aggregated(brief: Bool) -> [(String, Role, Bool)] {
            var live = 0
            var problems: [(String, Role, Bool)] = []
            for endpoint in endpoints {
                let worst = byEndpoint[endpoint]!.max { Self.severity($0.state) < Self.severity($1.state) }!
                if worst.state == .live {
                    live += 1
                    continue
                }
                let (symbol, word, role) = Self.badge(worst.state, ascii: ascii, now: state.now)
                // Brief: "retry 5s", without the attempt number.
                let said = brief ? String(word.split(separator: " (#").first ?? Substring(word)) : word
                problems.append(("\(symbol) \(Self.shortName(endpoint)) \(said)", role, true))
            }
            let ok =
                live > 0 ? [("\(Self.badge(.live, ascii: ascii, now: state.now).0) \(live) live", Role.statusLive, false)] : []
            return ok + problems
        }
        func counts() -> [(String, Role, Bool)] {
            var tally: [(word: String, symbol: String, role: Role, severity: Int, n: Int)] = []
            for endpoint in endpoints {
                let worst = byEndpoint[endpoint]!.max { Self.severity($0.state) < Self.severity($1.state) }!
                let (symbol, word, role) = Self.badge(worst.state, ascii: ascii, now: state.now)
                let kind = word.isEmpty ? "live" : word.hasPrefix("retry") ? "retry" : word
                if let i = tally.firstIndex(where: { $0.word == kind }) {
                    tally[i].n += 1
                } else {
                    tally.append((kind, symbol, role, Self.severity(worst.state), 1))
                }
            }
            tally.sort { $0.severity < $1.severity }
            guard let worst = tally.last else { return [] }
            // When the next retry is, so a count still says how long the wait is.
            let next = endpoints.compactMap { e -> Int64? in
                guard
                    case .backingOff(_, let at, _) = byEndpoint[e]!.max(by: { Self.severity($0.state) < Self.severity($1.state) }
                    )!.state
                else { return nil }
                return max(0, (at.microseconds - state.now.microseconds + 999_999) / 1_000_000)
            }.min()
            let text = tally.map { t in
                "\(t.symbol) \(t.n) \(t.word)" + (t.word == "retry" ? next.map { ", next in \($0)s" } ?? "" : "")
            }.joined(separator: " · ")
            return [(text, worst.role, worst.severity > 0)]
        }
        // Right: the freeze badge, the tenant filter and the clock. The clock and the job count
        // always show; the endpoints take the most detailed form that fits what is left, and
        // only then do the tenant filter and the freeze badge (both also in the header) go.
        var right: [(String, Style)] = []
        if state.frozen != nil { right.append(("FROZEN", Style(.frozen, bold: true, reverse: true))) }
        if let t = state.tenantFilter { right.append(("tenant \(t)", Style(.info, bold: true))) }
        if let replay = state.replay {
            // The replay's timeline in place of the clock: `REPLAY 03:12:07 ×8 ▕████▒▒▒▒▏`.
            right.append((Self.timeline(replay, ascii: g.ascii, width: area.width), Style(.frozen, bold: true)))
        } else {
            right.append((state.now.timeOfDay, Style(.dim)))
        }
        // Followed over REST is not down: said apart, so `jobs 0/4` does not read as an outage.
        let jobsText =
            jobSockets.total == 0
            ? "" : "jobs \(jobSockets.live)/\(jobSockets.total)" + (jobSockets.polled > 0 ? " (\(jobSockets.polled) polled)" : "")
        func width(_ items: [(String, Role, Bool)]) -> Int { items.reduce(0) { $0 + TerminalText.width($1.0) + 2 } }
        func rightWidth() -> Int {
            right.reduce(0) { $0 + TerminalText.width($1.0) + 1 } + (jobsText.isEmpty ? 0 : jobsText.count + 2)
        }
        // The last resort carries counts by symbol alone (the legend is in the help).
        func symbols() -> [(String, Role, Bool)] {
            guard let (text, role, bold) = counts().first else { return [] }
            let terse = text.split(separator: " · ").map { $0.split(separator: " ").prefix(2).joined() }.joined(separator: " ")
            return [(terse, role, bold)]
        }
        // Made one at a time, most detailed first, and only until one fits (every frame draws this).
        let forms: [() -> [(String, Role, Bool)]] = [
            { entries(short: false, latency: true) }, { entries(short: true, latency: true) },
            { entries(short: true, latency: false) }, { aggregated(brief: false) }, { aggregated(brief: true) }, counts, symbols,
        ]
        var made: [[(String, Role, Bool)]?] = Array(repeating: nil, count: forms.count)
        func form(_ i: Int) -> [(String, Role, Bool)] {
            if let f = made[i] { return f }
            let f = forms[i]()
            made[i] = f
            return f
        }
        var chosen: [(String, Role, Bool)]? = nil
        search: while true {
            for i in forms.indices where width(form(i)) <= area.width - rightWidth() {
                chosen = form(i)
                break search
            }
            if right.count <= 1 { break }
            right.remove(at: right.count - 2)
        }
        let shown = chosen ?? form(forms.count - 1)
        var x = 0
        for (text, role, bold) in shown {
            let w = TerminalText.width(text)
            guard x + w <= area.width - rightWidth() else { break }
            g.write(text, x: area.x + x, y: area.y, style: Style(role, bold: bold))
            x += w + 2
        }
        var rx = area.width - rightWidth() + 1
        if !jobsText.isEmpty {
            rx += g.write(jobsText, x: area.x + rx, y: area.y, style: Style(.dim)) + 2
        }
        for (text, style) in right {
            rx += g.write(text, x: area.x + rx, y: area.y, style: style) + 1
        }
    }

    /// `REPLAY 03:12:07 ×8 ▕████▒▒▒▒▏` (`[####....]` in ASCII), with `paused` or `end`; the bar
    /// narrows, then goes, on a narrow screen.
    public static func timeline(_ r: ReplayStatus, ascii: Bool, width: Int) -> String {
        var text = "REPLAY \(r.position.timeOfDay) \(r.speedText)"
        if r.atEnd { text += " end" } else if r.paused { text += " paused" }
        // Holes in what is shown: frames the recorder could not keep, lines that could not be read.
        if r.lost > 0 { text += " \(r.lost) lost" }
        if r.skipped > 0 { text += " \(r.skipped) bad lines" }
        let cells = width >= 120 ? 16 : width >= 80 ? 8 : 0
        if cells > 0 {
            let filled = Int((r.fraction * Double(cells)).rounded(.down))
            let bar =
                String(repeating: ascii ? "#" : "█", count: filled) + String(repeating: ascii ? "." : "▒", count: cells - filled)
            text += ascii ? " [\(bar)]" : " ▕\(bar)▏"
        }
        return text
    }

    /// A latency that says what it measures: `ttfb 27ms` for SSE (the time to the first byte of
    /// the last connect: not a live round trip), `rtt 3ms` for a WebSocket (its last ping).
    public static func latency(_ ms: Double?, _ endpoint: Endpoint) -> String? {
        guard let ms, ms.isFinite else { return nil }
        return (endpoint.kind == .sse ? "ttfb " : "rtt ") + "\(Int(ms.rounded()))ms"
    }

    /// Symbol, word and colour for a state; readable without colour.
    public static func badge(_ s: ConnectionState, ascii: Bool, now: UTCInstant) -> (String, String, Role) {
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
        case .polled: return (ascii ? "o" : "◐", "polled", .statusConnecting)
        }
    }

    public static func severity(_ s: ConnectionState) -> Int {
        switch s {
        case .live: 0
        case .connecting: 2
        case .stale, .backingOff: 3
        case .stopped, .polled: 1
        case .authFailed, .gaveUp: 4
        }
    }

    public static func shortName(_ e: Endpoint) -> String {
        switch e {
        case .onuStatus: "onu"
        case .radiusSessions: "radius"
        case .subscribers: "subs"
        case .wsSessions: "ws"
        default: e.name
        }
    }

}
