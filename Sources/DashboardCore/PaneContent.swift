import Foundation
import RealtimeProtocol

/// How a row should look, by meaning (the renderer maps tones to colours and marks).
public enum Tone: Sendable, Equatable {
    case normal, dim, good, info, warning, error, critical
}

/// What a row is: the entity or event behind it, typed. DashboardRender turns it into cells.
public enum RowItem: Sendable {
    case onu(tenant: String, event: Event, onu: ONUEvent)
    case alert(AlertRow)
    case ticket(tenant: String, event: Event, ticket: TicketEvent)
    case subscriber(tenant: String, event: Event, subscriber: SubscriberEvent)
    case session(SessionRow)
    case job(JobRow)
    /// A time without data in a history pane: the stream was down and nothing is replayed.
    /// `tenant` is "" when every shown tenant had the same gap.
    case gap(tenant: String, Gap)
    /// An outage (ONU and Alerts panes): its open tickets and the alerts folded under it.
    case outage(Outage, tickets: Int, alerts: FoldedAlerts)
    /// Two or more alerts of one tenant, type and source (or one that flaps), as one row.
    case alertGroup(AlertGroup)
}

/// The alerts folded under an outage: how many, and of which types (`dying_gasp`, `pon_los`:
/// what the equipment says the cause is).
public struct FoldedAlerts: Sendable, Equatable {
    public var count = 0
    public var types: [String: Int] = [:]

    public init() {}

    mutating func add(_ type: String) {
        count += 1
        types[type, default: 0] += 1
    }

    /// `+12 alerts (dying_gasp 10, pon_los 2)`: the two commonest types; nil when there are none.
    public var text: String? {
        guard count > 0 else { return nil }
        let top = types.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(2).map { "\($0.key) \($0.value)" }
        let more = types.count > 2 ? ", …" : ""
        return "+\(count) alert\(count == 1 ? "" : "s") (\(top.joined(separator: ", "))\(more))"
    }
}

/// A row's stable name: what it shows, not where it is, so the selection follows it as rows
/// arrive above it.
public enum RowID: Hashable, Sendable {
    /// An alert, a RADIUS session, a job or a campaign.
    case entity(EntityKey)
    /// A history event (ONU, ticket, subscriber): its tenant and ingest sequence number.
    case event(tenant: String, sequence: UInt64)
    /// A gap in a history pane, by its end time in microseconds; tenant "" when every shown
    /// tenant had it.
    case gap(tenant: String, until: Int64)
    case outage(OutageScope)
    case group(AlertGroupKey)

    /// The order of two rows of the same time in a history pane: gaps first, then newer events.
    static func before(_ a: RowID, _ b: RowID) -> Bool {
        func key(_ id: RowID) -> (String, Int, Int64) {
            switch id {
            case .entity(let k): (k.tenant, 0, 0)
            case .outage(let s): (s.tenant, 3, Int64(s.pon ?? -1))
            case .group(let g): (g.tenant, 0, 0)
            case .event(let t, let n): (t, 1, Int64(truncatingIfNeeded: n))
            case .gap(let t, let until): (t, 2, until)
            }
        }
        return key(a) > key(b)
    }
}

public struct Row: Sendable {
    /// Stable: it names the entity, not the row's position (``RowID``).
    public var id: RowID
    public var item: RowItem
    /// What the row means (the renderer maps it to a colour and marks).
    public var tone: Tone
    /// Its tenant's feed for this pane is down: the row may no longer be true (drawn dim, rates `-`).
    public var stale = false
    /// Acknowledged here (alert groups and outages): it sinks below what is not, marked `ack`.
    public var ack: Ack? = nil
    /// Its bell and flash are silenced.
    public var silenced = false

    /// The JSON shown by the detail view: the event (or the job's last event) as received.
    public var detail: [UInt8] {
        switch item {
        case .onu(_, let e, _), .ticket(_, let e, _), .subscriber(_, let e, _): e.raw
        case .alert(let a): a.raw
        case .alertGroup(let g): g.latest.raw
        case .outage(let o, _, _):
            Array(
                #"{"outage":\#(JSONValue.quoted(o.scope.description)),"tenant":\#(JSONValue.quoted(o.scope.tenant)),"since":"\#(o.since)","offline":\#(o.offlineCount),"known":\#(o.known)}"#
                    .utf8)
        case .session(let s): s.raw
        case .job(let j): j.raw
        case .gap(let t, let g):
            Array(
                #"{"gap":{"tenant":"\#(t)","from":"\#(g.from)","to":"\#(g.to)","note":"no data: the stream was down and nothing is replayed"}}"#
                    .utf8)
        }
    }

    /// The row's id as an operator pastes it elsewhere (`Y`): the alert, ONU serial, ticket
    /// number, subscriber, session or job id; `olt-03/11` for an outage; nil for a gap.
    public var idText: String? {
        switch item {
        case .onu(_, _, let o): o.onuSerial
        case .alert(let a): a.id
        case .alertGroup(let g): g.latest.id
        case .ticket(_, _, let t): t.ticketNumber
        case .subscriber(_, _, let s): s.subscriberID
        case .session(let s): s.sessionID
        case .job(let j): j.id
        case .outage(let o, _, _): o.scope.description
        case .gap: nil
        }
    }

    /// The tenant the row belongs to.
    public var tenant: String {
        switch item {
        case .onu(let t, _, _), .ticket(let t, _, _), .subscriber(let t, _, _), .gap(let t, _): t
        case .alert(let a): a.tenant
        case .alertGroup(let g): g.key.tenant
        case .outage(let o, _, _): o.scope.tenant
        case .session(let s): s.tenant
        case .job(let j): j.tenant
        }
    }

    /// A few words naming the row, for the detail view's title.
    public var summary: String {
        switch item {
        case .onu(let t, let e, let o): "\(e.timestamp.timeOfDay) \(o.onuSerial) \(o.status.rawValue) \(t)"
        case .alert(let a): "\(a.severity.rawValue.uppercased()) \(a.raisedAt.timeOfDay) \(a.message)"
        case .alertGroup(let g): "\(g.severity.rawValue.uppercased()) ×\(g.count) \(g.key.source) \(g.key.type)"
        case .outage(let o, _, _): "outage \(o.scope) \(o.scope.tenant) since \(o.since.timeOfDay)"
        case .ticket(_, let e, let t): "\(e.timestamp.timeOfDay) \(t.ticketNumber) \(t.title)"
        case .subscriber(_, let e, let s): "\(e.timestamp.timeOfDay) \(s.fullName) \(s.status)"
        case .session(let s): "\(s.username) \(s.tenant)"
        case .job(let j): "\(j.isCampaign ? "campaign" : j.type) \(j.title ?? j.id) \(j.status.rawValue)"
        case .gap(let t, let g): "no data \(g.from.timeOfDay)–\(g.to.timeOfDay) \(t)"
        }
    }
}

/// Active alerts by severity, for the Alerts title.
public struct SeverityCounts: Sendable, Equatable {
    public var critical = 0, error = 0, warning = 0, info = 0
    public init() {}
    mutating func count(_ s: AlertSeverity) {
        switch s {
        case .critical: critical += 1
        case .error: error += 1
        case .warning: warning += 1
        default: info += 1
        }
    }
}

/// What a pane shows: the visible window of its rows, and what its title reports.
public struct PaneContent: Sendable {
    public var pane: Pane
    /// The rows in the visible window, in order.
    public var rows: [Row]
    /// Index of the selected row within `rows`, if visible.
    public var selectedIndex: Int?
    /// Rows matching the filter, and rows before filtering.
    public var matched: Int
    public var total: Int
    /// Position of the window's first row among the matched rows.
    public var offset: Int
    /// The filter applied ("" for none).
    public var filter: String
    /// Alerts only: the shown tenants' active alerts by severity (not known while the feed is down).
    public var severities: SeverityCounts?
    /// Whether the rows are current, and which shown tenants' feeds are down.
    public var freshness: Freshness = .live
    public var downTenants: [String] = []
    /// How many tenants the pane shows, and the time its freshness is judged at.
    public var shownTenants = 1
    public var asOf = UTCInstant(microseconds: 0)
    /// The sort column and direction (nil: the pane's own order), and whether a lazy sort holds
    /// the rows still now.
    public var sort: (column: SortColumn, descending: Bool)?
    public var sortHeld = false
    /// Jobs only: finished jobs hidden by `x`, and how many.
    public var hiddenFinished: Int?
}

extension AppState {
    /// The rows of `pane`, filtered and ordered, windowed around the selection to `limit` rows.
    ///
    /// - Complexity: O(n) to filter; ordering touches only what is shown: the history panes are
    ///   already in time order, and the sessions table selects its top rows with a bounded heap,
    ///   O(n log k) for k visible rows, instead of sorting 100,000 sessions each frame.
    public func content(for pane: Pane, limit: Int) -> PaneContent {
        let view = self.view
        let filter = filters[pane] ?? ""
        let all = rows(for: pane, view: view, filterText: filter, limit: limit)
        var offset = 0
        var selectedIndex: Int? = nil
        if let sel = selection[pane], let i = all.rows.firstIndex(where: { $0.id == sel }) {
            if i >= limit { offset = i - limit + 1 }
            selectedIndex = i - offset
        }
        let (freshness, down) = freshness(pane)
        // Only the rows on screen are marked.
        let window = markStale(Array(all.rows.dropFirst(offset).prefix(max(0, limit))), down: Set(down))
        var content = PaneContent(
            pane: pane, rows: window, selectedIndex: selectedIndex, matched: all.matchedCount ?? all.rows.count,
            total: all.total, offset: offset, filter: filter)
        (content.freshness, content.downTenants) = (freshness, down)
        content.shownTenants = tenantFilter == nil ? tenants.count : 1
        content.asOf = now
        if pane == .alerts {
            var counts = SeverityCounts()
            for a in view.alertDigest.activeSeverities where shows(a.tenant) { counts.count(a.severity) }
            content.severities = counts
        }
        if pane == .jobs, hideFinishedJobs {
            content.hiddenFinished = view.jobs.values.filter { shows($0.tenant) && !$0.isCampaign && $0.status.isTerminal }.count
        }
        content.sort = sortShown(pane)
        content.sortHeld = activeHold(pane) != nil
        return content
    }

    struct RowSet {
        var rows: [Row]
        var total: Int
        /// Set when `rows` is only the top of a larger matched set.
        var matchedCount: Int?
    }

    /// Ordered row ids of a pane (for moving the selection).
    public func orderedIDs(_ pane: Pane, around limit: Int) -> [RowID] {
        rows(for: pane, view: view, filterText: filters[pane] ?? "", limit: limit).rows.map(\.id)
    }

    /// Marks the rows whose tenant's feed is `down`, and job rows whose own socket is down.
    func markStale(_ rows: [Row], down: Set<String>) -> [Row] {
        var rows = rows
        for i in rows.indices {
            switch rows[i].item {
            case .gap: continue
            case .job(let j):
                // Its own socket down (and not finished) makes a job row stale too.
                let socket = connections[StreamID(j.tenant, j.isCampaign ? .campaign(j.id) : .job(j.id))]?.state
                let socketDown = socket.map { !$0.isCurrent && $0 != .stopped(reason: .jobFinished) } ?? false
                rows[i].stale = down.contains(j.tenant) || (socketDown && !j.status.isTerminal)
            default:
                rows[i].stale = down.contains(rows[i].tenant)
            }
        }
        return rows
    }

    /// The rows of `pane`, filtered, in the pane's chosen order (``sortedRows(_:_:)``).
    func rows(for pane: Pane, view: Snapshot, filterText: String, limit: Int) -> RowSet {
        var set = unsortedRows(for: pane, view: view, filterText: filterText, limit: limit)
        set.rows = sortedRows(pane, set.rows)
        return set
    }

    func unsortedRows(for pane: Pane, view: Snapshot, filterText: String, limit: Int) -> RowSet {
        let matcher = Self.query(filterText) ?? .literal("")
        switch pane {
        case .onu:
            let outages = outageRows(view, matcher)
            let folded = view.outages
            var set = history(
                .onu, view.onuHistory, matcher, limit: limit,
                // The OLT/PON as the pane shows it is searchable too.
                extra: { e in
                    guard case .onu(let o) = e.payload else { return [] }
                    return [[o.oltID, o.ponPort.map(String.init)].compactMap { $0 }.joined(separator: "/")]
                },
                include: { tenant, e in
                    guard case .onu(let o) = e.pointee.payload else { return false }
                    return !folded.folds(tenant: tenant, o, at: e.pointee.timestamp)
                }
            ) { tenant, e in
                guard case .onu(let o) = e.payload else { return nil }
                // An event of an outage is counted on its row, not listed: other PONs stay in sight.
                if folded.folds(tenant: tenant, o, at: e.timestamp) { return nil }
                let tone: Tone =
                    o.status == .offline ? .error : o.status == .degraded ? .warning : o.status == .online ? .good : .normal
                return (.onu(tenant: tenant, event: e, onu: o), tone)
            }
            set.rows = outages + set.rows
            set.total += outages.count
            set.matchedCount = set.matchedCount.map { $0 + outages.count }
            return set
        case .alerts:
            return alertRows(view, matcher, limit: limit)
        case .tickets:
            return history(
                .tickets, view.tickets, matcher, limit: limit,
                include: { _, e in if case .ticket = e.pointee.payload { true } else { false } }
            ) { tenant, e in
                guard case .ticket(let t) = e.payload else { return nil }
                let tone: Tone =
                    ["urgent", "critical", "high"].contains(t.priority.lowercased())
                    ? .warning : e.type == .ticketResolved ? .dim : .normal
                return (.ticket(tenant: tenant, event: e, ticket: t), tone)
            }
        case .subscribers:
            return history(
                .subscribers, view.subscribers, matcher, limit: limit,
                include: { _, e in if case .subscriber = e.pointee.payload { true } else { false } }
            ) { tenant, e in
                guard case .subscriber(let s) = e.payload else { return nil }
                let tone: Tone = e.type == .subscriberTerminated ? .error : e.type == .subscriberSuspended ? .warning : .normal
                return (.subscriber(tenant: tenant, event: e, subscriber: s), tone)
            }
        case .sessions:
            return sessionRows(view.sessions, matcher: matcher, limit: limit)
        case .jobs:
            var total = 0
            var rows: [Row] = []
            for j in view.jobs.values.sorted(by: {
                ($0.isCampaign ? 1 : 0, $0.tenant, $0.id) < ($1.isCampaign ? 1 : 0, $1.tenant, $1.id)
            }) where shows(j.tenant) {
                if hideFinishedJobs && !j.isCampaign && j.status.isTerminal { continue }
                var j = j
                j.stalledFor = j.stalled(at: now)
                total += 1
                // The last command's state is shown in the row, so it is searchable too.
                let extra = [j.tenant, j.id, j.isCampaign ? "campaign" : j.type, j.status.rawValue, commandText(j)]
                guard
                    matcher.matches(
                        key: { SearchKey.make(raw: j.raw, extra: extra) }, field: { RowFields.value($0, of: .job(j)) })
                else { continue }
                let tone: Tone =
                    switch j.status {
                    case .failed: .error
                    case .cancelled: .warning
                    case .completed: .good
                    default: .normal
                    }
                rows.append(Row(id: .entity(.job(j.tenant, j.id)), item: .job(j), tone: tone))
            }
            return RowSet(rows: rows, total: total)
        }
    }

    /// Outage rows of the shown tenants: active ones first (most ONUs offline first), then the
    /// resolved (newest first).
    func outageRows(
        _ view: Snapshot, _ matcher: Query, activeOnly: Bool = false, folded: [OutageScope: FoldedAlerts]? = nil
    ) -> [Row] {
        // Ordered by small keys first, the rows made after: an outage's sets are never moved
        // around by the sort (200 outages of 50,000 ONUs in a storm).
        var order: [(scope: OutageScope, rank: (Int, Int, Int64))] = []
        for (scope, o) in view.outages.outages where shows(scope.tenant) && (o.isActive || !activeOnly) {
            let item = RowItem.outage(o, tickets: 0, alerts: FoldedAlerts())
            guard
                matcher.matches(
                    key: { SearchKey.make(raw: [], extra: ["outage", scope.description, scope.tenant]) },
                    field: { RowFields.value($0, of: item) })
            else { continue }
            let acked = acks.ack(for: AckTarget(scope)) != nil
            // Active and not acknowledged, then active and acknowledged (most ONUs offline first),
            // then resolved (most recent first).
            let rank: (Int, Int, Int64) =
                o.isActive ? (acked ? 1 : 0, -o.offlineCount, 0) : (2, 0, -(o.resolvedAt?.microseconds ?? 0))
            order.append((scope, rank))
        }
        order.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.scope < $1.scope }
        guard !order.isEmpty else { return [] }
        let alertsByOLT = folded ?? foldedAlertCounts(view)
        return order.map { entry in
            let o = view.outages.outages[entry.scope]!
            let alerts =
                o.isActive
                ? alertsByOLT[OutageScope(tenant: o.scope.tenant, olt: o.scope.olt, pon: nil)] ?? FoldedAlerts() : FoldedAlerts()
            var row = Row(
                id: .outage(o.scope), item: .outage(o, tickets: view.outages.tickets(of: o), alerts: alerts),
                tone: o.isActive ? .critical : .dim)
            row.ack = acks.ack(for: AckTarget(o.scope))
            row.silenced = acks.silenced(tenant: o.scope.tenant, olt: o.scope.olt, pon: o.scope.pon)
            return row
        }
    }

    /// Active alerts whose source is an OLT (or a PON of it) in an active outage: folded under
    /// the outage, counted per OLT (keyed with `pon` nil) and by alert type (the cause mix).
    func foldedAlertCounts(_ view: Snapshot) -> [OutageScope: FoldedAlerts] {
        let down = view.outages.oltsInOutage
        guard !down.isEmpty else { return [:] }
        var counts: [OutageScope: FoldedAlerts] = [:]
        for a in view.alertDigest.activeByOLT {
            let scope = OutageScope(tenant: a.tenant, olt: a.olt, pon: nil)
            if down.contains(scope) { counts[scope, default: FoldedAlerts()].add(a.type) }
        }
        return counts
    }

    /// The Alerts pane: outages first (with the alerts folded under them), then alert groups
    /// (one row per tenant × type × source), active before recently cleared.
    ///
    /// A storm leaves thousands of groups (an alert per ONU, kept ten minutes once cleared), and
    /// the pane shows a screenful: the groups are ranked by scalar keys and only the top `limit`
    /// (or down to the selection and a window past it) become rows, with a bounded heap as the
    /// sessions table does; a sort by column still makes every row.
    func alertRows(_ view: Snapshot, _ matcher: Query, limit: Int) -> RowSet {
        let counts = foldedAlertCounts(view)
        let outages = outageRows(view, matcher, activeOnly: true, folded: counts)
        let folded = Set(counts.keys)
        let digest = view.alertDigest
        /// A group that shows: where it is in the digest, which of its figures show (its own,
        /// without its folded active members, or those a filter made), and its ranking keys.
        struct Candidate {
            var group: Int32
            var filtered: Int32  // -1: the digest's figures (`cleared` says which)
            var cleared: Bool
            var active: Bool
            var acked: Bool
            var rank: Int
            var lastSeen: Int64
            var clearedAt: Int64
        }
        var total = 0
        var candidates: [Candidate] = []
        var made: [AlertDigest.Figures] = []
        let anyAcks = !acks.acks.isEmpty
        // Read in place: a copy of a group per frame was a retain of every string and member.
        digest.groups.withUnsafeBufferPointer { groups in
            for i in groups.indices where shows(groups[i].key.tenant) {
                total += groups[i].group.members.count
                // Active alerts of an OLT in outage are the outage's row's, not listed again.
                var foldsActive = false
                if !folded.isEmpty, let olt = groups[i].group.olt {
                    foldsActive = folded.contains(OutageScope(tenant: groups[i].key.tenant, olt: olt, pon: nil))
                }
                var filtered: Int32 = -1
                if !matcher.isEmpty {
                    let kept = groups[i].group.members.filter { a in
                        !(foldsActive && a.isActive)
                            && matcher.matches(
                                key: { SearchKey.make(raw: a.raw, extra: [a.tenant]) },
                                field: { RowFields.value($0, of: .alert(a)) })
                    }
                    guard let figures = AlertDigest.Figures(kept) else { continue }
                    filtered = Int32(made.count)
                    made.append(figures)
                } else if foldsActive && groups[i].group.clearedOnly == nil {
                    continue
                }
                let r =
                    filtered >= 0
                    ? made[Int(filtered)].ranking
                    : foldsActive ? groups[i].group.clearedOnly!.ranking : groups[i].group.all.ranking
                candidates.append(
                    Candidate(
                        group: Int32(i), filtered: filtered, cleared: foldsActive, active: r.active,
                        acked: anyAcks && r.active && acks.ack(for: AckTarget(groups[i].key)) != nil, rank: r.rank,
                        lastSeen: r.lastSeen, clearedAt: r.clearedAt))
            }
        }
        // Active first, unacknowledged before acknowledged, most severe and newest first; then
        // the recently cleared, most recently cleared first; ties by name, so the order holds
        // still from frame to frame.
        func before(_ a: Candidate, _ b: Candidate) -> Bool {
            if a.active != b.active { return a.active }
            if a.active {
                if a.acked != b.acked { return !a.acked }
                if (a.rank, a.lastSeen) != (b.rank, b.lastSeen) { return (a.rank, a.lastSeen) > (b.rank, b.lastSeen) }
            } else if (a.clearedAt, a.lastSeen) != (b.clearedAt, b.lastSeen) {
                return (a.clearedAt, a.lastSeen) > (b.clearedAt, b.lastSeen)
            }
            let x = digest.groups[Int(a.group)].key, y = digest.groups[Int(b.group)].key
            return (x.tenant, x.type, x.source) < (y.tenant, y.type, y.source)
        }
        let shown: [Candidate]
        if sortShown(.alerts) != nil {
            shown = topK(candidates, candidates.count, by: before)
        } else {
            var selected: Candidate? = nil
            if case .group(let key)? = selection[.alerts] {
                selected = candidates.first { digest.groups[Int($0.group)].key == key }
            }
            shown = windowTop(candidates, limit: limit, selected: selected, by: before)
        }
        let rows = shown.map { c -> Row in
            let (key, group) = digest.groups[Int(c.group)]
            let f = c.filtered >= 0 ? made[Int(c.filtered)] : c.cleared ? group.clearedOnly! : group.all
            let flapping = (alertClears[key]?.count ?? 0) >= flapRule.count
            let g = AlertGroup(
                key: key, latest: f.latest, count: f.count, severity: f.severity, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
                isActive: f.isActive, flapping: flapping, unverified: f.unverified)
            let tone: Tone =
                switch f.severity {
                case _ where !g.isActive: .dim
                case .critical: .critical
                case .error: .error
                case .warning: .warning
                default: .info
                }
            // One alert that does not flap is drawn as itself; the row is named by its group either
            // way, so the selection stays on it as alerts of the group come and go.
            var row =
                f.count == 1 && !flapping
                ? Row(id: .group(key), item: .alert(f.latest), tone: tone)
                : Row(id: .group(key), item: .alertGroup(g), tone: tone)
            row.ack = acks.ack(for: AckTarget(key))
            row.silenced = acks.silenced(tenant: key.tenant, type: key.type, source: key.source)
            return row
        }
        return RowSet(rows: outages + rows, total: total + outages.count, matchedCount: outages.count + candidates.count)
    }

    /// A history pane: every tenant's ring, newest first, ids by ingest sequence number.
    ///
    /// Every frame asks for these rows, so without a filter or a sort only the rows that can be
    /// shown are made: the events are ordered as (time, id) pairs read in place from the rings,
    /// and rows are built for the first `limit` of them, or down to the selection and a window
    /// past it (as ``sessionRows(_:matcher:limit:)`` does). `include` says whether an event is
    /// listed at all; with a filter, or a sort that needs every row's value, every row is made
    /// and what only a filter needs (`extra`, the search key) is made only then.
    private func history(
        _ pane: Pane, _ rings: [String: RingBuffer<Event>], _ matcher: Query, limit: Int,
        extra: (Event) -> [String] = { _ in [] }, include: (String, UnsafePointer<Event>) -> Bool,
        _ make: (String, Event) -> (RowItem, Tone)?
    ) -> RowSet {
        // (time, id, where the event is: its ring and its place newest-first, or -1 for a gap).
        var total = 0
        var entries: [(time: Int64, id: RowID, ring: Int, place: Int)] = []
        var shownRings: [(tenant: String, ring: RingBuffer<Event>)] = []
        var gapRows: [Row] = []
        let everyRow = !matcher.isEmpty || sortShown(pane) != nil
        var built: [Row] = []
        for (tenant, ring) in rings where shows(tenant) {
            total += ring.count
            let r = shownRings.count
            shownRings.append((tenant, ring))
            ring.forEachNewestFirst { place, sequence, event in
                if everyRow {
                    let e = event.pointee
                    guard let (item, tone) = make(tenant, e) else { return }
                    if !matcher.isEmpty {
                        guard
                            matcher.matches(
                                key: { SearchKey.make(raw: e.raw, extra: [tenant, e.type.rawValue] + extra(e)) },
                                field: { RowFields.value($0, of: item) })
                        else { return }
                    }
                    entries.append((e.timestamp.microseconds, .event(tenant: tenant, sequence: sequence), -1, built.count))
                    built.append(Row(id: .event(tenant: tenant, sequence: sequence), item: item, tone: tone))
                } else if include(tenant, event) {
                    entries.append((event.pointee.timestamp.microseconds, .event(tenant: tenant, sequence: sequence), r, place))
                }
            }
        }
        let matched = entries.count
        // Gaps are shown whatever the filter: a filtered view is missing that time too. The same
        // outage of every shown tenant is one row (tenant "").
        let shown = tenants.filter(shows)
        var gapTenants: [Gap: [String]] = [:]
        let gapMap = gapsByTenant(pane)
        for tenant in shown {
            for g in gapMap[tenant] ?? [] { gapTenants[g, default: []].append(tenant) }
        }
        for (g, ts) in gapTenants {
            let all = shown.count > 1 && ts.count == shown.count
            for tenant in all ? [""] : ts {
                let id = RowID.gap(tenant: tenant, until: g.to.microseconds)
                entries.append((g.to.microseconds, id, -2, gapRows.count))
                gapRows.append(Row(id: id, item: .gap(tenant: tenant, g), tone: .warning))
            }
        }
        typealias Entry = (time: Int64, id: RowID, ring: Int, place: Int)
        let before = { (a: Entry, b: Entry) in a.time != b.time ? a.time > b.time : RowID.before(a.id, b.id) }
        if entries.indices.dropFirst().contains(where: { before(entries[$0], entries[$0 - 1]) }) { entries.sort(by: before) }
        // Rows down to the selection and a window past it; all of them for a filter or a sort.
        var count = entries.count
        if !everyRow {
            count = max(0, limit)
            if let selected = selection[pane], let p = entries.firstIndex(where: { $0.id == selected }) {
                count = max(count, p + max(1, limit))
            }
            count = min(count, entries.count)
        }
        var rows: [Row] = []
        rows.reserveCapacity(count)
        for entry in entries.prefix(count) {
            switch entry.ring {
            case -1: rows.append(built[entry.place])
            case -2: rows.append(gapRows[entry.place])
            default:
                let (tenant, ring) = shownRings[entry.ring]
                guard let (item, tone) = make(tenant, ring.element(newest: entry.place)) else { continue }
                rows.append(Row(id: entry.id, item: item, tone: tone))
            }
        }
        return RowSet(rows: rows, total: total, matchedCount: matched)
    }

    private func sessionRows(_ table: SessionTable, matcher: Query, limit: Int) -> RowSet {
        let sort = sessionSort, descending = sessionSortDescending
        let tenant = tenantFilter
        // Row positions only: the scan reads each row in place and copies none.
        var matching: [Int32] = []
        var total = 0
        var selectedSlot: Int32? = nil
        let top: [Int32] = table.rows.withUnsafeBufferPointer { rows in
            let noFilter = matcher.isEmpty
            let useVerdicts = !noFilter && table.verdictQuery?.text == matcher.text
            let selected: Int? =
                if case .entity(let key)? = selection[.sessions] { table.slot(forKey: key) } else { nil }
            table.verdicts.withUnsafeBufferPointer { verdicts in
                matching.reserveCapacity(min(rows.count, 1 << 16))
                for i in 0..<rows.count {
                    if let tenant, rows[i].tenant != tenant { continue }
                    total += 1
                    let hit: Bool
                    if noFilter {
                        hit = true
                    } else if useVerdicts {
                        hit = verdicts[i]
                    } else {
                        hit = matcher.matches(
                            key: { rows[i].searchKey.isEmpty ? SessionTable.makeKey(rows[i]) : rows[i].searchKey },
                            field: { RowFields.sessionField($0, rows[i]) })
                    }
                    if hit {
                        matching.append(Int32(i))
                        if i == selected { selectedSlot = Int32(i) }
                    }
                }
            }
            // A lazy sort's held rows keep their places (their ranks by slot, for this frame).
            var held: [Int32] = []
            if let hold = activeHold(.sessions) {
                held = [Int32](repeating: Int32.max, count: rows.count)
                for (id, rank) in hold.ranks {
                    if case .entity(let key) = id, let slot = table.slot(forKey: key) { held[slot] = Int32(rank) }
                }
            }
            // Fields are read in place (rows[i].field), never as whole-row copies.
            func before(_ x: Int32, _ y: Int32) -> Bool {
                let a = Int(x), b = Int(y)
                if !held.isEmpty, held[a] != held[b] { return held[a] < held[b] }
                let ordered: Bool
                var tie = false
                switch sort {
                case .bytesIn:
                    let p = rows[a].bytesIn, q = rows[b].bytesIn
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .bytesOut:
                    let p = rows[a].bytesOut, q = rows[b].bytesOut
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .rateIn:
                    let p = rows[a].rateIn, q = rows[b].rateIn
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .duration:
                    let p = rows[a].sessionTime ?? 0, q = rows[b].sessionTime ?? 0
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .user:
                    if rows[a].username != rows[b].username {
                        ordered = rows[a].username < rows[b].username
                    } else {
                        tie = true; ordered = false
                    }
                }
                if tie {
                    let less = rows[a].sessionID < rows[b].sessionID
                    return descending ? !less && rows[a].sessionID != rows[b].sessionID : less
                }
                return descending ? !ordered : ordered
            }
            // Only the rows that can be on screen are ordered: the selection's rank plus a window.
            return windowTop(matching, limit: limit, selected: selectedSlot, by: before)
        }
        let rows = top.map { i -> Row in
            let s = table.rows[Int(i)]
            return Row(id: .entity(.session(s.tenant, s.sessionID)), item: .session(s), tone: .normal)
        }
        return RowSet(rows: rows, total: total, matchedCount: matching.count)
    }

}

/// The last command's state as the jobs pane says it: "pause acknowledged", "cancel confirmed
/// via REST" (the verb is enough there); "" when none was sent.
public func commandText(_ j: JobRow) -> String {
    guard let c = j.lastCommand, let o = j.lastOutcome else { return "" }
    // What the backend's answers mean (PROTOCOL.md §9): it has no paused state for a job, and it
    // never answers resume_job.
    switch (c, o) {
    case (.pauseJob, .acknowledged): return "pause acknowledged (the backend has no paused state: watch progress)"
    case (.resumeJob, .sent), (.resumeJob, .noAnswer): return "resume sent, the backend never answers resume"
    default: return "\(c.verb) \(o)"
    }
}

extension AppState {
    /// The query for a pane's filter text: nil for none; text that does not parse (set by the
    /// console itself, never typed: the prompt keeps only queries that parse) is one literal word.
    public static func query(_ text: String?) -> Query? {
        guard let text, !text.isEmpty else { return nil }
        switch Query.parse(text) {
        case .success(let q): return q.isEmpty ? nil : q
        case .failure: return .literal(text)
        }
    }
}

/// What a pane of `limit` rows can show of `items` in `before` order: its first `limit`, or,
/// when `selected` (one of `items`) ranks lower, down to it and a window past it; the rest is
/// never sorted.
///
/// - Complexity: O(n log k) for the k rows returned.
func windowTop<T>(_ items: [T], limit: Int, selected: T?, by before: (T, T) -> Bool) -> [T] {
    var k = max(limit, 1)
    if let selected { k = max(k, items.reduce(0) { $0 + (before($1, selected) ? 1 : 0) } + limit) }
    return topK(items, k, by: before)
}

/// The first `k` elements in `before` order, without sorting the rest.
///
/// - Complexity: O(n log k).
func topK<T>(_ items: [T], _ k: Int, by before: (T, T) -> Bool) -> [T] {
    guard k > 0, !items.isEmpty else { return [] }
    if items.count <= k { return items.sorted(by: before) }
    // A max-heap (by `before`) of the best k seen so far: its root is the worst of them.
    var heap: [T] = []
    heap.reserveCapacity(k)
    func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 {
            let p = (i - 1) / 2
            if before(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { return }
        }
    }
    func siftDown(_ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && before(heap[m], heap[l]) { m = l }
            if r < heap.count && before(heap[m], heap[r]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
    for x in items {
        if heap.count < k {
            heap.append(x)
            siftUp(heap.count - 1)
        } else if before(x, heap[0]) {
            heap[0] = x
            siftDown(0)
        }
    }
    return heap.sorted(by: before)
}
