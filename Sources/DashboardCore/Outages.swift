import DequeModule
import RealtimeProtocol

/// When offline ONUs make an outage (`outages` in the config file).
public struct OutageRules: Sendable, Equatable {
    /// A PON is in outage when this many of its ONUs went offline within `window` seconds.
    public var minONUs = 5
    public var window = 120.0
    /// An OLT is in outage when this many of its PONs are, or this many of its ONUs went
    /// offline within the window.
    public var minPONsOLT = 3
    public var minONUsOLT = 20
    /// A resolved outage stays on screen (dim) this long.
    public var keepResolved = 600.0

    public init() {}
}

/// An OLT, or one PON port of it, of a tenant: what an outage covers.
public struct OutageScope: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var tenant: String
    public var olt: String
    /// nil: the whole OLT.
    public var pon: Int?

    public init(tenant: String, olt: String, pon: Int?) {
        self.tenant = tenant
        self.olt = olt
        self.pon = pon
    }

    /// `olt-03/11`, or `olt-03` for the whole OLT.
    public var description: String { pon.map { "\(olt)/\($0)" } ?? olt }

    public static func < (a: OutageScope, b: OutageScope) -> Bool {
        (a.tenant, a.olt, a.pon ?? -1) < (b.tenant, b.olt, b.pon ?? -1)
    }

    func covers(olt: String?, pon: Int?) -> Bool {
        guard let olt, olt == self.olt else { return false }
        return self.pon == nil || self.pon == pon
    }
}

/// One outage: the ONUs of a PON (or an OLT) that went offline together, what they had been,
/// and whom it hits.
public struct Outage: Sendable, Equatable {
    public var scope: OutageScope
    /// The first of its ONUs to go offline.
    public var since: UTCInstant
    /// Its ONUs offline now, and every one that was offline during it.
    public var offline: Set<String> = []
    public var hit: Set<String> = []
    /// ONUs known on its scope.
    public var known = 0
    /// PONs of an OLT outage with ONUs offline in it (kept up to date as ONUs join).
    public var ponSet: Set<Int> = []
    public var pons: Int { ponSet.count }
    /// What the ONUs were before going offline (`previous_status`), by count.
    public var causes: [String: Int] = [:]
    /// When ONUs went offline, for the rate (the last minute's).
    public var downs: [UTCInstant] = []
    /// Distinct subscribers behind its ONUs.
    public var subscribers: Set<String> = []
    /// Their RADIUS sessions that stopped since it began (session ids), and why.
    public var stoppedSessions: Set<String> = []
    public var stopCauses: [String: Int] = [:]
    /// ONU events folded into its row (not listed one by one in the ONU pane).
    public var events = 0
    /// Open tickets of its subscribers (kept up to date as tickets open and close).
    public var tickets = 0
    /// When its last ONU came back.
    public var resolvedAt: UTCInstant? = nil

    public var isActive: Bool { resolvedAt == nil }
    /// ONUs that went offline in it and are back.
    public var recovered: Int { hit.count - offline.count }

    /// ONUs that went offline in the minute before `now`.
    public func rate(at now: UTCInstant) -> Int {
        downs.reduce(0) { $0 + ($1.microseconds > now.microseconds - 60_000_000 ? 1 : 0) }
    }
}

/// What the console knows of every ONU it has heard of, and the outages they make.
///
/// Fed one ONU event at a time (``onuEvent(tenant:_:at:)``) and, for the customer impact, the
/// session stops and tickets of the subscribers behind the ONUs. Everything is indexed by PON
/// and OLT so an event costs a few dictionary lookups, whatever the number of ONUs.
public struct OutageTracker: Sendable {
    public var rules = OutageRules()

    public struct ONU: Sendable, Equatable {
        public var status: ONUStatus
        public var since: UTCInstant
        public var olt: String?
        public var pon: Int?
        public var subscriber: String?
        public var signalDBm: Double?
        public var previous: ONUStatus?
    }

    struct PON: Hashable, Sendable {
        var tenant: String
        var olt: String
        var pon: Int
    }

    struct OLT: Hashable, Sendable {
        var tenant: String
        var olt: String
    }

    public private(set) var onus: [EntityKey: ONU] = [:]
    public private(set) var outages: [OutageScope: Outage] = [:]
    /// Per PON: ONUs known and offline, and when ONUs went offline (the last window).
    struct PONState: Sendable {
        var known = 0
        var offline: Set<String> = []
        var downs: Deque<UTCInstant> = []
    }
    /// Per OLT: its PONs, when its ONUs went offline and on which PON (the last window), and how
    /// many of those each PON had (its count of keys is how many PONs they spread over).
    struct OLTState: Sendable {
        var pons: Set<Int> = []
        var downs: Deque<(at: UTCInstant, pon: Int?)> = []
        var downPONs: [Int: Int] = [:]
    }
    /// One lookup per PON and per OLT for everything an event changes there.
    private var pons: [PON: PONState] = [:]
    private var olts: [OLT: OLTState] = [:]
    /// Per tenant and subscriber: the ONU behind them, their last stopped session, their open tickets.
    private var subscriberONU: [EntityKey: String] = [:]
    private var lastStop: [EntityKey: (session: String, cause: String?, at: UTCInstant)] = [:]
    public private(set) var openTickets: [EntityKey: Set<String>] = [:]

    public init() {}

    /// The outage an ONU of `olt`/`pon` belongs to now (the OLT's if there is one).
    public func outage(tenant: String, olt: String?, pon: Int?) -> Outage? {
        guard let olt else { return nil }
        if let o = outages[OutageScope(tenant: tenant, olt: olt, pon: nil)], o.isActive { return o }
        if let pon, let o = outages[OutageScope(tenant: tenant, olt: olt, pon: pon)], o.isActive { return o }
        return nil
    }

    func activeScope(tenant: String, olt: String, pon: Int?) -> OutageScope? {
        let whole = OutageScope(tenant: tenant, olt: olt, pon: nil)
        if outages[whole]?.isActive == true { return whole }
        if let pon {
            let one = OutageScope(tenant: tenant, olt: olt, pon: pon)
            if outages[one]?.isActive == true { return one }
        }
        return nil
    }

    /// The OLTs (scope `pon` nil) with an active outage, of the OLT or of one of its PONs: an
    /// alert whose source is one of them is folded under it.
    public var oltsInOutage: Set<OutageScope> {
        Set(outages.values.lazy.filter(\.isActive).map { OutageScope(tenant: $0.scope.tenant, olt: $0.scope.olt, pon: nil) })
    }

    /// Whether an ONU event belongs to an outage (on its scope, while it lasted): the ONU pane
    /// counts it on the outage's row instead of listing it.
    public func folds(tenant: String, _ o: ONUEvent, at time: UTCInstant) -> Bool {
        guard let olt = o.oltID else { return false }
        for scope in [OutageScope(tenant: tenant, olt: olt, pon: nil), OutageScope(tenant: tenant, olt: olt, pon: o.ponPort)] {
            guard let outage = outages[scope], time >= outage.since else { continue }
            if let end = outage.resolvedAt, time > end { continue }
            return true
        }
        return false
    }

    /// Open tickets of the subscribers behind `outage` (counted as they change, not per frame).
    public func tickets(of outage: Outage) -> Int { outage.tickets }

    // MARK: Events

    /// An ONU event. Returns the scope of an outage it started (for the flash line), if any.
    @discardableResult
    public mutating func onuEvent(tenant: String, _ o: ONUEvent, at time: UTCInstant) -> OutageScope? {
        let key = EntityKey.onu(tenant, o.onuSerial)
        // One lookup for the read and the write.
        let slot = onus.index(forKey: key)
        let before = slot.map { onus.values[$0] }
        var onu =
            before
            ?? ONU(status: o.status, since: time, olt: o.oltID, pon: o.ponPort, subscriber: o.subscriberID, previous: nil)
        if before == nil || before!.status != o.status { onu.since = time }
        onu.status = o.status
        onu.previous = o.previousStatus ?? before?.status
        onu.olt = o.oltID ?? onu.olt
        onu.pon = o.ponPort ?? onu.pon
        onu.subscriber = o.subscriberID ?? onu.subscriber
        onu.signalDBm = o.signalDBm ?? (o.status == .offline ? nil : onu.signalDBm)
        if let slot { onus.values[slot] = onu } else { onus[key] = onu }
        if let s = onu.subscriber, s != before?.subscriber {
            subscriberONU[EntityKey(kind: .subscriber, tenant: tenant, id: s)] = o.onuSerial
        }
        guard let olt = onu.olt else { return nil }
        let oltKey = OLT(tenant: tenant, olt: olt)
        let pon = onu.pon.map { PON(tenant: tenant, olt: olt, pon: $0) }
        if before == nil || before?.olt != onu.olt || before?.pon != onu.pon, let pon {
            pons[pon, default: PONState()].known += 1
            olts[oltKey, default: OLTState()].pons.insert(pon.pon)
        }
        let wasOffline = before?.status == .offline, isOffline = onu.status == .offline
        let active = activeScope(tenant: tenant, olt: olt, pon: onu.pon)
        if let active { outages[active]!.events += 1 }
        if isOffline && !wasOffline {
            return wentOffline(o.onuSerial, onu, tenant: tenant, olt: oltKey, pon: pon, active: active, at: time)
        }
        if wasOffline && !isOffline {
            if let pon { pons[pon]?.offline.remove(o.onuSerial) }
            if let scope = active {
                outages[scope]!.offline.remove(o.onuSerial)
                if outages[scope]!.offline.isEmpty { outages[scope]!.resolvedAt = time }
            }
        }
        return nil
    }

    private mutating func wentOffline(
        _ serial: String, _ onu: ONU, tenant: String, olt: OLT, pon: PON?, active: OutageScope?, at time: UTCInstant
    ) -> OutageScope? {
        let floor = UTCInstant(microseconds: time.microseconds - Int64(rules.window * 1e6))
        // Oldest first: what fell out of the window is at the front.
        Self.down(&olts[olt, default: OLTState()], pon: pon?.pon, at: time, floor: floor)
        var ponDowns = 0
        if let pon {
            ponDowns = Self.down(&pons[pon, default: PONState()], serial, at: time, floor: floor)
        }
        if let scope = active {
            join(serial, onu, scope, at: time)
            return nil
        }
        var started: OutageScope? = nil
        if let pon, ponDowns >= rules.minONUs, let state = pons[pon] {
            let scope = OutageScope(tenant: tenant, olt: olt.olt, pon: pon.pon)
            // The earliest, not the first to arrive: events may come out of order.
            start(scope, since: state.downs.min()!, members: state.offline, known: state.known)
            started = scope
        }
        // The OLT rolls up when enough of its PONs are down, or enough of its ONUs across as many
        // PONs (a power failure: a few ONUs on many PONs); one PON's cut, however big, stays that
        // PON's outage.
        let oltState = olts[olt] ?? OLTState()
        let ponsDown =
            started == nil && oltState.downs.count < rules.minONUsOLT
            // Nothing new: the PON outages are what they were (they are counted when one starts).
            ? []
            : oltState.pons.filter { outages[OutageScope(tenant: tenant, olt: olt.olt, pon: $0)]?.isActive == true }
        let downs = oltState.downs
        // Spread: enough ONUs offline in the window on PONs that are not in an outage of their
        // own (a PON's cut is that PON's, however big), over as many PONs as make an OLT's.
        var spread = false
        if downs.count >= rules.minONUsOLT {
            let scattered = oltState.downPONs.filter { p, _ in
                outages[OutageScope(tenant: tenant, olt: olt.olt, pon: p < 0 ? nil : p)]?.isActive != true
            }
            spread = scattered.values.reduce(0, +) >= rules.minONUsOLT && scattered.count >= rules.minPONsOLT
        }
        if ponsDown.count >= rules.minPONsOLT || spread {
            let scope = OutageScope(tenant: tenant, olt: olt.olt, pon: nil)
            var members: Set<String> = []
            var known = 0
            for p in oltState.pons {
                let k = PON(tenant: tenant, olt: olt.olt, pon: p)
                members.formUnion(pons[k]?.offline ?? [])
                known += pons[k]?.known ?? 0
            }
            var since = downs.map(\.at).min()!
            var folded = 0
            // Its PONs' outages become part of it.
            for p in ponsDown {
                let k = OutageScope(tenant: tenant, olt: olt.olt, pon: p)
                if let o = outages.removeValue(forKey: k) {
                    since = min(since, o.since)
                    folded += o.events
                }
            }
            start(scope, since: since, members: members, known: known)
            outages[scope]!.events += folded
            started = scope
        }
        return started
    }

    /// An ONU of the OLT went offline: counted in its window, what fell out of it dropped.
    private static func down(_ o: inout OLTState, pon: Int?, at time: UTCInstant, floor: UTCInstant) {
        o.downs.append((time, pon))
        o.downPONs[pon ?? -1, default: 0] += 1
        while let first = o.downs.first, first.at < floor {
            o.downs.removeFirst()
            let p = first.pon ?? -1
            o.downPONs[p]! -= 1
            if o.downPONs[p]! == 0 { o.downPONs[p] = nil }
        }
    }

    /// An ONU of the PON went offline: it is offline there, and counted in its window; how many
    /// went offline in the window.
    private static func down(_ p: inout PONState, _ serial: String, at time: UTCInstant, floor: UTCInstant) -> Int {
        p.offline.insert(serial)
        p.downs.append(time)
        while let first = p.downs.first, first < floor { p.downs.removeFirst() }
        return p.downs.count
    }

    private mutating func start(_ scope: OutageScope, since: UTCInstant, members: Set<String>, known: Int) {
        outages[scope] = Outage(scope: scope, since: since, known: known)
        for serial in members {
            // ONUs offline since before the outage began are not part of it.
            guard let onu = onus[.onu(scope.tenant, serial)], onu.status == .offline, onu.since >= since else { continue }
            join(serial, onu, scope, at: onu.since)
        }
    }

    private mutating func join(_ serial: String, _ onu: ONU, _ scope: OutageScope, at time: UTCInstant) {
        // Out of the table while it changes: one lookup, and its sets are not shared (no copy).
        var o = outages.removeValue(forKey: scope)!
        defer { outages[scope] = o }
        o.offline.insert(serial)
        o.hit.insert(serial)
        if scope.pon == nil, let p = onu.pon { o.ponSet.insert(p) }
        o.downs.append(time)
        if o.downs.count > 4096 { o.downs.removeFirst(2048) }
        if let p = onu.previous { o.causes[p.rawValue, default: 0] += 1 }
        guard let s = onu.subscriber else { return }
        let subscriber = EntityKey(kind: .subscriber, tenant: scope.tenant, id: s)
        if o.subscribers.insert(s).inserted { o.tickets += openTickets[subscriber]?.count ?? 0 }
        // A session of theirs that stopped since the outage began (it may have come first).
        if let stop = lastStop[subscriber], stop.at >= o.since.minus(seconds: 5) { Self.countStop(&o, stop.session, stop.cause) }
    }

    private static func countStop(_ o: inout Outage, _ session: String, _ cause: String?) {
        if o.stoppedSessions.insert(session).inserted, let cause { o.stopCauses[cause, default: 0] += 1 }
    }

    /// A RADIUS session stopped: counted against the outage of its subscriber's ONU, whichever
    /// arrives first.
    public mutating func sessionStopped(tenant: String, _ s: SessionEvent, at time: UTCInstant) {
        guard let sub = s.subscriberID else { return }
        let key = EntityKey(kind: .subscriber, tenant: tenant, id: sub)
        lastStop[key] = (s.sessionID, s.terminateCause, time)
        guard let serial = subscriberONU[key], let onu = onus[.onu(tenant, serial)], let olt = onu.olt,
            let scope = activeScope(tenant: tenant, olt: olt, pon: onu.pon), outages[scope]!.subscribers.contains(sub),
            time >= outages[scope]!.since.minus(seconds: 5)
        else { return }
        Self.countStop(&outages[scope]!, s.sessionID, s.terminateCause)
    }

    /// A ticket event: open tickets per subscriber.
    public mutating func ticket(tenant: String, type: EventType, _ t: TicketEvent) {
        guard let sub = t.subscriberID else { return }
        let key = EntityKey(kind: .subscriber, tenant: tenant, id: sub)
        let closed = type == .ticketResolved || ["resolved", "closed"].contains(t.status.lowercased())
        var change = 0
        if closed {
            if openTickets[key]?.remove(t.ticketID) != nil { change = -1 }
            if openTickets[key]?.isEmpty == true { openTickets[key] = nil }
        } else if openTickets[key, default: []].insert(t.ticketID).inserted {
            change = 1
        }
        // The outage behind this subscriber, if any, counts it.
        guard change != 0, let serial = subscriberONU[key], let onu = onus[.onu(tenant, serial)], let olt = onu.olt,
            let scope = activeScope(tenant: tenant, olt: olt, pon: onu.pon), outages[scope]!.subscribers.contains(sub)
        else { return }
        outages[scope]!.tickets += change
    }

    /// Drops resolved outages older than `keepResolved` seconds.
    public mutating func expire(now: UTCInstant) {
        let floor = now.microseconds - Int64(rules.keepResolved * 1e6)
        let gone = { (o: Outage) in (o.resolvedAt?.microseconds ?? .max) <= floor }
        // Every tick: the table is only rebuilt when something is due to go.
        if outages.values.contains(where: gone) { outages = outages.filter { !gone($0.value) } }
    }
}

extension AppState {
    /// The first line an operator reads: `2 outages (olt-03/11 212 ONUs · olt-01 5 PONs) · 3
    /// critical · 1 flapping`, over the shown tenants; nil when there is nothing to say.
    public var summary: String? { summary(naming: true) }

    /// The summary; without `naming`, the outages are counted but not named (a narrow header).
    public func summary(naming: Bool) -> String? {
        let view = self.view
        // Small keys sorted, not the outages themselves.
        let outages = view.outages.outages.compactMap { scope, o in
            o.isActive && shows(scope.tenant) ? (scope: scope, count: o.offline.count, pons: o.pons) : nil
        }.sorted { ($0.count, $1.scope) > ($1.count, $0.scope) }
        var groups: [AlertGroupKey: AlertSeverity] = [:]
        let down = view.outages.oltsInOutage
        for a in view.alerts.values where a.isActive && shows(a.tenant) {
            // An alert folded under an outage is the outage's, not counted again.
            if let olt = oltOf(a.source), down.contains(OutageScope(tenant: a.tenant, olt: olt, pon: nil)) { continue }
            if let s = groups[a.group], s.rank >= a.severity.rank { continue }
            groups[a.group] = a.severity
        }
        let critical = groups.values.filter { $0 == .critical }.count
        let flapping = alertClears.filter { shows($0.key.tenant) && $0.value.count >= flapRule.count }.count
        var parts: [String] = []
        if !outages.isEmpty {
            let named = outages.prefix(2).map { o in
                o.scope.pon == nil ? "\(o.scope) \(o.pons) PONs" : "\(o.scope) \(o.count) ONUs"
            }
            let more = outages.count > 2 ? " · +\(outages.count - 2)" : ""
            let stale = freshness(.onu).overall.isLive ? "" : " (stale)"
            let names = naming ? " (\(named.joined(separator: " · "))\(more))" : ""
            parts.append("\(outages.count) outage\(outages.count == 1 ? "" : "s")\(names)\(stale)")
        }
        // Counts of a feed that is down cannot be known: not said (the Alerts title reads ?).
        if freshness(.alerts).overall.isLive {
            if critical > 0 { parts.append("\(critical) critical") }
            if flapping > 0 { parts.append("\(flapping) flapping") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " · ")
    }

    /// An outage's ONUs in `sort` order (ties by serial).
    public func onuList(_ scope: OutageScope, sort: ONUListSort) -> [(serial: String, onu: OutageTracker.ONU)] {
        guard let o = view.outages.outages[scope] else { return [] }
        let rows = o.hit.compactMap { serial in view.outages.onus[.onu(scope.tenant, serial)].map { (serial: serial, onu: $0) } }
        return rows.sorted { a, b in
            switch sort {
            case .status where a.onu.status != b.onu.status: return a.onu.status == .offline
            case .since where a.onu.since != b.onu.since: return a.onu.since < b.onu.since
            case .dBm where a.onu.signalDBm != b.onu.signalDBm: return (a.onu.signalDBm ?? -999) < (b.onu.signalDBm ?? -999)
            case .subscriber where a.onu.subscriber != b.onu.subscriber:
                return (a.onu.subscriber ?? "~") < (b.onu.subscriber ?? "~")
            default: return a.serial < b.serial
            }
        }
    }
}

extension UTCInstant {
    func minus(seconds: Double) -> UTCInstant { UTCInstant(microseconds: microseconds - Int64(seconds * 1e6)) }
}
