import Foundation
import Hummingbird
import HummingbirdTLS
import NIOSSL
import HummingbirdCore
import Logging
import ServiceLifecycle
import NIOCore
import RealtimeProtocol

/// A protocol-faithful stand-in for the DotMac realtime backend (PROTOCOL.md), with a seeded
/// ISP simulation and test controls.
///
/// Start it with ``run(onReady:)`` (until cancelled) or ``withDemoBackend(_:_:)`` (scoped);
/// tests bind 127.0.0.1 port 0, the `demo-server` command port 8000.
public final class DemoBackend: Sendable {
    public struct Configuration: Sendable {
        public enum Era: String, Sendable, CaseIterable {
            /// `/api/isp/v1`, 401 on a bad SSE token, the combined `/events` stream.
            case current
            /// `/api/v1`, SSE without a valid token streams tenant `platform`, no `/events`.
            case legacy
        }

        public var host = "127.0.0.1"
        public var port = 0
        public var basePath: String? = nil
        public var era: Era = .current
        public var seed: UInt64 = 1
        public var tenantCount = 2
        /// Scales the simulation's rates.
        public var rate: Double = 1
        /// Step the simulation in the background; tests switch it off and call ``DemoBackend/step(seconds:)``.
        public var runsSimulation = true
        /// SSE keep-alive comment interval (the backend's is 15 s).
        public var pingInterval: Duration = .seconds(15)
        /// Protocol-level WebSocket pings (the backend's are every 20 s).
        public var webSocketAutoPing: Duration = .seconds(20)
        /// The simulation's step.
        public var tick: Duration = .milliseconds(100)
        /// Random outage storms in the background simulation.
        public var randomStorms = true
        /// Serve the `/__admin` test controls.
        public var admin = false
        /// The HS256 secret; random when nil.
        public var secret: [UInt8]? = nil
        /// Serve https:// and wss:// with this certificate chain and key (PEM files).
        public var tls: (certificateChain: String, privateKey: String)? = nil
        public var scheme: String { tls == nil ? "http" : "https" }
        public var logger = Logger(label: "demo-backend", factory: { _ in SwiftLogNoOpLogHandler() })

        public init() {}

        /// The REST base path in force.
        public var restBase: String { basePath ?? (era == .legacy ? "/api/v1" : EndpointCatalogue.defaultBasePath) }
    }

    public let configuration: Configuration
    public let authority: TokenAuthority
    let hub = Hub()
    let world: Locked<Simulation>
    let jobReadCount = Locked(0)
    private let boundPort = Locked<Int?>(nil)
    /// Time added by manual ``step(seconds:)`` calls, so a stepped simulation moves forward.
    private let manualOffset = Locked<Int64>(0)

    /// The simulation's now: the wall clock plus manual steps.
    func simNow() -> UTCInstant {
        UTCInstant(microseconds: UTCInstant.now().microseconds + manualOffset.withLock { $0 })
    }

    public init(_ configuration: Configuration) {
        self.configuration = configuration
        authority = TokenAuthority(secret: configuration.secret ?? TokenAuthority.randomSecret())
        var options = Simulation.Options()
        options.rate = configuration.rate
        options.randomStorms = configuration.randomStorms
        let tenants = (1...max(1, configuration.tenantCount)).map { "t-" + pad($0, 2) }
        world = Locked(Simulation(seed: configuration.seed, tenantIDs: tenants, options: options, now: UTCInstant.now()))
    }

    /// The tenants the simulation runs (`t-01`, `t-02`, …).
    public var tenantIDs: [String] { world.withLock { $0.tenantIDs } }

    /// The port it listens on, once running.
    public var port: Int? { boundPort.withLock { $0 } }

    /// `http://host:port`, once running.
    public var origin: String? { port.map { "\(configuration.scheme)://\(configuration.host):\($0)" } }

    /// Mints a token signed with this backend's secret.
    public func mintToken(
        tenant: String?, permissions: [String] = TokenAuthority.allPermissions, lifetime: Int64 = 900,
        subject: String = "demo-operator"
    ) -> String {
        authority.mint(
            tenant: tenant, subject: subject, permissions: permissions, lifetime: lifetime,
            now: Int64(UTCInstant.now().secondsSinceEpoch))
    }

    // MARK: Test controls (also served under /__admin with `admin`)

    /// Publishes raw JSON bytes on a tenant's channel, as the backend's publishers do.
    public func publish(tenant: String, endpoint: Endpoint, json: String, eventName: String? = nil) {
        let name = eventName ?? (try? JSONValue.parse(json))?["event_type"]?.stringValue ?? "message"
        for topic in Self.topics(for: endpoint) {
            hub.publish(Publication(tenant: tenant, topic: topic, eventName: name, json: json))
        }
    }

    static func topics(for endpoint: Endpoint) -> [Topic] {
        switch endpoint {
        case .job(let id): [.job(id)]
        case .campaign(let id): [.campaign(id)]
        default: endpoint.families.map { .family($0) }.sorted { "\($0)" < "\($1)" }
        }
    }

    /// Starts an outage storm (on OLT `olt` and PON `pon`, 1-based, where given), or with `rate`
    /// and `duration` a flood of ONU flaps at that rate: what it hit, nil for an unknown tenant.
    @discardableResult
    public func triggerStorm(
        tenant: String, scope: StormScope = .pon, rate: Double? = nil, duration: Double? = nil, olt: Int? = nil,
        pon: Int? = nil
    )
        -> StormReport?
    {
        world.withLock {
            $0.startStorm(tenant: tenant, scope: scope, rate: rate, duration: duration, olt: olt, pon: pon, now: simNow())
        }
    }

    /// Drops every open connection abruptly.
    public func dropAllConnections() { hub.broadcast(.drop) }

    /// Stops writing on every connection, keeping sockets open; `nil` = until ``unstall()``.
    public func stall(seconds: Double? = nil) { hub.stall(seconds: seconds) }
    public func unstall() { hub.unstall() }

    /// Slow-drip mode: SSE frames are written a byte at a time, `pause` apart (nil ends it).
    public func drip(_ pause: Duration?) { hub.setDrip(pause) }

    /// Fails the next `count` connection attempts with `status` (200: headers, then a drop before `connected`).
    public func failNextConnections(_ count: Int, status: Int) { hub.failNext(count, status: status) }

    /// Closes every WebSocket with `code`.
    public func closeWebSockets(code: UInt16, reason: String = "") {
        hub.broadcast(.close(code: code, reason: reason), webSocketsOnly: true)
    }

    /// `false` (default, like the current backend): `resume_job` gets no answer and changes nothing.
    public func setResumeAnswered(_ on: Bool) { hub.setResumeAnswered(on) }

    /// Answers every job and campaign WebSocket upgrade with `status` (500 is what the current
    /// backend release does, PROTOCOL.md §9); nil upgrades them again.
    public func refuseJobSockets(status: Int?) { hub.jobSocketRefusal = status }

    /// Stops forwarding a WebSocket's events `timeout` after subscribing or after its last event,
    /// while pings are still answered, as the backend does after 5 s (PROTOCOL.md §9); nil
    /// forwards for ever. Applies to sockets opened afterwards.
    public func stopForwardingWebSockets(after timeout: Duration?) { hub.webSocketForwardingTimeout = timeout }

    /// New connections to `endpoint` (any when nil) first receive `count` pre-rendered events as
    /// fast as the socket takes them, framed as `framing` says (the real backend's one HTTP chunk
    /// per event unless asked otherwise). 0 disarms.
    public func armFirehose(count: Int, endpoint: Endpoint? = nil, framing: FirehoseFraming = .perEvent) {
        hub.armFirehose(count: count, endpoint: endpoint, framing: framing)
    }

    /// Connection attempts per endpoint name since start.
    public var connectionAttempts: [String: Int] { hub.attempts }

    /// Open streaming connections.
    public var openConnections: Int { hub.connectionCount }

    /// `GET /jobs/{id}` requests answered so far.
    public var jobReads: Int { jobReadCount.withLock { $0 } }

    /// Events published so far (simulation, storms, publish control), each counted once.
    public var publishedCount: Int { hub.publishedCount }

    /// Creates a job now, for tests and demos.
    @discardableResult
    public func createJob(tenant: String, type: String? = nil, items: Int? = nil) -> String? {
        let now = simNow()
        let (job, publication) = world.withLock { w -> (SimJob?, Publication?) in
            guard let job = w.createJob(tenant: tenant, type: type, items: items, now: now) else { return (nil, nil) }
            let t = w.tenants.first { $0.id == tenant }!
            return (job, t.jobEvent(job, .jobCreated, now: now))
        }
        if let publication { hub.publish(publication) }
        return job?.id
    }

    public func campaignIDs(tenant: String) -> [String] { world.withLock { $0.campaigns(tenant: tenant).map(\.id) } }

    public func jobStatus(_ id: String, tenant: String) -> (status: JobStatus, paused: Bool, processed: Int)? {
        world.withLock { w in w.job(id, tenant: tenant).map { ($0.status, $0.paused, $0.processed) } }
    }

    /// Every ONU's status now, by serial.
    public func onuStatuses(tenant: String) -> [String: ONUStatus] { world.withLock { $0.onuStatuses(tenant: tenant) } }

    /// The sessions online now.
    public func liveSessionIDs(tenant: String) -> Set<String> { world.withLock { $0.liveSessionIDs(tenant: tenant) } }

    /// Every job of the tenant with its status.
    public func jobStatuses(tenant: String) -> [String: JobStatus] {
        world.withLock { Dictionary($0.jobs(tenant: tenant).map { ($0.id, $0.status) }, uniquingKeysWith: { _, b in b }) }
    }

    /// Advances the simulation by hand (tests that switch the background simulation off).
    public func step(seconds: Double) {
        let now = manualOffset.withLock { offset -> UTCInstant in
            offset += Int64(seconds * 1e6)
            return UTCInstant(microseconds: UTCInstant.now().microseconds + offset)
        }
        let ps = world.withLock { $0.step(dt: seconds, now: now) }
        hub.publish(ps)
    }

    // MARK: Running

    /// Runs the server and the simulation until the task is cancelled. `onReady` gets the port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        addRoutes(router)
        let autoPing = configuration.webSocketAutoPing
        var server = HTTPServerBuilder { responder in
            DemoChannel(responder: responder, decide: { self.upgradeDecision($0) }, autoPing: autoPing, maxFrameSize: 16 << 20)
        }
        if let tls = configuration.tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
            server = try .tls(
                server, tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "uvicorn"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                self.boundPort.withLock { $0 = port }
                await onReady(port)
            },
            logger: configuration.logger)
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await app.run() }
                if configuration.runsSimulation && configuration.rate > 0 {
                    group.addTask { await self.simulationLoop() }
                }
            }
        } onCancel: {
            hub.shutdown()
        }
    }

    private func simulationLoop() async {
        let clock = ContinuousClock()
        var last = clock.now
        while !Task.isCancelled {
            try? await clock.sleep(for: configuration.tick)
            let now = clock.now
            let dt = Double((now - last).components.attoseconds) / 1e18 + Double((now - last).components.seconds)
            last = now
            let ps = world.withLock { $0.step(dt: min(dt, 1), now: simNow()) }
            hub.publish(ps)
        }
    }
}

/// A running backend, handed to the body of ``withDemoBackend(_:_:)``.
public struct RunningDemoBackend: Sendable {
    public let backend: DemoBackend
    public let port: Int
    public init(backend: DemoBackend, port: Int) {
        self.backend = backend
        self.port = port
    }
    public var origin: String { "\(backend.configuration.scheme)://\(backend.configuration.host):\(port)" }
    public var catalogue: EndpointCatalogue { try! EndpointCatalogue(origin: origin, basePath: backend.configuration.restBase) }
}

/// Runs a demo backend for the duration of `body`, then stops it.
public func withDemoBackend<T: Sendable>(
    _ configuration: DemoBackend.Configuration = .init(),
    shutdownWithin seconds: Double = 20,
    _ body: @Sendable (RunningDemoBackend) async throws -> T
) async throws -> T {
    let backend = DemoBackend(configuration)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let task = Task {
        try await backend.run(onReady: { port in
            portContinuation.yield(port)
            portContinuation.finish()
        })
        portContinuation.finish()
    }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        // The server ended before it bound: surface its error.
        try await task.value
        throw DemoBackendError("the demo backend stopped before it was listening")
    }
    let result: T
    do {
        result = try await body(RunningDemoBackend(backend: backend, port: port))
    } catch {
        task.cancel()
        _ = await DemoBackend.finished(task, within: seconds)
        throw error
    }
    task.cancel()
    guard await DemoBackend.finished(task, within: seconds) else {
        throw DemoBackendError(
            "the demo backend on port \(port) did not shut down within \(Int(seconds)) s "
                + "(\(backend.openConnections) streams still open)")
    }
    return result
}

extension DemoBackend {
    /// Waits at most `seconds` for `task` to end: whether it did. A task that does not end is
    /// left behind (and named in the caller's failure) instead of hanging the caller: awaiting
    /// an unstructured task's result is not cancellable.
    public static func finished(_ task: Task<Void, any Error>, within seconds: Double) async -> Bool {
        let once = Locked<CheckedContinuation<Bool, Never>?>(nil)
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            once.withLock { $0 = c }
            func resume(_ value: Bool) {
                once.withLock { slot in
                    slot?.resume(returning: value)
                    slot = nil
                }
            }
            Task {
                _ = await task.result
                resume(true)
            }
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                resume(false)
            }
        }
    }
}

public struct DemoBackendError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

/// The demo backend as one service of a `ServiceGroup` (`demo-server`, and the console's
/// `--demo`): it serves until the group shuts down, then closes its streams and its listener.
public struct DemoBackendService: Service {
    public let backend: DemoBackend
    let onReady: @Sendable (Int) async -> Void

    /// - Parameter onReady: called with the bound port once the server listens.
    public init(_ backend: DemoBackend, onReady: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.backend = backend
        self.onReady = onReady
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await backend.run(onReady: onReady) }
        } catch is CancellationError {
            // Shutting down is how a server ends.
        }
    }
}
