import DashboardCore
import RealtimeProtocol

/// How each pane presents its typed rows: columns in reading order with the priority an operator
/// would choose (the most important survive a narrow terminal), the cells, and the title.
public enum PaneView {
    /// The columns of `pane`, left to right. Priorities: higher is kept longer.
    public static func columns(_ pane: Pane) -> [ColumnSpec] {
        switch pane {
        case .alerts:
            // Keep: severity, message, source, time, tenant, type.
            [
                ColumnSpec("sev", priority: 100), ColumnSpec("time", priority: 70),
                ColumnSpec("source", priority: 80, cuttable: true),
                ColumnSpec("message", min: 10, priority: 90, flex: true), ColumnSpec("tenant", priority: 60),
                ColumnSpec("type", priority: 50, cuttable: true),
            ]
        case .onu:
            // Keep: serial, status, OLT/PON, time, dBm, tenant.
            [
                ColumnSpec("time", priority: 70), ColumnSpec("ONU", min: 8, priority: 100), ColumnSpec("status", priority: 90),
                ColumnSpec("OLT/PON", priority: 80), ColumnSpec("dBm", priority: 60, alignment: .right),
                ColumnSpec("tenant", priority: 50), ColumnSpec("event", priority: 40, flex: true),
            ]
        case .tickets:
            [
                ColumnSpec("time", priority: 70), ColumnSpec("number", priority: 100),
                ColumnSpec("title", min: 8, priority: 90, flex: true), ColumnSpec("prio", priority: 80),
                ColumnSpec("status", priority: 85), ColumnSpec("assignee", priority: 50, cuttable: true),
                ColumnSpec("tenant", priority: 40),
                ColumnSpec("event", priority: 60, cuttable: true),
            ]
        case .subscribers:
            [
                ColumnSpec("time", priority: 70), ColumnSpec("name", min: 8, priority: 100, flex: true),
                ColumnSpec("status", priority: 90), ColumnSpec("account", priority: 80),
                ColumnSpec("plan", priority: 50, cuttable: true),
                ColumnSpec("tenant", priority: 40), ColumnSpec("event", priority: 60, cuttable: true),
            ]
        case .sessions:
            [
                ColumnSpec("user", min: 8, priority: 100, flex: true), ColumnSpec("tenant", priority: 40),
                ColumnSpec("in", priority: 90, alignment: .right), ColumnSpec("out", priority: 85, alignment: .right),
                ColumnSpec("rate in", priority: 80, alignment: .right), ColumnSpec("rate out", priority: 75, alignment: .right),
                ColumnSpec("time", priority: 70, alignment: .right), ColumnSpec("framed IP", priority: 60),
                ColumnSpec("NAS", priority: 50, cuttable: true), ColumnSpec("profile", priority: 45, cuttable: true),
            ]
        case .jobs:
            // Keep: type, status, progress, id, counts, last command, current item, tenant.
            [
                ColumnSpec("type", min: 8, priority: 100, cuttable: true), ColumnSpec("id", priority: 85),
                ColumnSpec("status", priority: 95),
                ColumnSpec("progress", priority: 90, cuttable: true), ColumnSpec("done/total", priority: 80, alignment: .right),
                ColumnSpec("ok/fail", priority: 78, alignment: .right),
                ColumnSpec("last command", min: 12, priority: 70, flex: true),
                ColumnSpec("current item", priority: 60, flex: true), ColumnSpec("tenant", priority: 50),
            ]
        }
    }

    /// The index in ``columns(_:)`` of the column a pane is sorted by.
    static func sortColumn(_ pane: Pane, _ column: SortColumn) -> Int? {
        columns(pane).firstIndex { $0.title == column.title }
    }

    /// A row's cells, in the order of ``columns(_:)``.
    public static func cells(_ row: Row) -> [String] {
        switch row.item {
        case .onu(let tenant, let e, let o):
            return [
                e.timestamp.timeOfDay, o.onuSerial, o.status.rawValue,
                [o.oltID, o.ponPort.map(String.init)].compactMap { $0 }.joined(separator: "/"),
                o.signalDBm.map(Format.decimal1) ?? "-", tenant, e.type.rawValue,
            ]
        case .alert(let a):
            // Raised before a gap: it may have cleared while we were away. Cleared: kept a while, dim.
            let message =
                a.clearedAt.map { "cleared \($0.timeOfDay) · " + a.message }
                ?? (a.unverified ? a.message + " [unverified]" : a.message)
            return [severity(a.severity, unverified: a.unverified), a.raisedAt.timeOfDay, a.source, message, a.tenant, a.type]
        case .ticket(let tenant, let e, let t):
            return [
                e.timestamp.timeOfDay, t.ticketNumber, t.title, t.priority, t.status, t.assignedTo ?? "-", tenant,
                e.type.rawValue,
            ]
        case .subscriber(let tenant, let e, let s):
            return [e.timestamp.timeOfDay, s.fullName, s.status, s.accountNumber, s.plan ?? "-", tenant, e.type.rawValue]
        case .session(let s):
            return [
                s.username, s.tenant, Format.bytes(s.bytesIn), Format.bytes(s.bytesOut),
                // A rate is only a rate while updates arrive; a session not heard of since a gap
                // in its stream may have ended: `?`.
                s.unverified ? "?" : s.samples < 2 || row.stale ? "-" : Format.bits(s.rateIn),
                s.unverified ? "?" : s.samples < 2 || row.stale ? "-" : Format.bits(s.rateOut),
                Format.duration(s.sessionTime), s.framedIP ?? "-", s.nas, s.profile ?? "-",
            ]
        case .job(let j):
            let shortID = String(j.id.prefix(8))
            if j.isCampaign {
                return [
                    // The name goes where text may be cut (the last column that flexes), not in
                    // progress: a long name there would push the jobs' progress off the screen.
                    "campaign", shortID, (j.status == .running ? "active" : "inactive") + (j.polled == nil ? "" : " · polled"),
                    "", "", "",
                    commandText(j),
                    j.title ?? j.id, j.tenant,
                ]
            }
            var status = j.unwatched.map { j.status.isTerminal ? j.status.rawValue : "unwatched: \($0)" } ?? j.status.rawValue
            // Followed over REST: said short in the status (a narrow pane keeps it), and why in
            // the last-command column while no command has been given.
            var command = commandText(j)
            if let why = j.polled, !j.status.isTerminal {
                status += " · polled"
                if command.isEmpty { command = "polled (\(why))" }
            }
            // A stalled job's bar gives way to how long nothing moved; only while its feed is
            // live (a stale row cannot know whether progress moved).
            var progress = Format.progressBar(j.progress, width: 8)
            if let still = j.stalledFor, j.unwatched == nil, !row.stale {
                progress =
                    (j.progress.map { Format.fixed0(min(100, max(0, $0))) + "% " } ?? "")
                    + "no progress \(Format.elapsed(still))"
            }
            return [
                j.type, shortID, status, progress,
                "\(Format.count(j.processed))/\(Format.count(j.total))",
                "\(Format.count(j.succeeded))/\(Format.count(j.failed))", command,
                j.errorMessage ?? j.currentItem ?? "", j.tenant,
            ]
        case .alertGroup(let g):
            // The count is short and in front; since when comes after the message, which a narrow
            // pane must not lose to it.
            var message = g.latest.message
            if g.count > 1 { message = "×\(g.count) " + message + " · since \(g.firstSeen.timeOfDay)" }
            if g.flapping { message = "flapping · " + message }
            if !g.isActive { message = "cleared \((g.latest.clearedAt ?? g.lastSeen).timeOfDay) · " + message }
            if g.unverified { message += " [unverified]" }
            return [
                severity(g.severity, unverified: g.unverified), g.lastSeen.timeOfDay, g.key.source, message, g.key.tenant,
                g.key.type,
            ]
        case .gap, .outage:
            return []
        }
    }

    /// `ERROR`, or `ERROR?` for an alert raised before a gap in its stream: the mark stays with
    /// the column a narrow pane keeps, and the message itself is not pushed out by it (the full
    /// word `[unverified]` follows the message where there is room).
    static func severity(_ s: AlertSeverity, unverified: Bool) -> String {
        s.rawValue.uppercased() + (unverified ? "?" : "")
    }

    /// A gap row's text: `── no data 15:26:47–15:27:30 t-01 ──`.
    public static func gapText(_ tenant: String, _ g: Gap, showTenant: Bool) -> String {
        "── no data \(g.from.timeOfDay)–\(g.to.timeOfDay)" + (showTenant && !tenant.isEmpty ? " \(tenant)" : "") + " ──"
    }

    /// An outage as one line, most important first (a narrow pane cuts the end): `OUTAGE
    /// olt-03/11 212/230 ONUs offline since 15:26:47 · 198 subscribers · 31 sessions dropped
    /// (Lost-Carrier) · 4 open tickets · +12/min · were online 200 · +2 alerts (pon_los 2)`.
    public static func outageText(_ o: Outage, tickets: Int, alerts: FoldedAlerts, now: UTCInstant, showTenant: Bool) -> String {
        outageParts(o, tickets: tickets, alerts: alerts, now: now, showTenant: showTenant).joined(separator: " · ")
    }

    /// The parts of ``outageText(_:tickets:alerts:now:showTenant:)``, before they are joined.
    static func outageParts(_ o: Outage, tickets: Int, alerts: FoldedAlerts, now: UTCInstant, showTenant: Bool) -> [String] {
        var scope = o.scope.description
        if o.scope.pon == nil { scope += " (\(o.pons) PONs)" }
        if showTenant { scope += " \(o.scope.tenant)" }
        // Seen before a gap in its stream: `OUTAGE?`, as an alert's `ERROR?` (its ONUs may be back).
        let outage = o.unverified ? "OUTAGE?" : "OUTAGE"
        var parts: [String] = []
        if let end = o.resolvedAt {
            parts.append("resolved \(end.timeOfDay) \(scope): \(o.hitCount) ONUs were offline from \(o.since.timeOfDay)")
        } else if o.recovered > 0 {
            parts.append(
                "\(outage) \(scope) recovering \(o.recovered)/\(o.hitCount), \(o.offlineCount) still offline since \(o.since.timeOfDay)"
            )
        } else {
            parts.append(
                "\(outage) \(scope) \(o.offlineCount)/\(max(o.known, o.offlineCount)) ONUs offline since \(o.since.timeOfDay)")
        }
        parts.append("\(o.subscriberCount) subscribers")
        if !o.stoppedSessions.isEmpty {
            let why = o.stopCauses.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { " (\($0.key))" } ?? ""
            parts.append("\(o.stoppedSessions.count) sessions dropped\(why)")
        }
        if tickets > 0 { parts.append("\(tickets) open tickets") }
        if o.isActive { parts.append("+\(o.rate(at: now))/min") }
        // The commonest first, ties by name (a dictionary's order differs from run to run).
        let causes = o.causes.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(2).map { "\($0.key) \($0.value)" }
        if !causes.isEmpty { parts.append("were " + causes.joined(separator: ", ")) }
        if let folded = alerts.text { parts.append(folded) }
        if o.events > 0 { parts.append("\(o.events) events") }
        return parts
    }

    /// One table line for a row: its cells in its tone, dim while its feed is down.
    static func line(_ row: Row, showTenant: Bool, now: UTCInstant) -> Table.Line {
        if case .gap(let t, let g) = row.item {
            return Table.Line(banner: gapText(t, g, showTenant: showTenant), style: Style(.warning))
        }
        if case .outage(let o, let tickets, let alerts) = row.item {
            // Acknowledged: still there, but no longer shouting.
            let style = row.stale || !o.isActive ? Style(.dim) : row.ack != nil ? Style(.warning) : Style(.critical, bold: true)
            // What it is comes first; the acknowledgement right after, then the rest.
            var parts = outageParts(o, tickets: tickets, alerts: alerts, now: now, showTenant: showTenant)
            var marks: [String] = []
            if let ack = row.ack { marks.append(ack.label) }
            if row.silenced { marks.append("silenced") }
            parts.insert(contentsOf: marks, at: min(1, parts.count))
            let text = parts.joined(separator: " · ")
            return Table.Line(banner: text, style: style)
        }
        var c = cells(row)
        if row.ack != nil || row.silenced, c.count > 3 {
            // The message column says it: `ack` first (a narrow pane keeps it), who and the note after.
            c[3] =
                (row.ack != nil ? "ack · " : "") + (row.silenced ? "silenced · " : "") + c[3]
                + (row.ack.map { " · " + $0.label } ?? "")
            return Table.Line(c, style: row.stale ? Style(.dim) : row.ack != nil ? Style(.normal) : style(row.tone))
        }
        // A session seen before a gap in its stream, not heard of since: dim, as if its feed were down.
        if case .session(let s) = row.item, s.unverified { return Table.Line(c, style: Style(.dim)) }
        return Table.Line(c, style: row.stale ? Style(.dim) : style(row.tone))
    }

    /// What the title says about how current the rows are: `stale 1:23`, `no connection`, or
    /// which tenants are down when only some are.
    static func freshnessText(_ content: PaneContent) -> String? {
        guard !content.freshness.isLive else { return nil }
        let state: String =
            switch content.freshness {
            case .live: ""
            case .stale(let since): "stale \(Format.elapsed((content.asOf.microseconds - since.microseconds) / 1_000_000))"
            case .noConnection: "no connection"
            case .off: "off (204)"
            }
        if content.downTenants.count < content.shownTenants {
            let who = content.downTenants.count == 1 ? content.downTenants[0] : "\(content.downTenants.count) tenants"
            return "\(who) \(state)"
        }
        return state
    }

    /// The pane's title: its number and name, then what it reports (counts, sort, filter).
    ///
    /// With `width` (the pane's), the most detailed form that fits: then the counts compact
    /// (`c0 e4 w1 i0`), the sort dropped, the name short. Freshness and counts are never the part
    /// that is cut.
    public static func title(_ content: PaneContent, editing: String? = nil, width: Int? = nil) -> String {
        let forms = [
            title(content, editing: editing, compact: false, sort: true, shortName: false),
            title(content, editing: editing, compact: true, sort: true, shortName: false),
            title(content, editing: editing, compact: true, sort: false, shortName: false),
            title(content, editing: editing, compact: true, sort: false, shortName: true),
            title(content, editing: editing, compact: true, sort: false, shortName: true, terse: true),
        ]
        guard let width else { return forms[0] }
        return forms.first { TerminalText.width($0) <= width - 6 } ?? forms[forms.count - 1]
    }

    /// A pane's name in a few letters, for a narrow title.
    static func shortName(_ pane: Pane) -> String { pane.shortTitle }

    static func title(
        _ content: PaneContent, editing: String?, compact: Bool, sort showSort: Bool, shortName: Bool, terse: Bool = false
    ) -> String {
        var title = "\(content.pane.rawValue + 1) \(shortName ? Self.shortName(content.pane) : content.pane.title)"
        if let hidden = content.hiddenFinished {
            title += compact ? " (\(hidden) hidden)" : " (\(hidden) finished hidden)"
        }
        // First after the name: what the rest of the title and the rows are worth.
        if let f = freshnessText(content) { title += " " + f }
        if let c = content.severities {
            // While any shown tenant's feed is down the counts cannot be known: `?`, not a false all-clear.
            let n = content.freshness.isLive ? [c.critical, c.error, c.warning, c.info].map(String.init) : ["?", "?", "?", "?"]
            // Terse: counts that cannot be known are one `?`.
            if terse && !content.freshness.isLive {
                title += " ?"
            } else {
                title += compact ? " c\(n[0]) e\(n[1]) w\(n[2]) i\(n[3])" : " crit \(n[0]) err \(n[1]) warn \(n[2]) info \(n[3])"
            }
        }
        if showSort, let sort = content.sort {
            title += " (\(sort.descending ? "▼" : "▲") \(sort.column.label)\(content.sortHeld ? ", held" : ""))"
        }
        // A long filter is shortened: the counts after it are what must stay in sight.
        if !content.filter.isEmpty {
            title += " /\(TerminalText.truncate(content.filter, to: 16)) \(content.matched)/\(content.total)"
        }
        if let editing { title += " /\(editing)▏" }
        return title
    }

    /// A row's look by what it means.
    public static func style(_ tone: Tone) -> Style {
        switch tone {
        case .normal: Style(.normal)
        case .dim: Style(.dim)
        case .good: Style(.good)
        case .info: Style(.info)
        case .warning: Style(.warning)
        case .error: Style(.error)
        case .critical: Style(.critical, bold: true)
        }
    }
}

/// A pane: its box and title, the table of its visible rows, and where the window is.
public struct PaneWidget: Widget {
    public var content: PaneContent
    public var focused: Bool
    /// The filter being typed for this pane, shown in the title until it is kept.
    public var editing: String?

    public init(content: PaneContent, focused: Bool, editing: String? = nil) {
        self.content = content
        self.focused = focused
        self.editing = editing
    }

    /// Table rows that fit in a pane of `height` (border and header take three).
    public static func visibleRows(height: Int) -> Int { max(0, height - 3) }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.width >= 10, area.height >= 3 else { return }
        var footer: String? = nil
        if content.matched > content.rows.count, area.width > 20 {
            footer = " \(content.offset + 1)-\(content.offset + content.rows.count)/\(content.matched) "
        }
        Box(title: PaneView.title(content, editing: editing, width: area.width), focused: focused, footer: footer)
            .render(in: area, into: &grid)
        let inside = Rect(x: area.x + 1, y: area.y + 1, width: area.width - 2, height: area.height - 2)
        var columns = PaneView.columns(content.pane)
        // The sorted column is never the one a narrow pane drops: rows in an order nobody can see
        // would mislead.
        let sorted = content.sort.flatMap { PaneView.sortColumn(content.pane, $0.column) }
        if let sorted { columns[sorted].priority = Int.max }
        var table = Table(
            columns: columns,
            lines: content.rows.map { PaneView.line($0, showTenant: content.shownTenants > 1, now: content.asOf) },
            selected: focused ? content.selectedIndex : nil)
        if let sorted, let sort = content.sort { table.sortMark = (sorted, sort.descending) }
        let spans = table.draw(in: inside, into: &grid)
        // What a click means here: the pane, its column titles, its rows.
        let pane = content.pane
        grid.hotspots.append(.init(rect: area, target: .pane(pane)))
        let sortable = AppState.sortColumns(pane)
        for span in spans {
            let title = columns[span.column].title
            grid.hotspots.append(
                .init(
                    rect: Rect(x: span.x, y: inside.y, width: span.width, height: 1),
                    target: .header(pane, sortable.first { $0.title == title })))
        }
        for (r, row) in content.rows.prefix(max(0, inside.height - 1)).enumerated() {
            grid.hotspots.append(
                .init(rect: Rect(x: inside.x, y: inside.y + 1 + r, width: inside.width, height: 1), target: .row(pane, row.id)))
        }
        if content.rows.isEmpty {
            let empty: String =
                switch content.freshness {
                case _ where content.total > 0: "no row matches the filter"
                case .live: "waiting for events…"
                case .stale: "no data: the stream is down"
                case .noConnection: "not connected"
                case .off: "switched off by the server"
                }
            grid.write(empty, x: inside.x + 1, y: inside.y + 1, maxWidth: inside.width - 2, style: Style(.dim))
        }
    }
}
