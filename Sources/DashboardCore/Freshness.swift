import RealtimeProtocol

/// Whether what a pane shows for a tenant is current: one of the streams that feed it is live,
/// or none is and it says since when.
public enum Freshness: Sendable, Equatable {
    case live
    /// No feeding stream is live; `since` is when the last of them stopped being live.
    case stale(since: UTCInstant)
    /// No feeding stream was ever live (or there is none).
    case noConnection
    /// Every feeding stream was switched off by the server (204 No Content).
    case off

    public var isLive: Bool { self == .live }
}

/// Time without data, between a stream going down and coming back (nothing is replayed after a
/// reconnect: PROTOCOL.md §2).
public struct Gap: Sendable, Hashable {
    public var from: UTCInstant
    public var to: UTCInstant
}

extension Pane {
    /// Whether a stream on `endpoint` carries this pane's events.
    public func isFed(by endpoint: Endpoint) -> Bool {
        switch (self, endpoint) {
        case (.onu, .onuStatus), (.alerts, .alerts), (.tickets, .tickets), (.subscribers, .subscribers),
            (.sessions, .radiusSessions), (.sessions, .wsSessions), (_, .events):
            true
        case (.jobs, _):
            // Jobs are listed over REST and followed on their own sockets: those, and the tenant's
            // other streams (is the backend there at all?), feed the pane.
            true
        default:
            false
        }
    }
}

/// What a tenant's connections feeding a pane add up to: live when one is current; otherwise
/// stale since the latest went down, off when all ended with 204, no connection when none.
struct FeedTally {
    var live = false
    var any = false
    var allOff = true
    var since: UTCInstant? = nil

    mutating func add(_ info: ConnectionInfo) {
        // A socket that ended the normal way (a finished job) no longer feeds anything.
        if case .stopped(let reason) = info.state, reason == .jobFinished { return }
        // A job followed over REST (its socket refused) is current too.
        if info.state.isCurrent { live = true }
        any = true
        if info.state != .stopped(reason: .noContent) { allOff = false }
        if let d = info.downSince, since.map({ d > $0 }) ?? true { since = d }
    }

    var freshness: Freshness {
        if live { return .live }
        guard any else { return .noConnection }
        if allOff { return .off }
        return since.map { .stale(since: $0) } ?? .noConnection
    }
}

extension AppState {
    /// How current `pane`'s rows of `tenant` are.
    public func freshness(_ pane: Pane, tenant: String) -> Freshness {
        var tally = FeedTally()
        for (id, info) in connections where id.tenant == tenant && pane.isFed(by: id.endpoint) { tally.add(info) }
        return tally.freshness
    }

    /// The pane as a whole: live when every shown tenant's feed is; otherwise which tenants are
    /// down, and since when the last of them was live.
    public func freshness(_ pane: Pane) -> (overall: Freshness, down: [String]) {
        let shown = tenantFilter.map { [$0] } ?? tenants
        var down: [String] = []
        var latest: UTCInstant? = nil
        var allOff = true
        let byTenant = freshnessByTenant(pane)
        for t in shown {
            let f = byTenant[t] ?? .noConnection
            switch f {
            case .live: continue
            case .stale(let s):
                latest = latest.map { max($0, s) } ?? s
                allOff = false
            case .noConnection: allOff = false
            case .off: break
            }
            down.append(t)
        }
        if down.isEmpty { return (.live, []) }
        return (latest.map { .stale(since: $0) } ?? (allOff ? .off : .noConnection), down)
    }

    /// The header's verdict: nothing is live. `everLive` tells a start that has not connected
    /// yet from an outage.
    public var connectivity: (anyLive: Bool, everLive: Bool) {
        var everLive = false
        for info in connections.values {
            if case .stopped(let reason) = info.state, reason.isNormal { continue }
            if info.state.isLive { return (true, true) }
            if info.downSince != nil { everLive = true }
        }
        return (false, everLive)
    }

    /// Gaps in `pane`'s data for `tenant`, oldest first.
    func gaps(_ pane: Pane, tenant: String) -> [Gap] {
        var out: [Gap] = []
        for (id, info) in connections where id.tenant == tenant && pane.isFed(by: id.endpoint) { out += info.gaps }
        return out
    }

    /// Every tenant's gaps for `pane`, in one pass over the connections (a frame asks for every
    /// pane and every tenant: with 100 tenants and 700 connections, a pass per tenant was most
    /// of the frame, `bench scale`).
    func gapsByTenant(_ pane: Pane) -> [String: [Gap]] {
        var out: [String: [Gap]] = [:]
        for (id, info) in connections where !info.gaps.isEmpty && pane.isFed(by: id.endpoint) {
            out[id.tenant, default: []] += info.gaps
        }
        return out
    }

    /// Every tenant's ``freshness(_:tenant:)`` for `pane`, in one pass over the connections; a
    /// tenant with no connection feeding it is absent (`.noConnection`).
    func freshnessByTenant(_ pane: Pane) -> [String: Freshness] {
        var tallies: [String: FeedTally] = [:]
        for (id, info) in connections where pane.isFed(by: id.endpoint) { tallies[id.tenant, default: FeedTally()].add(info) }
        return tallies.mapValues(\.freshness)
    }
}
