import DashboardCore
import RealtimeProtocol

/// The bottom line: one entry per endpoint (the worst state over the shown tenants, the slowest
/// latency), the job sockets as a live count, then the freeze badge, tenant filter and clock.
public struct StatusBar: Widget {
    public var state: AppState

    public init(_ state: AppState) { self.state = state }

    public func render(in area: Rect, into g: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
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
                let worst = infos.max { Self.severity($0.state) < Self.severity($1.state) }!
                let (symbol, word, role) = Self.badge(worst.state, ascii: g.ascii, now: state.now)
                var text = "\(symbol) \(short ? Self.shortName(endpoint) : endpoint.name)"
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
            let room = area.width - right.reduce(0, { $0 + TerminalText.width($1.0) + 1 })
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
            guard x + w <= area.width else { break }
            g.write(text, x: area.x + x, y: area.y, style: Style(role, bold: bold))
            x += w + 2
        }
        if !jobsText.isEmpty, x + jobsText.count <= area.width {
            x += g.write(jobsText, x: area.x + x, y: area.y, style: Style(.dim)) + 2
        }
        while !right.isEmpty && x + right.reduce(0, { $0 + TerminalText.width($1.0) + 1 }) - 1 > area.width { right.removeLast() }
        var rx = area.width - right.reduce(0, { $0 + TerminalText.width($1.0) + 1 }) + 1
        for (text, style) in right {
            rx += g.write(text, x: area.x + rx, y: area.y, style: style) + 1
        }
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
        }
    }

    public static func severity(_ s: ConnectionState) -> Int {
        switch s {
        case .live: 0
        case .connecting: 2
        case .stale, .backingOff: 3
        case .stopped: 1
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
