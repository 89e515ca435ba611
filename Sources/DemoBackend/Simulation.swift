import RealtimeProtocol

/// Where a published event goes: the backend's Redis channels, by family or by job.
public enum Topic: Sendable, Hashable {
    case family(EventFamily)
    case job(String)
    case campaign(String)
}

/// One event ready to publish: rendered once, delivered to every matching subscriber.
public struct Publication: Sendable, Equatable {
    public var tenant: String
    public var topic: Topic
    /// The SSE `event:` name.
    public var eventName: String
    /// The payload bytes exactly as they go on the wire.
    public var json: String

    public init(tenant: String, topic: Topic, eventName: String, json: String) {
        self.tenant = tenant
        self.topic = topic
        self.eventName = eventName
        self.json = json
    }
}

/// A seeded ISP simulation for a set of tenants.
///
/// Per tenant: OLTs with PON ports and ONUs (2,048 by default), a subscriber per ONU, RADIUS
/// sessions that start, grow their cumulative counters and stop, tickets that move through
/// created → assigned → updated → resolved, alerts raised and cleared, bulk jobs that progress
/// and obey cancel/pause/resume, dunning campaigns, and now and then an outage storm (a PON or
/// a whole OLT loses power: hundreds of `onu.offline` and alerts within seconds, then recovery).
///
/// It is a value stepped by ``step(dt:now:)``: nothing in it reads a clock or a global random
/// source, so the same seed, steps and commands give the same events, byte for byte.
public struct Simulation: Sendable {
    public struct Options: Sendable {
        /// Scales every background rate (1 = tens of events per second per tenant).
        public var rate: Double = 1
        public var oltsPerTenant = 4
        public var ponPortsPerOLT = 16
        public var onusPerPON = 32
        /// Random outage storms (on in the demo; tests switch them off to keep streams quiet).
        public var randomStorms = true
        /// Start with this fraction of subscribers already online (sessions the clients did not see start).
        public var initialSessionFraction = 0.4
        public init() {}
    }

    public let options: Options
    public private(set) var tenants: [TenantSim]
    private var rng: SeededRandom

    public init(seed: UInt64, tenantIDs: [String], options: Options = Options(), now: UTCInstant) {
        self.options = options
        rng = SeededRandom(seed: seed)
        tenants = []
        for (i, id) in tenantIDs.enumerated() {
            tenants.append(TenantSim(id: id, index: i, options: options, rng: &rng, now: now))
        }
    }

    public var tenantIDs: [String] { tenants.map(\.id) }

    /// Advances the world by `dt` seconds; returns what it published, in order.
    public mutating func step(dt: Double, now: UTCInstant) -> [Publication] {
        var out: [Publication] = []
        for i in tenants.indices {
            tenants[i].step(dt: dt, now: now, rng: &rng, out: &out)
        }
        return out
    }

    // MARK: Commands

    func index(of tenant: String) -> Int? { tenants.firstIndex { $0.id == tenant } }

    public func job(_ id: String, tenant: String) -> SimJob? {
        guard let t = index(of: tenant) else { return nil }
        return tenants[t].jobs.first { $0.id == id }
    }

    public func jobs(tenant: String) -> [SimJob] {
        guard let t = index(of: tenant) else { return [] }
        return tenants[t].jobs
    }

    public func campaigns(tenant: String) -> [SimCampaign] {
        guard let t = index(of: tenant) else { return [] }
        return tenants[t].campaigns
    }

    /// Every ONU's current status, by serial (tests compare a client's view with it).
    public func onuStatuses(tenant: String) -> [String: ONUStatus] {
        guard let t = index(of: tenant) else { return [:] }
        return Dictionary(tenants[t].onus.map { ($0.serial, $0.status) }, uniquingKeysWith: { _, b in b })
    }

    /// The ids of the sessions online now.
    public func liveSessionIDs(tenant: String) -> Set<String> {
        guard let t = index(of: tenant) else { return [] }
        return Set(tenants[t].sessions.keys)
    }

    public func session(_ id: String, tenant: String) -> SimSession? {
        guard let t = index(of: tenant) else { return nil }
        return tenants[t].sessions[id]
    }

    /// Asks a job to stop; it is cancelled (with a `job.cancelled` event) on the next step.
    /// Returns false when the job is unknown or already finished.
    @discardableResult
    public mutating func requestCancel(job id: String, tenant: String, by user: String, now: UTCInstant) -> Bool {
        guard let t = index(of: tenant), let j = tenants[t].jobs.firstIndex(where: { $0.id == id }),
            !tenants[t].jobs[j].status.isTerminal
        else { return false }
        tenants[t].jobs[j].cancelRequestedBy = user
        return true
    }

    /// Cancels a job at once (the REST cancel); returns the job, or nil when unknown or finished.
    public mutating func cancelNow(job id: String, tenant: String, by user: String, now: UTCInstant) -> (SimJob, Publication)? {
        guard let t = index(of: tenant), let j = tenants[t].jobs.firstIndex(where: { $0.id == id }),
            !tenants[t].jobs[j].status.isTerminal
        else { return nil }
        tenants[t].jobs[j].cancelRequestedBy = user
        let p = tenants[t].finishCancel(j, now: now)
        return (tenants[t].jobs[j], p)
    }

    public mutating func setPaused(job id: String, tenant: String, _ paused: Bool) {
        guard let t = index(of: tenant), let j = tenants[t].jobs.firstIndex(where: { $0.id == id }) else { return }
        tenants[t].jobs[j].paused = paused
    }

    public mutating func campaignCommand(_ id: String, tenant: String, _ command: ClientCommand) {
        guard let t = index(of: tenant), let c = tenants[t].campaigns.firstIndex(where: { $0.id == id }) else { return }
        switch command {
        case .pauseCampaign: tenants[t].campaigns[c].isActive = false
        case .resumeCampaign: tenants[t].campaigns[c].isActive = true
        case .cancelCampaign: tenants[t].campaigns[c].isActive = false; tenants[t].campaigns[c].cancelled = true
        default: break
        }
    }

    /// Adds a job now (tests and the demo's first minute).
    @discardableResult
    public mutating func createJob(tenant: String, type: String? = nil, items: Int? = nil, now: UTCInstant) -> SimJob? {
        guard let t = index(of: tenant) else { return nil }
        return tenants[t].createJob(type: type, items: items, now: now, rng: &rng)
    }

    /// Starts an outage storm. `rate`/`duration` instead flood ONU flaps at that many events per
    /// second for that long (the performance storm). Nil for an unknown tenant.
    ///
    /// `olt` and `pon` (1-based, as the events name them: `olt-03` is 3) choose where it hits;
    /// random where not given, clamped to the simulated plant.
    public mutating func startStorm(
        tenant: String, scope: StormScope, rate: Double? = nil, duration: Double? = nil, olt: Int? = nil, pon: Int? = nil,
        now: UTCInstant
    ) -> StormReport? {
        guard let t = index(of: tenant) else { return nil }
        if let rate, let duration {
            tenants[t].floods.append(Flood(rate: rate, remaining: duration))
            return StormReport(olt: nil, pon: nil, onus: tenants[t].onus.count)
        }
        return tenants[t].startOutage(scope: scope, olt: olt.map { $0 - 1 }, pon: pon.map { $0 - 1 }, now: now, rng: &rng)
    }
}

/// What a storm looks like: `pon` a fibre cut on one PON, `olt` a whole OLT losing power, `area`
/// an area's power failure (dying gasps from the ONUs of several PONs of one OLT), `flap` one
/// alert raised and cleared again and again.
public enum StormScope: String, Sendable, CaseIterable { case pon, olt, area, flap }

/// What a storm hits: the OLT (`olt-03`), the PON port (nil for a whole OLT or a flood), and how
/// many ONUs go offline; for an area, its PONs; for a flapping alert, its type, source and how
/// many times it is raised.
public struct StormReport: Sendable, Equatable {
    public var olt: String?
    public var pon: Int?
    public var onus: Int
    public var pons: [Int]? = nil
    public var flapping: (type: String, source: String, times: Int)? = nil

    public init(
        olt: String?, pon: Int?, onus: Int, pons: [Int]? = nil, flapping: (type: String, source: String, times: Int)? = nil
    ) {
        self.olt = olt
        self.pon = pon
        self.onus = onus
        self.pons = pons
        self.flapping = flapping
    }

    public static func == (a: StormReport, b: StormReport) -> Bool {
        (a.olt, a.pon, a.onus, a.pons) == (b.olt, b.pon, b.onus, b.pons) && a.flapping?.type == b.flapping?.type
            && a.flapping?.source == b.flapping?.source && a.flapping?.times == b.flapping?.times
    }

    /// `{"storm":true,"olt":"olt-03","pon":11,"onus":32}`; an area adds `"pons":[4,5,6]`, a
    /// flapping alert `"flapping":"bgp_session_down","source":"rtr-edge-01","times":4`.
    public var json: String {
        var s =
            "{\"storm\":true,\"olt\":\(olt.map(JSONValue.quoted) ?? "null"),\"pon\":\(pon.map(String.init) ?? "null"),\"onus\":\(onus)"
        if let pons { s += ",\"pons\":[" + pons.map(String.init).joined(separator: ",") + "]" }
        if let f = flapping {
            s += ",\"flapping\":\(JSONValue.quoted(f.type)),\"source\":\(JSONValue.quoted(f.source)),\"times\":\(f.times)"
        }
        return s + "}"
    }
}

// MARK: - Entities

public struct SimONU: Sendable {
    public var serial: String
    public var olt: Int
    public var pon: Int
    public var status: ONUStatus
    public var signal: Double
    public var subscriber: Int
}

public struct SimSubscriber: Sendable {
    public var id: String
    public var account: String
    public var name: String
    public var username: String
    public var plan: String
    public var status: String
    public var onu: Int
    public var session: String?
}

public struct SimSession: Sendable {
    public var id: String
    public var subscriber: Int
    public var username: String
    public var nas: String
    public var framedIP: String
    public var profile: String
    public var startedAt: UTCInstant
    public var lastUpdate: UTCInstant
    public var bytesIn: Int64
    public var bytesOut: Int64
    /// Bytes per second while it lasts.
    public var rateIn: Double
    public var rateOut: Double
}

public struct SimJob: Sendable {
    public var id: String
    public var tenant: String
    public var type: String
    public var title: String
    public var status: JobStatus
    public var itemsTotal: Int
    public var processed = 0
    public var succeeded = 0
    public var failed = 0
    public var currentItem: String?
    public var errorMessage: String?
    public var createdAt: UTCInstant
    public var startedAt: UTCInstant?
    public var completedAt: UTCInstant?
    public var startAfter: UTCInstant
    public var paused = false
    public var cancelRequestedBy: String?
    public var cancelledBy: String?
    public var createdBy = "scheduler@example.net"
    /// Fails part-way with an error, when set.
    public var failAt: Int?

    public var progressPercent: Double {
        itemsTotal == 0 ? 0 : (Double(processed) / Double(itemsTotal) * 1000).rounded() / 10
    }
}

public struct SimCampaign: Sendable {
    public var id: String
    public var tenant: String
    public var name: String
    public var description: String?
    public var isActive: Bool
    public var priority: Int
    public var totalExecutions: Int
    public var createdAt: UTCInstant
    public var cancelled = false
}

struct SimAlert: Sendable {
    var id: String
    var type: String
    var severity: AlertSeverity
    var source: String
    var message: String
    var clearAt: UTCInstant
    var details: JSONValue?
}

struct SimTicket: Sendable {
    var id: String
    var number: String
    var title: String
    var category: String
    var priority: String
    var status: String
    var assignedTo: String?
    var subscriber: String?
    var nextAt: UTCInstant
}

struct Outage: Sendable {
    var onus: [Int]
    var nextDown = 0
    var downRate: Double
    var recoverAt: UTCInstant
    var nextUp = 0
    var alertIDs: [String]
    var recovering = false
}

/// An alert raised, cleared a few seconds later, raised again: `remaining` more times.
struct Flap: Sendable {
    var type: String
    var severity: AlertSeverity
    var source: String
    var message: String
    var remaining: Int
    var nextRaise: UTCInstant
}

struct Flood: Sendable {
    var rate: Double
    var remaining: Double
    var cursor = 0
}

// MARK: - One tenant

public struct TenantSim: Sendable {
    public let id: String
    let index: Int
    let options: Simulation.Options
    var onus: [SimONU] = []
    var subscribers: [SimSubscriber] = []
    public internal(set) var sessions: [String: SimSession] = [:]
    var activeSessions: [String] = []
    var activeIndex: [String: Int] = [:]
    public internal(set) var jobs: [SimJob] = []
    public internal(set) var campaigns: [SimCampaign] = []
    var alerts: [SimAlert] = []
    var tickets: [SimTicket] = []
    var outages: [Outage] = []
    var floods: [Flood] = []
    var flaps: [Flap] = []
    var counter = 0
    var nextStormCheck: Double = 0

    static let firstNames = [
        "Ada", "Kwame", "Amara", "Chidi", "Zainab", "Tunde", "Ngozi", "Femi", "Halima", "Sade", "Emeka", "Yusuf",
        "Aisha", "Bola", "Ifeoma", "Kofi", "Lola", "Musa", "Nneka", "Obi", "Rita", "Segun", "Temi", "Uche",
    ]
    static let lastNames = [
        "Obi", "Mensah", "Okafor", "Adeyemi", "Bello", "Eze", "Ibrahim", "Nwosu", "Owusu", "Balogun", "Danjuma",
        "Okeke", "Abiodun", "Lawal", "Chukwu", "Afolabi",
    ]
    static let plans = ["Home 50M", "Home 100M", "Home 300M", "Business 1G"]
    static let profiles = ["50M", "100M", "300M", "1G"]
    static let jobTypes = ["bulk_provision", "firmware_upgrade", "bulk_suspend", "data_import", "service_migration"]
    static let terminateCauses = ["User-Request", "Idle-Timeout", "Session-Timeout", "Lost-Carrier", "Admin-Reset", "Port-Error"]
    static let staff = ["noc-amaka", "noc-bayo", "field-chinedu", "noc-dayo", "field-efe"]

    init(id: String, index: Int, options: Simulation.Options, rng: inout SeededRandom, now: UTCInstant) {
        self.id = id
        self.index = index
        self.options = options
        var n = 0
        for olt in 0..<options.oltsPerTenant {
            for pon in 0..<options.ponPortsPerOLT {
                for _ in 0..<options.onusPerPON {
                    let serial = "HWTC" + hex(UInt64(index) << 24 | UInt64(n) << 4 | UInt64(rng.int(0...15)), 8)
                    onus.append(
                        SimONU(
                            serial: serial, olt: olt, pon: pon, status: .online, signal: rng.double(-24.5 ... -17.0),
                            subscriber: n))
                    let first = rng.pick(Self.firstNames), last = rng.pick(Self.lastNames)
                    let planIndex = rng.int(0...3)
                    subscribers.append(
                        SimSubscriber(
                            id: "sub-\(index + 1)-\(pad(n, 5))", account: "ACC-\(index + 1)\(pad(n, 6))",
                            name: "\(first) \(last)",
                            username: "\(first.lowercased()).\(last.lowercased())\(n)@\(id).isp", plan: Self.plans[planIndex],
                            status: "active", onu: n, session: nil))
                    n += 1
                }
            }
        }
        for s in subscribers.indices where rng.chance(options.initialSessionFraction) {
            let age = rng.double(60...7200)
            let start = UTCInstant(microseconds: now.microseconds - Int64(age * 1e6))
            _ = openSession(subscriber: s, at: start, rng: &rng)
            let id = subscribers[s].session!
            sessions[id]!.bytesIn = Int64(sessions[id]!.rateIn * age)
            sessions[id]!.bytesOut = Int64(sessions[id]!.rateOut * age)
        }
        let campaignNames = [
            ("Overdue 30 days - SMS reminder", 2), ("Overdue 60 days - suspension notice", 1), ("Final notice - collections", 3),
        ]
        for (name, priority) in campaignNames {
            campaigns.append(
                SimCampaign(
                    id: rng.uuid(), tenant: id, name: name, description: "Dunning campaign: \(name.lowercased())",
                    isActive: true, priority: priority, totalExecutions: rng.int(10...900), createdAt: now))
        }
        nextStormCheck = 0
    }

    // MARK: Step

    mutating func step(dt: Double, now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        let r = options.rate
        // RADIUS
        for _ in 0..<rng.count(rate: 8 * r, dt: dt) { updateRandomSession(now: now, rng: &rng, out: &out) }
        for _ in 0..<rng.count(rate: 1.2 * r, dt: dt) { startRandomSession(now: now, rng: &rng, out: &out) }
        for _ in 0..<rng.count(rate: 1.0 * r, dt: dt) {
            guard !activeSessions.isEmpty else { break }
            stopSession(rng.pick(activeSessions), cause: rng.pick(Self.terminateCauses), now: now, out: &out)
        }
        // ONUs
        for _ in 0..<rng.count(rate: 1.5 * r, dt: dt) { randomONUChange(now: now, rng: &rng, out: &out) }
        // Alerts
        // One every 10 s: a group (type × source) comes back about twice in 10 minutes, so the
        // console's flapping badge (3 clears in 10 minutes) stays rare outside a flap storm.
        for _ in 0..<rng.count(rate: 0.1 * r, dt: dt) { raiseRandomAlert(now: now, rng: &rng, out: &out) }
        clearDueAlerts(now: now, out: &out)
        // Tickets
        for _ in 0..<rng.count(rate: 0.12 * r, dt: dt) { createTicket(now: now, rng: &rng, out: &out) }
        advanceTickets(now: now, rng: &rng, out: &out)
        // Subscribers
        for _ in 0..<rng.count(rate: 0.06 * r, dt: dt) { subscriberChange(now: now, rng: &rng, out: &out) }
        // Jobs
        if jobs.filter({ !$0.status.isTerminal }).count < 4, rng.count(rate: 0.03 * r, dt: dt) > 0 {
            let job = createJob(type: nil, items: nil, now: now, rng: &rng)
            out.append(jobEvent(job, .jobCreated, now: now))
        }
        advanceJobs(dt: dt, now: now, rng: &rng, out: &out)
        // Storms
        if options.randomStorms {
            nextStormCheck -= dt
            if nextStormCheck <= 0 {
                nextStormCheck = 10
                if rng.chance(10.0 / 240.0 * min(r, 4)) && outages.isEmpty {
                    startOutage(scope: rng.chance(0.2) ? .area : .pon, now: now, rng: &rng)
                }
            }
        }
        advanceOutages(dt: dt, now: now, rng: &rng, out: &out)
        advanceFloods(dt: dt, now: now, out: &out)
        advanceFlaps(now: now, out: &out)
    }

    // MARK: Sessions

    mutating func openSession(subscriber s: Int, at now: UTCInstant, rng: inout SeededRandom) -> String {
        counter += 1
        let id = "s-\(index + 1)\(hex(UInt64(counter), 7))"
        let profileIndex = Self.plans.firstIndex(of: subscribers[s].plan) ?? 1
        let olt = onus[subscribers[s].onu].olt
        let session = SimSession(
            id: id, subscriber: s, username: subscribers[s].username, nas: "10.\(index + 1).\(olt).1",
            framedIP: "100.\(64 + index).\(s / 250).\(s % 250 + 2)", profile: Self.profiles[profileIndex], startedAt: now,
            lastUpdate: now,
            bytesIn: 0, bytesOut: 0, rateIn: rng.double(2e4...6e6), rateOut: rng.double(5e3...1e6))
        sessions[id] = session
        activeIndex[id] = activeSessions.count
        activeSessions.append(id)
        subscribers[s].session = id
        return id
    }

    func sessionEvent(_ s: SimSession, _ type: EventType, now: UTCInstant, counters: Bool, cause: String? = nil) -> Publication {
        let payload = SessionEvent(
            username: s.username, sessionID: s.id, nasIPAddress: s.nas, framedIPAddress: s.framedIP,
            subscriberID: subscribers[s.subscriber].id, bandwidthProfile: s.profile,
            bytesIn: counters ? s.bytesIn : nil, bytesOut: counters ? s.bytesOut : nil,
            sessionTime: counters ? max(0, (now.microseconds - s.startedAt.microseconds) / 1_000_000) : nil, terminateCause: cause
        )
        return Publication(
            tenant: id, topic: .family(.session), eventName: type.rawValue,
            json: EventEncoder.json(type: type, tenantID: id, timestamp: now, payload: .session(payload)))
    }

    mutating func updateRandomSession(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        guard !activeSessions.isEmpty else { return }
        let sid = rng.pick(activeSessions)
        guard var s = sessions[sid] else { return }
        let elapsed = Double(max(0, now.microseconds - s.lastUpdate.microseconds)) / 1e6
        s.bytesIn += Int64(s.rateIn * elapsed * rng.double(0.5...1.5))
        s.bytesOut += Int64(s.rateOut * elapsed * rng.double(0.5...1.5))
        s.lastUpdate = now
        sessions[sid] = s
        out.append(sessionEvent(s, .sessionUpdated, now: now, counters: true))
    }

    mutating func startRandomSession(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        for _ in 0..<8 {
            let s = rng.int(0...(subscribers.count - 1))
            guard subscribers[s].session == nil, subscribers[s].status == "active", onus[subscribers[s].onu].status != .offline
            else { continue }
            let sid = openSession(subscriber: s, at: now, rng: &rng)
            out.append(sessionEvent(sessions[sid]!, .sessionStarted, now: now, counters: false))
            return
        }
    }

    mutating func stopSession(_ sid: String, cause: String, now: UTCInstant, out: inout [Publication]) {
        guard var s = sessions.removeValue(forKey: sid) else { return }
        let elapsed = Double(max(0, now.microseconds - s.lastUpdate.microseconds)) / 1e6
        s.bytesIn += Int64(s.rateIn * elapsed)
        s.bytesOut += Int64(s.rateOut * elapsed)
        if let i = activeIndex.removeValue(forKey: sid) {
            let last = activeSessions.removeLast()
            if i < activeSessions.count {
                activeSessions[i] = last
                activeIndex[last] = i
            }
        }
        subscribers[s.subscriber].session = nil
        out.append(sessionEvent(s, .sessionStopped, now: now, counters: true, cause: cause))
    }

    // MARK: ONUs

    func onuEvent(_ n: Int, _ type: EventType, previous: ONUStatus?, now: UTCInstant) -> Publication {
        let o = onus[n]
        let payload = ONUEvent(
            onuSerial: o.serial, subscriberID: subscribers[o.subscriber].id, status: o.status,
            signalDBm: o.status == .offline ? nil : (o.signal * 100).rounded() / 100, previousStatus: previous,
            oltID: "olt-\(pad(o.olt + 1, 2))", ponPort: o.pon + 1)
        return Publication(
            tenant: id, topic: .family(.onu), eventName: type.rawValue,
            json: EventEncoder.json(type: type, tenantID: id, timestamp: now, payload: .onu(payload)))
    }

    mutating func setONU(_ n: Int, _ status: ONUStatus, now: UTCInstant, out: inout [Publication]) {
        let previous = onus[n].status
        onus[n].status = status
        let type: EventType =
            switch status {
            case .online: .onuOnline
            case .offline: .onuOffline
            case .degraded: .onuSignalDegraded
            default: .onuOnline
            }
        out.append(onuEvent(n, type, previous: previous, now: now))
    }

    mutating func randomONUChange(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        let n = rng.int(0...(onus.count - 1))
        guard !outages.contains(where: { $0.onus.contains(n) }) else { return }
        switch onus[n].status {
        case .online:
            // Mostly a weak signal; now and then one goes dark. Background churn must stay well
            // under what the console calls an outage (5 on a PON, or 20 on an OLT, in 2 minutes):
            // about 13 ONUs a minute offline over the whole plant.
            if rng.chance(0.85) {
                onus[n].signal = rng.double(-29.9 ... -27.1)
                setONU(n, .degraded, now: now, out: &out)
            } else {
                setONU(n, .offline, now: now, out: &out)
                if let sid = subscribers[onus[n].subscriber].session {
                    stopSession(sid, cause: "Lost-Carrier", now: now, out: &out)
                }
            }
        case .degraded, .offline, .rebooting, .other:
            onus[n].signal = rng.double(-24.5 ... -17.0)
            setONU(n, .online, now: now, out: &out)
        }
    }

    // MARK: Alerts

    mutating func raise(_ a: SimAlert, now: UTCInstant, out: inout [Publication]) {
        alerts.append(a)
        let payload = AlertEvent(
            alertID: a.id, alertType: a.type, severity: a.severity, source: a.source, message: a.message, details: a.details)
        out.append(
            Publication(
                tenant: id, topic: .family(.alert), eventName: EventType.alertRaised.rawValue,
                json: EventEncoder.json(type: .alertRaised, tenantID: id, timestamp: now, payload: .alert(payload))))
    }

    mutating func clear(_ i: Int, now: UTCInstant, out: inout [Publication]) {
        let a = alerts.remove(at: i)
        let payload = AlertEvent(
            alertID: a.id, alertType: a.type, severity: .info, source: a.source, message: "Cleared: \(a.message)", details: nil)
        out.append(
            Publication(
                tenant: id, topic: .family(.alert), eventName: EventType.alertCleared.rawValue,
                json: EventEncoder.json(type: .alertCleared, tenantID: id, timestamp: now, payload: .alert(payload))))
    }

    mutating func raiseRandomAlert(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        let kinds: [(String, AlertSeverity, String)] = [
            ("high_cpu", .warning, "CPU above 90% for 5 minutes"),
            ("link_flap", .warning, "Uplink flapped 6 times in 10 minutes"),
            ("optical_power_low", .error, "Rx optical power below -27 dBm"),
            ("temperature_high", .error, "Chassis temperature 71°C"),
            ("bgp_session_down", .critical, "BGP session to transit-2 down"),
            ("config_drift", .info, "Running config differs from golden"),
        ]
        let (type, severity, message) = rng.pick(kinds)
        counter += 1
        let olt = rng.int(1...options.oltsPerTenant)
        raise(
            SimAlert(
                id: "al-\(index + 1)-\(pad(counter, 6))", type: type, severity: severity, source: "olt-\(pad(olt, 2))",
                message: message, clearAt: UTCInstant(microseconds: now.microseconds + Int64(rng.double(20...90) * 1e6)),
                details: .object([.init("olt_id", .string("olt-\(pad(olt, 2))")), .init("threshold", .number("90"))])),
            now: now, out: &out)
    }

    mutating func clearDueAlerts(now: UTCInstant, out: inout [Publication]) {
        var i = 0
        while i < alerts.count {
            if alerts[i].clearAt <= now { clear(i, now: now, out: &out) } else { i += 1 }
        }
    }

    // MARK: Tickets

    func ticketEvent(_ t: SimTicket, _ type: EventType, now: UTCInstant) -> Publication {
        let payload = TicketEvent(
            ticketID: t.id, ticketNumber: t.number, title: t.title, category: t.category, priority: t.priority,
            status: t.status, assignedTo: t.assignedTo, subscriberID: t.subscriber)
        return Publication(
            tenant: id, topic: .family(.ticket), eventName: type.rawValue,
            json: EventEncoder.json(type: type, tenantID: id, timestamp: now, payload: .ticket(payload)))
    }

    mutating func createTicket(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        let kinds = [
            ("No internet since this morning", "connectivity", "high"), ("Slow speeds in the evening", "performance", "medium"),
            ("Router keeps rebooting", "equipment", "medium"), ("Billing question about last invoice", "billing", "low"),
            ("Fibre cable damaged by road works", "infrastructure", "urgent"),
        ]
        let (title, category, priority) = rng.pick(kinds)
        counter += 1
        let sub = subscribers[rng.int(0...(subscribers.count - 1))]
        let t = SimTicket(
            id: "tk-\(index + 1)-\(pad(counter, 6))", number: "TCK-2025-\(pad(counter, 5))", title: title, category: category,
            priority: priority, status: "open", assignedTo: nil, subscriber: sub.id,
            nextAt: UTCInstant(microseconds: now.microseconds + Int64(rng.double(5...30) * 1e6)))
        tickets.append(t)
        out.append(ticketEvent(t, .ticketCreated, now: now))
    }

    mutating func advanceTickets(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        var i = 0
        while i < tickets.count {
            guard tickets[i].nextAt <= now else { i += 1; continue }
            let next = UTCInstant(microseconds: now.microseconds + Int64(rng.double(10...60) * 1e6))
            switch tickets[i].status {
            case "open":
                tickets[i].status = "assigned"
                tickets[i].assignedTo = rng.pick(Self.staff)
                tickets[i].nextAt = next
                out.append(ticketEvent(tickets[i], .ticketAssigned, now: now))
            case "assigned":
                tickets[i].status = "in_progress"
                tickets[i].nextAt = next
                out.append(ticketEvent(tickets[i], .ticketUpdated, now: now))
            default:
                tickets[i].status = "resolved"
                out.append(ticketEvent(tickets[i], .ticketResolved, now: now))
                tickets.remove(at: i)
                continue
            }
            i += 1
        }
    }

    // MARK: Subscribers

    mutating func subscriberChange(now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        let s = rng.int(0...(subscribers.count - 1))
        let type: EventType
        switch subscribers[s].status {
        case "active":
            type = rng.chance(0.8) ? .subscriberSuspended : .subscriberTerminated
            subscribers[s].status = type == .subscriberSuspended ? "suspended" : "terminated"
            if let sid = subscribers[s].session { stopSession(sid, cause: "Admin-Reset", now: now, out: &out) }
        case "suspended":
            type = .subscriberActivated
            subscribers[s].status = "active"
        default:
            // A terminated account is replaced by a new sign-up on the same ONU.
            counter += 1
            subscribers[s].id = "sub-\(index + 1)-n\(pad(counter, 5))"
            subscribers[s].status = "pending"
            let first = rng.pick(Self.firstNames), last = rng.pick(Self.lastNames)
            subscribers[s].name = "\(first) \(last)"
            type = .subscriberCreated
            let sub = subscribers[s]
            out.append(subscriberEvent(sub, type, now: now))
            subscribers[s].status = "active"
            out.append(subscriberEvent(subscribers[s], .subscriberActivated, now: now))
            return
        }
        out.append(subscriberEvent(subscribers[s], type, now: now))
    }

    func subscriberEvent(_ s: SimSubscriber, _ type: EventType, now: UTCInstant) -> Publication {
        let payload = SubscriberEvent(
            subscriberID: s.id, accountNumber: s.account, fullName: s.name, status: s.status, plan: s.plan,
            onuSerial: onus[s.onu].serial)
        return Publication(
            tenant: id, topic: .family(.subscriber), eventName: type.rawValue,
            json: EventEncoder.json(type: type, tenantID: id, timestamp: now, payload: .subscriber(payload)))
    }

    // MARK: Jobs

    mutating func createJob(type: String?, items: Int?, now: UTCInstant, rng: inout SeededRandom) -> SimJob {
        let t = type ?? rng.pick(Self.jobTypes)
        let total = items ?? rng.int(40...400)
        let titles = [
            "bulk_provision": "Provision new ONUs", "firmware_upgrade": "ONU firmware V5R021 rollout",
            "bulk_suspend": "Suspend overdue accounts", "data_import": "Import subscriber CSV",
            "service_migration": "Migrate plans to 2026 catalogue",
        ]
        var job = SimJob(
            id: rng.uuid(), tenant: id, type: t, title: titles[t] ?? t, status: .pending, itemsTotal: total, createdAt: now,
            startAfter: UTCInstant(microseconds: now.microseconds + Int64(rng.double(1...4) * 1e6)))
        if rng.chance(0.1) { job.failAt = rng.int(1...max(1, total - 1)) }
        jobs.append(job)
        // Keep the job list bounded: forget the oldest finished ones.
        if jobs.count > 40, let old = jobs.firstIndex(where: { $0.status.isTerminal }) { jobs.remove(at: old) }
        return job
    }

    func jobEvent(_ j: SimJob, _ type: EventType, now: UTCInstant) -> Publication {
        let payload = JobEvent(
            jobID: j.id, jobType: j.type, status: j.status, progressPercent: j.progressPercent,
            itemsTotal: Int64(j.itemsTotal), itemsProcessed: Int64(j.processed), itemsSucceeded: Int64(j.succeeded),
            itemsFailed: Int64(j.failed), currentItem: j.currentItem, errorMessage: j.errorMessage)
        return Publication(
            tenant: id, topic: .job(j.id), eventName: type.rawValue,
            json: EventEncoder.json(type: type, tenantID: id, timestamp: now, payload: .job(payload)))
    }

    mutating func finishCancel(_ j: Int, now: UTCInstant) -> Publication {
        jobs[j].status = .cancelled
        jobs[j].cancelledBy = jobs[j].cancelRequestedBy
        jobs[j].completedAt = now
        jobs[j].currentItem = nil
        return jobEvent(jobs[j], .jobCancelled, now: now)
    }

    mutating func advanceJobs(dt: Double, now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        for j in jobs.indices where !jobs[j].status.isTerminal {
            if jobs[j].cancelRequestedBy != nil {
                out.append(finishCancel(j, now: now))
                continue
            }
            if jobs[j].status == .pending {
                if jobs[j].startAfter <= now {
                    jobs[j].status = .running
                    jobs[j].startedAt = now
                    out.append(jobEvent(jobs[j], .jobProgress, now: now))
                }
                continue
            }
            guard !jobs[j].paused else { continue }
            // About 1–3 % of the items per second: a job takes a minute or two.
            let items = rng.count(rate: Double(jobs[j].itemsTotal) * rng.double(0.01...0.03), dt: dt)
            guard items > 0 else { continue }
            for _ in 0..<items where jobs[j].processed < jobs[j].itemsTotal {
                jobs[j].processed += 1
                if rng.chance(0.04) { jobs[j].failed += 1 } else { jobs[j].succeeded += 1 }
                jobs[j].currentItem = onus[rng.int(0...(onus.count - 1))].serial
                if let failAt = jobs[j].failAt, jobs[j].processed >= failAt {
                    jobs[j].status = .failed
                    jobs[j].errorMessage =
                        "OLT olt-\(pad(rng.int(1...options.oltsPerTenant), 2)) stopped answering (SNMP timeout)"
                    jobs[j].completedAt = now
                    break
                }
            }
            if jobs[j].status == .failed {
                out.append(jobEvent(jobs[j], .jobFailed, now: now))
            } else if jobs[j].processed >= jobs[j].itemsTotal {
                jobs[j].status = .completed
                jobs[j].completedAt = now
                jobs[j].currentItem = nil
                out.append(jobEvent(jobs[j], .jobCompleted, now: now))
            } else {
                out.append(jobEvent(jobs[j], .jobProgress, now: now))
            }
        }
    }

    // MARK: Storms

    mutating func startOutage(
        scope: StormScope, olt chosenOLT: Int? = nil, pon chosenPON: Int? = nil, now: UTCInstant, rng: inout SeededRandom
    ) -> StormReport {
        let olt = min(max(0, chosenOLT ?? rng.int(0...(options.oltsPerTenant - 1))), options.oltsPerTenant - 1)
        switch scope {
        case .area: return startAreaPowerFailure(olt: olt, now: now, rng: &rng)
        case .flap: return startFlap(now: now)
        case .pon, .olt: break
        }
        let pon = min(max(0, chosenPON ?? rng.int(0...(options.ponPortsPerOLT - 1))), options.ponPortsPerOLT - 1)
        let affected = onus.indices.filter {
            onus[$0].olt == olt && (scope == .olt || onus[$0].pon == pon) && onus[$0].status != .offline
        }
        counter += 1
        let alertID = "al-\(index + 1)-\(pad(counter, 6))"
        let source = "olt-\(pad(olt + 1, 2))"
        let message =
            scope == .olt ? "OLT \(source) unreachable: power failure suspected" : "PON \(source)/\(pon + 1) loss of signal"
        let storm = Outage(
            onus: affected, downRate: Double(affected.count) / rng.double(2...4),
            recoverAt: UTCInstant(microseconds: now.microseconds + Int64(rng.double(20...60) * 1e6)), alertIDs: [alertID])
        pendingAlerts.append(
            SimAlert(
                id: alertID, type: scope == .olt ? "device_offline" : "pon_los", severity: .critical, source: source,
                message: message, clearAt: UTCInstant(microseconds: Int64.max),
                details: .object([
                    .init("olt_id", .string(source)), .init("pon_port", scope == .pon ? .number(String(pon + 1)) : .null),
                    .init("affected_onus", .number(String(affected.count))),
                ])))
        outages.append(storm)
        return StormReport(olt: source, pon: scope == .pon ? pon + 1 : nil, onus: affected.count)
    }

    /// An area's power failure: every ONU on a few neighbouring PONs of one OLT (at least 3 where
    /// it has them, so the console rolls them up into the OLT) goes offline; one critical
    /// `dying_gasp` alert per PON, sourced `olt-03/5`. The OLT itself stays up.
    mutating func startAreaPowerFailure(olt: Int, now: UTCInstant, rng: inout SeededRandom) -> StormReport {
        let ports = options.ponPortsPerOLT
        let count = min(ports, max(3, ports / 4))
        let first = rng.int(0...(ports - count))
        let pons = Array(first..<(first + count))
        let affected = onus.indices.filter { onus[$0].olt == olt && pons.contains(onus[$0].pon) && onus[$0].status != .offline }
        let source = "olt-\(pad(olt + 1, 2))"
        var ids: [String] = []
        for pon in pons {
            let n = affected.filter { onus[$0].pon == pon }.count
            counter += 1
            let alertID = "al-\(index + 1)-\(pad(counter, 6))"
            ids.append(alertID)
            pendingAlerts.append(
                SimAlert(
                    id: alertID, type: "dying_gasp", severity: .critical, source: "\(source)/\(pon + 1)",
                    message: "Dying gasp from \(n) ONUs on \(source)/\(pon + 1): mains power lost",
                    clearAt: UTCInstant(microseconds: Int64.max),
                    details: .object([
                        .init("olt_id", .string(source)), .init("pon_port", .number(String(pon + 1))),
                        .init("affected_onus", .number(String(n))),
                    ])))
        }
        outages.append(
            Outage(
                onus: affected, downRate: Double(affected.count) / rng.double(2...4),
                recoverAt: UTCInstant(microseconds: now.microseconds + Int64(rng.double(20...60) * 1e6)), alertIDs: ids))
        return StormReport(olt: source, pon: nil, onus: affected.count, pons: pons.map { $0 + 1 })
    }

    /// A BGP session that will not settle: raised, cleared 2.5 s later, raised again every 6 s,
    /// four times (the console calls a group raised and cleared 3 times in 10 minutes flapping).
    mutating func startFlap(now: UTCInstant) -> StormReport {
        let flap = Flap(
            type: "bgp_session_down", severity: .critical, source: "rtr-edge-01", message: "BGP session to transit-2 down",
            remaining: 4, nextRaise: now)
        flaps.append(flap)
        return StormReport(olt: nil, pon: nil, onus: 0, flapping: (flap.type, flap.source, flap.remaining))
    }

    mutating func advanceFlaps(now: UTCInstant, out: inout [Publication]) {
        var k = 0
        while k < flaps.count {
            if flaps[k].nextRaise <= now {
                counter += 1
                let f = flaps[k]
                raise(
                    SimAlert(
                        id: "al-\(index + 1)-\(pad(counter, 6))", type: f.type, severity: f.severity, source: f.source,
                        message: f.message, clearAt: UTCInstant(microseconds: now.microseconds + 2_500_000),
                        details: .object([.init("peer", .string("transit-2"))])),
                    now: now, out: &out)
                flaps[k].remaining -= 1
                flaps[k].nextRaise = UTCInstant(microseconds: now.microseconds + 6_000_000)
            }
            if flaps[k].remaining <= 0 { flaps.remove(at: k) } else { k += 1 }
        }
    }

    var pendingAlerts: [SimAlert] = []

    mutating func advanceOutages(dt: Double, now: UTCInstant, rng: inout SeededRandom, out: inout [Publication]) {
        for a in pendingAlerts { raise(a, now: now, out: &out) }
        pendingAlerts.removeAll()
        var k = 0
        while k < outages.count {
            if !outages[k].recovering {
                let n = max(1, rng.count(rate: outages[k].downRate, dt: dt))
                for _ in 0..<n where outages[k].nextDown < outages[k].onus.count {
                    let o = outages[k].onus[outages[k].nextDown]
                    outages[k].nextDown += 1
                    setONU(o, .offline, now: now, out: &out)
                    if let sid = subscribers[onus[o].subscriber].session {
                        stopSession(sid, cause: "Lost-Carrier", now: now, out: &out)
                    }
                }
                if outages[k].recoverAt <= now && outages[k].nextDown >= outages[k].onus.count {
                    outages[k].recovering = true
                    for id in outages[k].alertIDs {
                        if let i = alerts.firstIndex(where: { $0.id == id }) { clear(i, now: now, out: &out) }
                    }
                }
                k += 1
                continue
            }
            let n = max(1, rng.count(rate: outages[k].downRate / 2, dt: dt))
            for _ in 0..<n where outages[k].nextUp < outages[k].onus.count {
                let o = outages[k].onus[outages[k].nextUp]
                outages[k].nextUp += 1
                onus[o].signal = rng.double(-24.5 ... -17.0)
                setONU(o, .online, now: now, out: &out)
                let s = onus[o].subscriber
                if subscribers[s].session == nil, subscribers[s].status == "active", rng.chance(0.7) {
                    let sid = openSession(subscriber: s, at: now, rng: &rng)
                    out.append(sessionEvent(sessions[sid]!, .sessionStarted, now: now, counters: false))
                }
            }
            if outages[k].nextUp >= outages[k].onus.count { outages.remove(at: k) } else { k += 1 }
        }
    }

    /// The performance storm: `rate` ONU flaps per second, cycling over every ONU.
    mutating func advanceFloods(dt: Double, now: UTCInstant, out: inout [Publication]) {
        var k = 0
        while k < floods.count {
            let n = Int((floods[k].rate * min(dt, floods[k].remaining)).rounded())
            out.reserveCapacity(out.count + n)
            for _ in 0..<n {
                let o = floods[k].cursor % onus.count
                floods[k].cursor += 1
                setONU(o, onus[o].status == .offline ? .online : .offline, now: now, out: &out)
            }
            floods[k].remaining -= dt
            if floods[k].remaining <= 0 { floods.remove(at: k) } else { k += 1 }
        }
    }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

func hex(_ v: UInt64, _ width: Int) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
