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
    c.backoff = Backoff(initialDelay: 0.05, multiplier: 2, maxDelay: 0.2, jitter: 0, resetAfter: 60)
    c.staleAfter = 2
    c.pingInterval = 0.2
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
}

/// Runs a ConnectionManager while `body` runs, collecting what it reports.
public func withManager<T: Sendable>(
    _ configuration: ClientConfiguration, drain: Bool = true,
    _ body: @Sendable (ConnectionManager, Collected) async throws -> T
) async throws -> T {
    let manager = ConnectionManager(configuration: configuration)
    let collected = Collected()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            await manager.run()
            return nil
        }
        if drain {
            group.addTask {
                while !Task.isCancelled {
                    await manager.inbox.waitForEvents()
                    collected.add(manager.inbox.drain())
                }
                return nil
            }
        }
        let result = try await body(manager, collected)
        group.cancelAll()
        while let _ = try await group.next() {}
        return result
    }
}
