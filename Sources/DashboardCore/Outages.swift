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

    /// The OLT and PON: another tenant's same-named OLT is told apart by `==` (one String hashed
    /// per lookup, and a storm looks its outage up once per event).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(olt)
        hasher.combine(pon)
    }

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
    /// Names it among the tracker's outages (an ONU or subscriber records which one counted it).
    var id: Int32 = 0
    /// Every ONU that was offline during it (the tracker's slots, once each).
    var members: [Int32] = []
    /// How many of them are offline now.
    public var offlineCount = 0
    /// How many ONUs went offline in it.
    public var hitCount: Int { members.count }
    /// ONUs known on its scope.
    public var known = 0
    /// PONs of an OLT outage with ONUs offline in it (kept up to date as ONUs join).
    public var ponSet: Set<Int> = []
    public var pons: Int { ponSet.count }
    /// What the ONUs were before going offline (`previous_status`), by count.
    public var causes: [String: Int] {
        Dictionary(uniqueKeysWithValues: previousStatuses.map { ($0.key.rawValue, $0.value) })
    }
    /// The same, by status (hashing an enum case, not a String, per event).
    var previousStatuses: [ONUStatus: Int] = [:]
    /// When ONUs went offline, for the rate (the last minute's).
    public var downs: [UTCInstant] = []
    /// Distinct subscribers behind its ONUs.
    public var subscriberCount = 0
    /// Their RADIUS sessions that stopped since it began (session ids), and why.
    public var stoppedSessions: Set<String> = []
    public var stopCauses: [String: Int] = [:]
    /// ONU events folded into its row (not listed one by one in the ONU pane).
    public var events = 0
    /// Open tickets of its subscribers (kept up to date as tickets open and close).
    public var tickets = 0
    /// When its last ONU came back.
    public var resolvedAt: UTCInstant? = nil
    /// When one of its ONUs first came back: from then on it is no longer going down.
    public var recoveryBegan: UTCInstant? = nil
    /// Seen before a gap in its tenant's ONU stream and not heard of since: its ONUs may have
    /// come back while nobody could see (nothing is replayed). An event of one of them verifies it.
    public var unverified = false

    public var isActive: Bool { resolvedAt == nil }
    /// ONUs that went offline in it and are back.
    public var recovered: Int { hitCount - offlineCount }

    /// ONUs that went offline in the minute before `now`.
    public func rate(at now: UTCInstant) -> Int {
        downs.reduce(0) { $0 + ($1.microseconds > now.microseconds - 60_000_000 ? 1 : 0) }
    }
}

/// What the console knows of every ONU it has heard of, and the outages they make.
///
/// Fed one ONU event at a time (``onuEvent(tenant:_:at:)``) and, for the customer impact, the
/// session stops and tickets of the subscribers behind the ONUs. Built for a storm of 50,000
/// ONUs: each ONU, subscriber, PON and OLT gets a slot (an index into an array) the first time
/// it is seen, so an event of a known ONU costs one String-keyed lookup (its slot) and one for
/// its outage; everything else is array indexing. An outage lists its ONUs by slot, and a slot
/// says which outage counted it, so no set of serials is kept per outage.
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

    /// An ONU's slot: what is known of it, where it sits, which outage counted it.
    struct ONUSlot: Sendable {
        var tenant: String
        var serial: String
        var onu: ONU
        var olt: Int32 = -1
        var pon: Int32 = -1
        var subscriber: Int32 = -1
        /// The outage whose members list it (its id), and whether it is counted offline there.
        var outage: Int32 = -1
        var counted = false
    }

    /// Per PON: ONUs known and offline, when ONUs went offline (the last window), whether it is
    /// in an outage of its own.
    struct PONState: Sendable {
        var key: PON
        var known = 0
        var offline: Set<Int32> = []
        var downs: Deque<UTCInstant> = []
        var inOutage = false
    }

    /// Per OLT: its PONs (their slots), when its ONUs went offline, which ONU and on which PON
    /// (the last window); whether the whole OLT is in outage.
    struct OLTState: Sendable {
        var key: OLT
        var pons: [Int: Int32] = [:]
        var downs: Deque<(at: UTCInstant, pon: Int?, onu: Int32)> = []
        var inOutage = false
    }

    /// Per subscriber: the ONU behind them, their last stopped session, their open tickets, and
    /// the outage that counted them.
    struct SubscriberSlot: Sendable {
        var id: String
        var onu: Int32 = -1
        var lastStop: (session: String, cause: String?, at: UTCInstant)? = nil
        var openTickets: Set<String> = []
        var outage: Int32 = -1
    }

    /// Per tenant, the slots of its ONUs by serial and of its subscribers by id: keyed by the
    /// bare String (a smaller table than one keyed by tenant and id, which a storm's 50,000 new
    /// ONUs and subscribers miss the cache on less).
    struct TenantSlots: Sendable {
        var tenant: String
        var onus: [String: Int32] = [:]
        var subscribers: [String: Int32] = [:]
    }
    private var tenantSlots: [TenantSlots] = []
    /// Where the last event's tenant was (a batch is mostly one tenant's).
    private var lastTenant = 0
    private var onuTable: [ONUSlot] = []
    private var ponSlots: [PON: Int32] = [:]
    private var ponTable: [PONState] = []
    private var oltSlots: [OLT: Int32] = [:]
    private var oltTable: [OLTState] = []
    private var subscriberTable: [SubscriberSlot] = []
    private var nextOutageID: Int32 = 0
    public private(set) var outages: [OutageScope: Outage] = [:]
    /// Outages that went from the table since ``takeGone()`` was last called: expired, folded into
    /// their OLT's, or replaced by a new one on the same scope (their acknowledgements go too).
    public private(set) var gone: [OutageScope] = []

    /// Marks `tenant`'s active outages as seen before a gap in its ONU stream.
    public mutating func markUnverified(tenant: String) {
        for k in outages.indices where outages.keys[k].tenant == tenant && outages.values[k].isActive {
            outages.values[k].unverified = true
        }
    }

    /// What went since the last call, and forget it.
    public mutating func takeGone() -> [OutageScope] {
        defer { gone.removeAll() }
        return gone
    }

    public init() {}

    /// How many ONUs it knows.
    public var onuCount: Int { onuTable.count }

    /// What it knows of one ONU.
    public func onu(tenant: String, serial: String) -> ONU? {
        tenantIndex(tenant).flatMap { tenantSlots[$0].onus[serial] }.map { onuTable[Int($0)].onu }
    }

    /// Every ONU it knows (a copy: for tests and tools, not per event or per frame).
    public var onus: [EntityKey: ONU] {
        Dictionary(uniqueKeysWithValues: onuTable.map { (EntityKey.onu($0.tenant, $0.serial), $0.onu) })
    }

    /// An outage's ONUs: every one that went offline in it, with what is known of it now.
    public func members(of outage: Outage) -> [(serial: String, onu: ONU)] {
        outage.members.map { (onuTable[Int($0)].serial, onuTable[Int($0)].onu) }
    }

    /// The subscribers behind an outage's ONUs.
    public func subscribers(of outage: Outage) -> Set<String> {
        Set(outage.members.compactMap { onuTable[Int($0)].onu.subscriber })
    }

    /// The outage an ONU of `olt`/`pon` belongs to now (the OLT's if there is one).
    public func outage(tenant: String, olt: String?, pon: Int?) -> Outage? {
        guard let olt else { return nil }
        if let o = outages[OutageScope(tenant: tenant, olt: olt, pon: nil)], o.isActive { return o }
        if let pon, let o = outages[OutageScope(tenant: tenant, olt: olt, pon: pon)], o.isActive { return o }
        return nil
    }

    /// The active outage over an ONU's OLT or PON slot, from the slots' flags (no lookup).
    private func activeScope(_ slot: ONUSlot) -> OutageScope? {
        guard slot.olt >= 0, let olt = slot.onu.olt else { return nil }
        if oltTable[Int(slot.olt)].inOutage { return OutageScope(tenant: slot.tenant, olt: olt, pon: nil) }
        if slot.pon >= 0, ponTable[Int(slot.pon)].inOutage {
            return OutageScope(tenant: slot.tenant, olt: olt, pon: slot.onu.pon)
        }
        return nil
    }

    /// The OLTs (scope `pon` nil) with an active outage, of the OLT or of one of its PONs: an
    /// alert whose source is one of them is folded under it.
    public var oltsInOutage: Set<OutageScope> {
        Set(outages.values.lazy.filter(\.isActive).map { OutageScope(tenant: $0.scope.tenant, olt: $0.scope.olt, pon: nil) })
    }

    /// Whether an ONU event belongs to an outage (one of its ONUs, while it lasted): the ONU pane
    /// counts it on the outage's row instead of listing it.
    public func folds(tenant: String, _ o: ONUEvent, at time: UTCInstant) -> Bool {
        guard let olt = o.oltID,
            let n = tenantIndex(tenant).flatMap({ tenantSlots[$0].onus[o.onuSerial] }).map(Int.init)
        else { return false }
        // Asked for every ONU row of every frame: no array of scopes, no copy of an outage; and
        // an ONU no outage ever counted (ids start at 1) is answered without looking one up.
        guard onuTable[n].outage > 0 else { return false }
        func during(_ scope: OutageScope) -> Bool {
            guard let k = outages.index(forKey: scope), outages.values[k].id == onuTable[n].outage else { return false }
            return time >= outages.values[k].since && outages.values[k].resolvedAt.map { time <= $0 } ?? true
        }
        return during(OutageScope(tenant: tenant, olt: olt, pon: nil))
            || (o.ponPort != nil && during(OutageScope(tenant: tenant, olt: olt, pon: o.ponPort)))
    }

    /// Open tickets of the subscribers behind `outage` (counted as they change, not per frame).
    public func tickets(of outage: Outage) -> Int { outage.tickets }

    // MARK: Slots

    /// Where a tenant's slot tables are, if it has any.
    private func tenantIndex(_ tenant: String) -> Int? {
        if lastTenant < tenantSlots.count, tenantSlots[lastTenant].tenant == tenant { return lastTenant }
        return tenantSlots.firstIndex { $0.tenant == tenant }
    }

    /// Where a tenant's slot tables are, made on its first event.
    private mutating func tenantSlot(_ tenant: String) -> Int {
        if let i = tenantIndex(tenant) {
            lastTenant = i
            return i
        }
        tenantSlots.append(TenantSlots(tenant: tenant))
        lastTenant = tenantSlots.count - 1
        return lastTenant
    }

    /// A slot from a table's index, `next` (the table's count) if it had none: one hash lookup
    /// for the read and the insert (`index[key, default: -1]` yields the stored value in place).
    private static func claim(_ slot: inout Int32, next: Int) -> Int32 {
        if slot < 0 { slot = Int32(next) }
        return slot
    }

    private mutating func ponSlot(_ key: PON, olt: Int32) -> Int32 {
        if let s = ponSlots[key] { return s }
        let s = Int32(ponTable.count)
        ponTable.append(PONState(key: key))
        ponSlots[key] = s
        oltTable[Int(olt)].pons[key.pon] = s
        return s
    }

    private mutating func oltSlot(_ key: OLT) -> Int32 {
        if let s = oltSlots[key] { return s }
        let s = Int32(oltTable.count)
        oltTable.append(OLTState(key: key))
        oltSlots[key] = s
        return s
    }

    private mutating func subscriberSlot(tenant: String, _ id: String) -> Int32 {
        let s = Self.claim(
            &tenantSlots[tenantSlot(tenant)].subscribers[id, default: -1], next: subscriberTable.count)
        if s == subscriberTable.count { subscriberTable.append(SubscriberSlot(id: id)) }
        return s
    }

    /// Marks the PON or OLT of `scope` in outage or not (what ``activeScope(_:)`` reads).
    private mutating func setInOutage(_ scope: OutageScope, _ value: Bool) {
        let olt = OLT(tenant: scope.tenant, olt: scope.olt)
        guard let o = oltSlots[olt] else { return }
        if let pon = scope.pon {
            if let p = oltTable[Int(o)].pons[pon] { ponTable[Int(p)].inOutage = value }
        } else {
            oltTable[Int(o)].inOutage = value
        }
    }

    // MARK: Events

    /// An ONU event. Returns the scope of an outage it started (for the flash line), if any.
    @discardableResult
    public mutating func onuEvent(tenant: String, _ o: ONUEvent, at time: UTCInstant) -> OutageScope? {
        // One lookup finds the slot or makes it (the serial read once: a read makes a String).
        let serial = o.onuSerial
        let n = Self.claim(&tenantSlots[tenantSlot(tenant)].onus[serial, default: -1], next: onuTable.count)
        let known: Int32? = n < onuTable.count ? n : nil
        if known == nil {
            onuTable.append(
                ONUSlot(
                    tenant: tenant, serial: serial,
                    onu: ONU(status: o.status, since: time, olt: nil, pon: nil, subscriber: nil, previous: nil)))
        }
        let i = Int(n)
        let before = known.map { _ in onuTable[i].onu }
        var onu = onuTable[i].onu
        if before == nil || before!.status != o.status { onu.since = time }
        onu.status = o.status
        onu.previous = o.previousStatus ?? before?.status
        onu.olt = o.oltID ?? onu.olt
        onu.pon = o.ponPort ?? onu.pon
        onu.subscriber = o.subscriberID ?? onu.subscriber
        onu.signalDBm = o.signalDBm ?? (o.status == .offline ? nil : onu.signalDBm)
        onuTable[i].onu = onu
        if let s = onu.subscriber, s != before?.subscriber {
            let sub = subscriberSlot(tenant: tenant, s)
            onuTable[i].subscriber = sub
            subscriberTable[Int(sub)].onu = n
        }
        guard let olt = onu.olt else { return nil }
        if before == nil || before?.olt != onu.olt || before?.pon != onu.pon {
            let oltSlot = oltSlot(OLT(tenant: tenant, olt: olt))
            onuTable[i].olt = oltSlot
            onuTable[i].pon = -1
            if let pon = onu.pon {
                let p = ponSlot(PON(tenant: tenant, olt: olt, pon: pon), olt: oltSlot)
                onuTable[i].pon = p
                ponTable[Int(p)].known += 1
            }
        }
        let wasOffline = before?.status == .offline, isOffline = onu.status == .offline
        // The outage it is in, found once for everything this event changes there.
        let active = activeScope(onuTable[i]).flatMap { outages.index(forKey: $0) }
        // Its events are folded into the outage's row when it is one of the outage's ONUs.
        defer {
            if let k = active, onuTable[i].outage == outages.values[k].id {
                outages.values[k].events += 1
                outages.values[k].unverified = false
            }
        }
        if isOffline && !wasOffline {
            // (With an active outage this only joins it: the index stays valid for the count.)
            return wentOffline(n, tenant: tenant, active: active, at: time)
        }
        if wasOffline && !isOffline {
            let p = onuTable[i].pon
            if p >= 0 { ponTable[Int(p)].offline.remove(n) }
            if let k = active, onuTable[i].outage == outages.values[k].id,
                onuTable[i].counted
            {
                onuTable[i].counted = false
                outages.values[k].offlineCount -= 1
                if outages.values[k].recoveryBegan == nil { outages.values[k].recoveryBegan = time }
                if outages.values[k].offlineCount == 0 {
                    outages.values[k].resolvedAt = time
                    setInOutage(outages.keys[k], false)
                }
            }
        }
        return nil
    }

    private mutating func wentOffline(
        _ n: Int32, tenant: String, active: Dictionary<OutageScope, Outage>.Index?, at time: UTCInstant
    ) -> OutageScope? {
        let floor = UTCInstant(microseconds: time.microseconds - Int64(rules.window * 1e6))
        let slot = onuTable[Int(n)]
        let o = Int(slot.olt), p = Int(slot.pon)
        // Oldest first: what fell out of the window is at the front.
        Self.down(&oltTable[o], pon: slot.onu.pon, onu: n, at: time, floor: floor)
        var ponDowns = 0
        if p >= 0 { ponDowns = Self.down(&ponTable[p], n, at: time, floor: floor) }
        if let k = active {
            // One of its ONUs dropping again, or a new one while it is still going down, is part
            // of it; after recovery began a stray drop is not (seen in tmux: an OLT outage took in
            // the plant's everyday drops for ever, grew to 10 PONs and never resolved), but a new
            // wave on the PON (as many drops in the window as start an outage) is.
            let id = outages.values[k].id
            guard let began = outages.values[k].recoveryBegan, onuTable[Int(n)].outage != id else {
                join(n, k, at: time)
                return nil
            }
            if p >= 0, ponTable[p].downs.lazy.filter({ $0 >= began }).count >= rules.minONUs {
                // The wave's ONUs so far, in the order they went, then this one.
                let wave = ponTable[p].offline.filter {
                    onuTable[Int($0)].outage != id && onuTable[Int($0)].onu.since >= began
                }.sorted { onuTable[Int($0)].onu.since < onuTable[Int($1)].onu.since }
                for m in wave { join(m, k, at: onuTable[Int(m)].onu.since) }
            }
            return nil
        }
        let olt = oltTable[o].key.olt
        var started: OutageScope? = nil
        if p >= 0, ponDowns >= rules.minONUs {
            let state = ponTable[p]
            let scope = OutageScope(tenant: tenant, olt: olt, pon: state.key.pon)
            // The earliest, not the first to arrive: events may come out of order.
            start(scope, since: state.downs.min()!, members: state.offline, known: state.known)
            started = scope
        }
        // The OLT rolls up when enough of its PONs are down, or enough of its ONUs across as many
        // PONs (a power failure: a few ONUs on many PONs); one PON's cut, however big, stays that
        // PON's outage.
        let oltState = oltTable[o]
        let ponsDown =
            started == nil && oltState.downs.count < rules.minONUsOLT
            // Nothing new: the PON outages are what they were (they are counted when one starts).
            ? []
            : oltState.pons.compactMap { pon, slot in ponTable[Int(slot)].inOutage ? pon : nil }
        let downs = oltState.downs
        // Spread: enough ONUs that went offline in the window and are still offline, on PONs
        // that are not in an outage of their own (a PON's cut is that PON's, however big), over
        // as many PONs as make an OLT's. Still offline: seen in tmux, two PON cuts that had
        // recovered, plus three stray ONUs, made an OLT outage of 3 ONUs "since" the first cut.
        var spread = false
        var spreadSince: UTCInstant? = nil
        if downs.count >= rules.minONUsOLT {
            var perPON: [Int: Int] = [:]
            var count = 0
            for d in downs {
                let onu = onuTable[Int(d.onu)].onu
                // Offline since this very transition (not back since, and counted once).
                guard onu.status == .offline, onu.since == d.at else { continue }
                let pon = d.pon ?? -1
                if pon >= 0, let slot = oltState.pons[pon], ponTable[Int(slot)].inOutage { continue }
                perPON[pon, default: 0] += 1
                count += 1
                spreadSince = min(spreadSince ?? d.at, d.at)
            }
            spread = count >= rules.minONUsOLT && perPON.count >= rules.minPONsOLT
        }
        if ponsDown.count >= rules.minPONsOLT || spread {
            let scope = OutageScope(tenant: tenant, olt: olt, pon: nil)
            var members: Set<Int32> = []
            var known = 0
            for (_, slot) in oltState.pons {
                members.formUnion(ponTable[Int(slot)].offline)
                known += ponTable[Int(slot)].known
            }
            // From its first ONU still offline (or its PONs' outages, folded in below).
            var since = spread ? spreadSince! : .init(microseconds: .max)
            var folded = 0
            // Its PONs' outages become part of it.
            for pon in ponsDown {
                let k = OutageScope(tenant: tenant, olt: olt, pon: pon)
                if let old = outages.removeValue(forKey: k) {
                    since = min(since, old.since)
                    folded += old.events
                    gone.append(k)
                }
                setInOutage(k, false)
            }
            if since.microseconds == .max { since = time }
            start(scope, since: since, members: members, known: known)
            outages[scope]!.events += folded
            started = scope
        }
        return started
    }

    /// An ONU of the OLT went offline: counted in its window, what fell out of it dropped.
    private static func down(_ o: inout OLTState, pon: Int?, onu: Int32, at time: UTCInstant, floor: UTCInstant) {
        o.downs.append((time, pon, onu))
        while let first = o.downs.first, first.at < floor { o.downs.removeFirst() }
    }

    /// An ONU of the PON went offline: it is offline there, and counted in its window; how many
    /// went offline in the window.
    private static func down(_ p: inout PONState, _ n: Int32, at time: UTCInstant, floor: UTCInstant) -> Int {
        p.offline.insert(n)
        p.downs.append(time)
        while let first = p.downs.first, first < floor { p.downs.removeFirst() }
        return p.downs.count
    }

    private mutating func start(_ scope: OutageScope, since: UTCInstant, members: Set<Int32>, known: Int) {
        nextOutageID += 1
        // A resolved outage of the same scope still on screen is over: a new one is not it.
        if outages[scope] != nil { gone.append(scope) }
        outages[scope] = Outage(scope: scope, since: since, id: nextOutageID, known: known)
        setInOutage(scope, true)
        // In the order they went offline (ties by serial), so its list reads as it happened.
        let ordered = members.sorted {
            let a = onuTable[Int($0)], b = onuTable[Int($1)]
            return (a.onu.since, a.serial) < (b.onu.since, b.serial)
        }
        let k = outages.index(forKey: scope)!
        for n in ordered {
            // ONUs offline since before the outage began are not part of it.
            let onu = onuTable[Int(n)].onu
            guard onu.status == .offline, onu.since >= since else { continue }
            join(n, k, at: onu.since)
        }
    }

    /// An ONU went offline in the outage at `k`: counted, once, with its subscriber.
    private mutating func join(_ n: Int32, _ k: Dictionary<OutageScope, Outage>.Index, at time: UTCInstant) {
        // In place: the outage's arrays are not shared (no copy).
        let id = outages.values[k].id
        let i = Int(n)
        if onuTable[i].outage != id {
            onuTable[i].outage = id
            onuTable[i].counted = false
            outages.values[k].members.append(n)
        }
        if !onuTable[i].counted {
            onuTable[i].counted = true
            outages.values[k].offlineCount += 1
        }
        let onu = onuTable[i].onu
        if outages.keys[k].pon == nil, let p = onu.pon { outages.values[k].ponSet.insert(p) }
        outages.values[k].downs.append(time)
        if outages.values[k].downs.count > 4096 { outages.values[k].downs.removeFirst(2048) }
        if let p = onu.previous { outages.values[k].previousStatuses[p, default: 0] += 1 }
        let s = Int(onuTable[i].subscriber)
        guard s >= 0 else { return }
        if subscriberTable[s].outage != id {
            subscriberTable[s].outage = id
            outages.values[k].subscriberCount += 1
            outages.values[k].tickets += subscriberTable[s].openTickets.count
        }
        // A session of theirs that stopped since the outage began (it may have come first).
        if let stop = subscriberTable[s].lastStop, stop.at >= outages.values[k].since.minus(seconds: 5) {
            Self.countStop(&outages.values[k], stop.session, stop.cause)
        }
    }

    private static func countStop(_ o: inout Outage, _ session: String, _ cause: String?) {
        if o.stoppedSessions.insert(session).inserted, let cause { o.stopCauses[cause, default: 0] += 1 }
    }

    /// The active outage that counted subscriber slot `s`, if any (where their stops and tickets count).
    private func outageIndex(ofSubscriber s: Int) -> Dictionary<OutageScope, Outage>.Index? {
        let n = Int(subscriberTable[s].onu)
        guard n >= 0, let scope = activeScope(onuTable[n]), let k = outages.index(forKey: scope),
            subscriberTable[s].outage == outages.values[k].id
        else { return nil }
        return k
    }

    /// A RADIUS session stopped: counted against the outage of its subscriber's ONU, whichever
    /// arrives first.
    public mutating func sessionStopped(tenant: String, _ s: SessionEvent, at time: UTCInstant) {
        guard let sub = s.subscriberID else { return }
        let slot = Int(subscriberSlot(tenant: tenant, sub))
        subscriberTable[slot].lastStop = (s.sessionID, s.terminateCause, time)
        guard let k = outageIndex(ofSubscriber: slot), time >= outages.values[k].since.minus(seconds: 5) else { return }
        Self.countStop(&outages.values[k], s.sessionID, s.terminateCause)
    }

    /// A ticket event: open tickets per subscriber.
    public mutating func ticket(tenant: String, type: EventType, _ t: TicketEvent) {
        guard let sub = t.subscriberID else { return }
        let slot = Int(subscriberSlot(tenant: tenant, sub))
        let closed = type == .ticketResolved || ["resolved", "closed"].contains(t.status.lowercased())
        var change = 0
        if closed {
            if subscriberTable[slot].openTickets.remove(t.ticketID) != nil { change = -1 }
        } else if subscriberTable[slot].openTickets.insert(t.ticketID).inserted {
            change = 1
        }
        // The outage behind this subscriber, if any, counts it.
        guard change != 0, let k = outageIndex(ofSubscriber: slot) else { return }
        outages.values[k].tickets += change
    }

    /// Open tickets of one subscriber.
    public func openTickets(tenant: String, subscriber: String) -> Set<String> {
        tenantIndex(tenant).flatMap { tenantSlots[$0].subscribers[subscriber] }.map {
            subscriberTable[Int($0)].openTickets
        } ?? []
    }

    /// Drops resolved outages older than `keepResolved` seconds (into ``gone``).
    public mutating func expire(now: UTCInstant) {
        let floor = now.microseconds - Int64(rules.keepResolved * 1e6)
        let old = { (o: Outage) in (o.resolvedAt?.microseconds ?? .max) <= floor }
        // Every tick: the table is only rebuilt when something is due to go.
        guard outages.values.contains(where: old) else { return }
        gone += outages.filter { old($0.value) }.map(\.key)
        outages = outages.filter { !old($0.value) }
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
            o.isActive && shows(scope.tenant)
                ? (scope: scope, count: o.offlineCount, pons: o.pons, unverified: o.unverified) : nil
        }.sorted { ($0.count, $1.scope) > ($1.count, $0.scope) }
        let down = view.outages.oltsInOutage
        // Groups whose highest active severity is critical; one folded under an outage (its
        // source's OLT is in outage) is the outage's, not counted again.
        let critical = view.alertDigest.activeGroups.filter { g in
            g.severity == .critical && shows(g.key.tenant)
                && !(g.olt.map { down.contains(OutageScope(tenant: g.key.tenant, olt: $0, pon: nil)) } ?? false)
        }.count
        let flapping = alertClears.filter { shows($0.key.tenant) && $0.value.count >= flapRule.count }.count
        var parts: [String] = []
        if !outages.isEmpty {
            let named = outages.prefix(2).map { o in
                o.scope.pon == nil ? "\(o.scope) \(o.pons) PONs" : "\(o.scope) \(o.count) ONUs"
            }
            let more = outages.count > 2 ? " · +\(outages.count - 2)" : ""
            // Narrow, `2 outages?`: seen at 60 columns, `(unverified)` left `2 outages (`.
            let stale =
                !freshness(.onu).overall.isLive
                ? " (stale)" : !outages.contains(where: \.unverified) ? "" : naming ? " (unverified)" : "?"
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
        return view.outages.members(of: o).sorted { a, b in
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
