import DashboardCore
import RealtimeProtocol

/// The top line: name, tenant filter, freeze, standing warnings, the loss counters and the clock.
public struct Header: Widget {
    public var state: AppState

    public init(_ state: AppState) { self.state = state }

    public func render(in area: Rect, into g: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let y = area.y
        g.fill(x: area.x, y: y, width: area.width, height: 1, style: Style(.header, reverse: true))
        var used = g.write(
            " realtime-dash ", x: area.x, y: y, maxWidth: area.width, style: Style(.header, bold: true, reverse: true))
        if let replay = state.replay {
            // Before anything else: what follows is a recording, not the network now.
            used += g.write(
                replay.paused ? " REPLAY (paused) " : " REPLAY ", x: area.x + used, y: y, maxWidth: max(0, area.width - used),
                style: Style(.frozen, bold: true, reverse: true))
        }
        if let profile = state.profile {
            // The profile's name in its own colour: prod and lab never look alike.
            let role = Theme.accentRole(state.accent)
            used += g.write(
                " \(profile) ", x: area.x + used, y: y, maxWidth: max(0, area.width - used),
                style: Style(role, bold: true, reverse: role == .header))
        }
        var left = " tenant: \(state.tenantFilter ?? "all (\(state.tenants.count))")"
        if let f = state.frozen { left += "  FROZEN +\(f.eventsSince)" }
        used += g.write(
            left, x: area.x + used, y: y, maxWidth: max(0, area.width - used), style: Style(.header, bold: true, reverse: true))
        if state.readOnly != nil {
            // Said in words: an operator must know before pressing c that nothing will be sent.
            used += g.write(
                "  read-only ", x: area.x + used, y: y, maxWidth: max(0, area.width - used),
                style: Style(.warning, bold: true, reverse: true))
        }
        let link = state.connectivity
        if !state.connections.isEmpty && !link.anyLive {
            // Not by colour alone: the word says it, in the loudest role.
            let text = link.everLive ? "  DISCONNECTED " : "  CONNECTING… "
            used += g.write(
                text, x: area.x + used, y: y, maxWidth: max(0, area.width - used),
                style: Style(link.everLive ? .critical : .warning, bold: true, reverse: true))
        }
        if state.insecureTLS {
            // Never hidden: certificate verification is off for every connection.
            used += g.write(
                "  TLS NOT VERIFIED ", x: area.x + used, y: y, maxWidth: max(0, area.width - used),
                style: Style(.critical, bold: true, reverse: true))
        }
        if var summary = state.summary {
            // What an operator reads first: outages, critical groups, flapping; the outages only
            // counted when naming them does not fit.
            let room = area.width - used - 16
            if TerminalText.width(summary) + 3 > room, let short = state.summary(naming: false) { summary = short }
            if room > 12 {
                used += g.write(
                    "  " + summary + " ", x: area.x + used, y: y, maxWidth: room,
                    style: Style(.critical, bold: true, reverse: true))
            }
        }
        if let notice = state.notices.first {
            // The first standing warning, as much as fits beside the clock (all of them in the C panel).
            let room = area.width - used - 16
            if room > 12 {
                let text = "  ! " + notice.short + (state.notices.count > 1 ? " (+\(state.notices.count - 1), see C)" : "") + " "
                used += g.write(text, x: area.x + used, y: y, maxWidth: room, style: Style(.warning, bold: true, reverse: true))
            }
        }
        var right = ""
        if state.malformed > 0 { right += "malformed \(state.malformed)  " }
        if state.dropped + state.coalesced > 0 { right += "dropped \(state.dropped) coalesced \(state.coalesced)  " }
        // In a replay the clock is the recording's, and says so.
        right += state.replay == nil ? "\(state.now.timeOfDay) UTC " : "recorded \(state.now.timeOfDay) UTC "
        let w = TerminalText.width(right)
        if used + w + 1 <= area.width { g.write(right, x: area.maxX - w, y: y, style: Style(.header, reverse: true)) }
        // The events a second of every shown stream over the last minute, when it fits.
        // (Summed only when there is room for it: with 700 streams that is 42,000 additions.)
        let trend = used + w + 32 <= area.width ? state.totalRateTrend : []
        if trend.compactMap({ $0 }).count >= 3 {
            let now = trend.last.flatMap { $0 }.map { "\(Int($0))/s" } ?? "?/s"
            let spark = Sparkline.text(trend, width: 20, ascii: g.ascii)
            let text = "ev " + spark + " " + now + "  "
            let tw = TerminalText.width(text)
            g.write(text, x: area.maxX - w - tw, y: y, style: Style(.header, reverse: true))
        }
    }
}

/// The line above the status bar: the filter prompt, a flash message, or the key hints (made
/// from the keymap, as many whole hints as fit).
public struct MessageLine: Widget {
    public var state: AppState

    public init(_ state: AppState) { self.state = state }

    public func render(in area: Rect, into g: inout Grid) {
        guard area.height > 0, area.width > 0 else { return }
        let y = area.y
        if let prompt = state.ackPrompt {
            g.write(
                "ack \(prompt.target): note \(prompt.text)▏  (Enter acks, Esc drops; end with 'for 4h' to lapse)", x: area.x + 1,
                y: y, maxWidth: area.width - 1, style: Style(.info, bold: true))
        } else if let prompt = state.commandLine {
            var line = ":\(prompt.text)▏"
            if !prompt.candidates.isEmpty {
                line += "   " + prompt.candidates.joined(separator: "  ")
            } else if prompt.text.isEmpty {
                line += "   (Tab completes, ↑↓ history, Enter runs, Esc drops; :help lists commands)"
            }
            g.write(line, x: area.x + 1, y: y, maxWidth: area.width - 1, style: Style(.info, bold: true))
        } else if let editing = state.editingFilter, let error = state.filterError {
            // The reason first after the text: it is what must stay in sight on a narrow screen.
            let shown = state.filters[state.focus].map { "showing /\($0)" } ?? "showing all"
            g.write(
                "filter \(state.focus.title): \(editing)▏  ✖ \(error) (\(shown))", x: area.x + 1, y: y,
                maxWidth: area.width - 1, style: Style(.error, bold: true))
        } else if let editing = state.editingFilter {
            g.write(
                "filter \(state.focus.title): \(editing)▏  (Enter keeps, Esc drops; field=value, sev>=error, or, ! inverts; fields in the ? help)",
                x: area.x + 1, y: y, maxWidth: area.width - 1, style: Style(.info, bold: true))
        } else if let flash = state.flash {
            g.fill(x: area.x, y: y, width: area.width, height: 1, style: Style(.flash, reverse: true))
            g.write(" ! " + flash.text, x: area.x, y: y, maxWidth: area.width, style: Style(.flash, bold: true, reverse: true))
        } else {
            g.write(Self.hints(width: area.width, replay: state.replay != nil), x: area.x, y: y, style: Style(.dim))
        }
    }

    /// The replay's keys, first in its hint line (space pauses the replay there, not the view).
    static let replayHints: [(label: String, text: String)] = [
        ("space", "pause"), ("+/-", "speed"), ("]/[", "10 s"), ("g/G", "start/end"),
    ]

    /// ` ? help  Tab/1-6 panes  …`, whole hints only, within `width`.
    public static func hints(width: Int, replay: Bool = false) -> String {
        var line = ""
        let hints = replay ? replayHints + Keymap.hints.filter { $0.label != "space" } : Keymap.hints
        for h in hints {
            let next = line + " \(h.label) \(h.text) "
            if TerminalText.width(next) > width { break }
            line = next
        }
        return line
    }
}
