import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol

/// A client configuration for `server` with fast schedules, one token file per tenant.
public func clientConfiguration(
    _ server: RunningDemoBackend, tenants: [String: String], endpoints: [Endpoint],
    _ adjust: (inout ClientConfiguration) -> Void = { _ in }
) throws -> ClientConfiguration {
    let dir = try scratchDirectory()
    var sources: [String: TokenSource] = [:]
    for (tenant, token) in tenants {
        let path = dir + "/\(tenant).token"
        try writeToken(token, to: path)
        sources[tenant] = .file(path)
    }
    var c = ClientConfiguration(catalogue: server.catalogue, tenants: tenants.keys.sorted(), tokens: TokenStore(sources: sources))
    c.endpoints = endpoints
    c.discoverJobs = false
    c.discoverCampaigns = false
    // DemoBackend forwards for ever unless a test says otherwise: no re-subscription to count.
    c.resubscribeQuietSessions = nil
    c.backoff = Backoff(initialDelay: 0.05, multiplier: 2, maxDelay: 0.2, jitter: 0, resetAfter: 60)
    // Generous for a machine running the whole suite in parallel; tests of staleness set their own.
    c.staleAfter = 10
    // Two unanswered pings mean a dead socket: at 0.2 s that misfires on a machine running the whole
    // suite in parallel, and reconnects lose commands in flight.
    c.pingInterval = 1
    c.authRetry = 60
    c.tokenCheckInterval = 0.1
    c.commandTimeout = 3
    c.cancelConfirm = 1
    adjust(&c)
    return c
}

/// Everything a running manager reported so far, gathered by a consumer task.
public final class Collected: @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var events: [ClientEvent] = []
    public private(set) var coalesced = 0
    public private(set) var dropped = 0

    public func add(_ batch: Inbox.Batch) {
        lock.lock()
        events += batch.events
        coalesced += batch.coalesced
        dropped += batch.dropped
        lock.unlock()
    }

    public var all: [ClientEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    public func states(_ tenant: String, _ endpoint: Endpoint) -> [ConnectionState] {
        all.compactMap { if case .status(let t, let e, let s) = $0, t == tenant, e == endpoint { s } else { nil } }
    }

    public func events(_ endpoint: Endpoint) -> [(String, Event)] {
        all.compactMap { if case .event(let t, let e, let ev) = $0, e == endpoint { (t, ev) } else { nil } }
    }

    public func outcomes(_ command: ClientCommand) -> [CommandOutcome] {
        all.compactMap { if case .command(_, _, let c, let o) = $0, c == command { o } else { nil } }
    }

    public func isLive(_ tenant: String, _ endpoint: Endpoint) -> Bool { states(tenant, endpoint).last == .live }

    /// Every job read over REST (discovery, polls).
    public var snapshots: [JobSummary] {
        all.flatMap { e -> [JobSummary] in
            guard case .jobSnapshot(_, let jobs) = e else { return [] }
            return jobs
        }
    }
}

/// Runs a ConnectionManager while `body` runs, collecting what it reports.
///
/// Afterwards the manager is cancelled and must finish within `shutdownWithin` seconds (its
/// streams closed, its HTTP client shut down); if it does not, this throws ``TimedOut`` instead
/// of hanging the test.
public func withManager<T: Sendable>(
    _ configuration: ClientConfiguration, clock: some Clock<Duration> = ContinuousClock(), drain: Bool = true,
    shutdownWithin: Double = 20, _ body: @Sendable (ConnectionManager, Collected) async throws -> T
) async throws -> T {
    let manager = ConnectionManager(configuration: configuration, clock: clock)
    let collected = Collected()
    let run = Task { await manager.run() }
    let consumer = Task {
        guard drain else { return }
        while !Task.isCancelled {
            await manager.inbox.waitForEvents()
            collected.add(manager.inbox.drain())
        }
    }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(manager, collected))
    } catch {
        result = .failure(error)
    }
    run.cancel()
    consumer.cancel()
    let ended = await DemoBackend.finished(Task { await run.value }, within: shutdownWithin)
    if !ended, case .success = result {
        throw TimedOut(what: "the ConnectionManager to finish within \(Int(shutdownWithin)) s of cancellation")
    }
    return try result.get()
}
