import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import RealtimeProtocol
import ServiceLifecycle

/// Runs every stream of every tenant and reports one ordered flow of ``ClientEvent``s
/// through a bounded ``Inbox``.
///
/// Each stream (tenant × endpoint) is a child task in a discarding task group; its failures
/// are values handed to its ``StreamStateMachine``, never errors that reach its siblings.
/// Job and campaign sockets are opened as discovery finds them. Commands go through
/// ``send(_:tenant:endpoint:)`` and their outcome comes back as ``ClientEvent/command(tenant:endpoint:command:outcome:)``.
public actor ConnectionManager {
    /// A stream: tenant × endpoint (the same ``StreamID`` the console uses).
    public typealias StreamKey = StreamID

    typealias Wake = WakeSignal.Wake

    public nonisolated let inbox: Inbox
    nonisolated let configuration: ClientConfiguration
    nonisolated let clock: StreamClock
    nonisolated let jitter: any JitterSource
    nonisolated let http: HTTPClient
    private let ownsHTTPClient: Bool
    /// Finished when the manager ends; not when the inbox was handed in (a ``ConnectionSwitch``
    /// feeds one inbox from one manager after another).
    private let ownsInbox: Bool
    nonisolated let logger: Logger

    private var wakes: [StreamKey: WakeSignal] = [:]
    private var sockets: [StreamKey: AsyncStream<ClientCommand>.Continuation] = [:]
    private var running: Set<StreamKey> = []
    /// Work for the task group; made at init, so that work asked for before ``run()`` starts
    /// (a command sent at once) waits for it instead of being lost.
    private let spawn: AsyncStream<Work>.Continuation
    private let spawnStream: AsyncStream<Work>

    /// What the manager's task group runs: a stream for its whole life, or one piece of work
    /// after a delay on the manager's clock (a command's time-out, a cancel's confirmation
    /// window, a REST fallback). Both are children of the group: cancelled with the manager,
    /// never left running after it.
    enum Work: Sendable {
        case stream(StreamKey)
        case later(seconds: Double, @Sendable () async -> Void)
    }
    /// Commands awaiting an answer, per socket, oldest first (the backend answers in order).
    /// The commands of each job and campaign socket (kept across reconnects: a late answer
    /// still belongs to its command).
    private var trackers: [StreamKey: CommandTracker] = [:]
    /// Job and campaign sockets whose upgrade the backend refuses (5xx), followed over REST:
    /// why. Their commands do not wait for a socket: cancel goes over REST, pause and resume
    /// are refused with the reason.
    private var polledSockets: [StreamKey: String] = [:]
    /// Discovery's last listing per tenant: each job as listed, when, and whether it differed
    /// from the listing before (``needsPoll(_:now:)``).
    var listings: [String: [String: Listing]] = [:]
    struct Listing: Sendable {
        var job: JobSummary
        var at: Double
        var changed: Bool
    }

    /// - Parameter httpClient: for REST (discovery, job reads, cancels); SSE and WebSocket
    ///   streams open NIO channels of their own with `configuration.tls`.
    public init(
        configuration: ClientConfiguration, clock: some Clock<Duration> = ContinuousClock(),
        jitter: any JitterSource = RandomJitter(),
        httpClient: HTTPClient? = nil, inbox: Inbox? = nil,
        logger: Logger = Logger(label: "realtime-dash.client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.configuration = configuration
        self.clock = StreamClock(clock)
        self.jitter = jitter
        if let httpClient {
            self.http = httpClient
            self.ownsHTTPClient = false
        } else {
            // Its own client: a bounded connect (so an outage shows as a retry, not an endless
            // "connecting"), and no read timeout: stream liveness is the stale watchdog's job.
            var c = HTTPClient.Configuration()
            c.timeout = .init(connect: .seconds(5), read: nil)
            // REST only (discovery, job polls, cancels: SSE streams have channels of their own,
            // SSEConnection): a few requests per tenant may be in flight at once.
            c.connectionPool = .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: 16 + 2 * configuration.tenants.count)
            // A failed connect fails at once: our backoff schedule decides when to try again (and the
            // operator sees "retry (connection refused)"), not AsyncHTTPClient's own retries hidden
            // behind "connecting" until the 5 s connect timeout.
            c.connectionPool.retryConnectionEstablishment = false
            c.tlsConfiguration = configuration.tls
            self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
            self.ownsHTTPClient = true
        }
        self.logger = logger
        (spawnStream, spawn) = AsyncStream.makeStream(of: Work.self)
        self.ownsInbox = inbox == nil
        self.inbox =
            inbox
            ?? Inbox(
                capacity: configuration.inboxCapacity, entityCapacity: configuration.inboxEntityCapacity,
                policy: configuration.inboxPolicy, tap: configuration.inboxTap)
    }

    // MARK: Running

    /// Runs until the task is cancelled (or, in a ServiceGroup, until graceful shutdown);
    /// then the inbox is finished.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.runStreams() }
    }

    private func runStreams() async {
        for tenant in configuration.tenants {
            for endpoint in configuration.endpoints { start(StreamKey(tenant: tenant, endpoint: endpoint)) }
            for job in configuration.watchJobs { start(StreamKey(tenant: tenant, endpoint: .job(job))) }
            for campaign in configuration.watchCampaigns { start(StreamKey(tenant: tenant, endpoint: .campaign(campaign))) }
        }
        await withDiscardingTaskGroup { group in
            for tenant in configuration.tenants where configuration.discoverJobs || configuration.discoverCampaigns {
                group.addTask { await self.discover(tenant: tenant) }
            }
            group.addTask { await self.watchTokens() }
            for await work in spawnStream {
                switch work {
                case .stream(let key):
                    group.addTask { await self.runStream(key) }
                case .later(let seconds, let body):
                    let clock = self.clock
                    group.addTask {
                        if seconds > 0 { try? await clock.sleep(seconds: seconds) }
                        if !Task.isCancelled { await body() }
                    }
                }
            }
            group.cancelAll()
        }
        spawn.finish()
        if ownsHTTPClient { try? await http.shutdown() }
        if ownsInbox { inbox.finish() }
    }

    private func start(_ key: StreamKey) {
        guard running.insert(key).inserted else { return }
        spawn.yield(.stream(key))
    }

    private func finished(_ key: StreamKey) {
        running.remove(key)
        wakes[key] = nil
    }

    private func register(_ key: StreamKey, _ wake: WakeSignal) { wakes[key] = wake }

    /// Runs `body` after `seconds` on the manager's clock, inside the manager's task group.
    /// Asked before ``run()`` starts, it waits for it; after the manager ended, it is dropped.
    func schedule(after seconds: Double, _ body: @escaping @Sendable () async -> Void) {
        spawn.yield(.later(seconds: seconds, body))
    }

    /// Reconnects every stream now (R), after re-reading the token sources.
    public func reconnectAll() {
        _ = configuration.tokens.changedTenants()
        for w in wakes.values { w.post(.reconnect) }
    }

    /// Reconnects one stream now.
    public func reconnect(tenant: String, endpoint: Endpoint) {
        wakes[StreamKey(tenant: tenant, endpoint: endpoint)]?.post(.reconnect)
    }

    /// Opens a job or campaign socket (if not already open).
    public func watch(tenant: String, endpoint: Endpoint) { start(StreamKey(tenant: tenant, endpoint: endpoint)) }

    /// The streams running now.
    public var streams: Set<StreamKey> { running }

    nonisolated func emit(_ e: ClientEvent) { inbox.push(e) }

    // MARK: One stream

    struct AttemptResult: Sendable {
        var failure: StreamStateMachine.Failure
        var liveAt: Moment?
        var lastEventID: String?
    }

    nonisolated func runStream(_ key: StreamKey) async {
        let wake = WakeSignal()
        await register(key, wake)
        var machine = StreamStateMachine(
            backoff: configuration.backoff, authRetry: configuration.authRetry,
            url: configuration.catalogue.url(for: key.endpoint), giveUpAfter: configuration.giveUpAfter)
        var action = machine.start()
        var lastEventID: String? = nil
        defer { wake.close() }
        while !Task.isCancelled {
            switch action {
            case .connect:
                emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: machine.state))
                guard let result = await attempt(key, lastEventID: lastEventID, interruptedBy: wake) else {
                    // R while connected or live: this connection is closed and a new one opened
                    // at once (with the token sources read again).
                    if Task.isCancelled { break }
                    logger.info("reconnecting on request", metadata: ["tenant": "\(key.tenant)", "endpoint": "\(key.endpoint)"])
                    action = machine.manualReconnect()
                    continue
                }
                if Task.isCancelled { break }
                if key.endpoint.isJobOrCampaign, result.liveAt == nil, case .http(let status, _) = result.failure, status >= 500 {
                    // The current backend release answers every job and campaign upgrade with
                    // 500 (PROTOCOL.md §9): follow the job over REST instead of retrying blind.
                    switch await followOverREST(key, reason: "WebSocket refused: HTTP \(status)", wake: wake) {
                    case .finished:
                        emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: .stopped(reason: .jobFinished)))
                        await finished(key)
                        return
                    case .tryAgain:
                        action = machine.manualReconnect()
                        continue
                    case .ended:
                        break
                    }
                    break
                }
                lastEventID = result.lastEventID ?? lastEventID
                if let liveAt = result.liveAt { machine.becameLive(at: liveAt) }
                if result.failure == .stale { emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: .stale)) }
                action = machine.failed(result.failure, at: clock.now(), jitter: jitter.draw())
                // A normal end (a finished job's socket, a 204) is not an error to show as one.
                if case .stopped(let reason) = machine.state, reason.isNormal {
                } else {
                    emit(.error(tenant: key.tenant, endpoint: key.endpoint, message: result.failure.description))
                }
                emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: machine.state))
                logger.info(
                    "stream ended",
                    metadata: [
                        "tenant": "\(key.tenant)", "endpoint": "\(key.endpoint)", "why": "\(result.failure)",
                        "next": "\(machine.state)",
                    ])
                if case .job = key.endpoint, case .stopped = machine.state {
                    await finished(key)
                    return
                }
            case .retry(let after):
                if case .job(let id) = key.endpoint { await pollJob(tenant: key.tenant, id: id) }
                switch await wake.wait(seconds: after, clock: clock) {
                case .woken(.reconnect): action = machine.manualReconnect()
                case .woken(.tokenChanged): action = machine.tokenChanged() ?? machine.retryNow()
                case .elapsed: action = machine.retryNow()
                case .ended: break
                }
            case .waitForManual:
                guard let w = await wake.next() else { break }
                action = w == .reconnect ? machine.manualReconnect() : (machine.tokenChanged() ?? .waitForManual)
            }
        }
        await finished(key)
    }

    /// One attempt, unless a manual reconnect (``reconnectAll()``) interrupts it: then nil, and
    /// the attempt is cancelled (its connection closed). A changed token does not interrupt a
    /// connection that works.
    nonisolated func attempt(_ key: StreamKey, lastEventID: String?, interruptedBy wake: WakeSignal) async -> AttemptResult? {
        enum End: Sendable {
            case done(AttemptResult)
            case interrupted
            /// The wake signal closed or was cancelled: the attempt decides.
            case nothing
        }
        return await withTaskGroup(of: End.self) { group in
            group.addTask { .done(await self.attempt(key, lastEventID: lastEventID)) }
            group.addTask {
                while let w = await wake.next() {
                    if w == .reconnect { return .interrupted }
                }
                return .nothing
            }
            defer { group.cancelAll() }
            while let end = await group.next() {
                switch end {
                case .done(let result): return result
                case .interrupted: return nil
                case .nothing: continue
                }
            }
            return nil
        }
    }

    nonisolated func attempt(_ key: StreamKey, lastEventID: String?) async -> AttemptResult {
        let token: String
        do {
            token = try configuration.tokens.token(for: key.tenant)
        } catch {
            return AttemptResult(failure: .noToken(error.description))
        }
        switch key.endpoint.kind {
        case .sse: return await attemptSSE(key, token: token, lastEventID: lastEventID)
        case .webSocket: return await attemptWebSocket(key, token: token)
        }
    }

    nonisolated func authHeaders(_ token: String) -> [(String, String)] {
        switch configuration.authScheme {
        case .bearer: [("Authorization", "Bearer \(token)")]
        case .cookie: [("Cookie", "access_token=\(token)")]
        }
    }

    // MARK: SSE

    nonisolated func attemptSSE(_ key: StreamKey, token: String, lastEventID: String?) async -> AttemptResult {
        var headers = [("Accept", "text/event-stream"), ("Cache-Control", "no-cache")] + authHeaders(token)
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        let clock = self.clock
        let t0 = clock.now()
        let watch = Locked(StreamWatch(.init(staleAfter: configuration.staleAfter), now: t0.monotonic))
        // Parsed on the event loop, handed over once per socket read (SSEStreamHandler). No read
        // time-out: liveness is the stale watchdog's, checked against the time the reads leave.
        let opened: (channel: Channel, done: EventLoopFuture<SSEStreamHandler.Outcome>)
        do {
            opened = try await SSEConnection.open(
                configuration.catalogue.url(for: key.endpoint), headers: headers, tls: configuration.tls,
                connectTimeout: configuration.connectTimeout, key: key, inbox: inbox, clock: clock, watch: watch,
                startedAt: t0)
        } catch {
            return AttemptResult(failure: .transport(TransportError.classify(error)))
        }
        return await withTaskGroup(of: AttemptResult?.self) { group in
            group.addTask {
                let outcome: SSEStreamHandler.Outcome
                do {
                    outcome = try await withTaskCancellationHandler {
                        try await opened.done.get()
                    } onCancel: {
                        opened.channel.close(promise: nil)
                    }
                } catch {
                    return AttemptResult(failure: .transport(TransportError.classify(error)))
                }
                if let failure = outcome.failure {
                    return AttemptResult(failure: failure, liveAt: watch.withLock(\.live), lastEventID: outcome.lastEventID)
                }
                if let error = outcome.error, !outcome.answered {
                    return AttemptResult(failure: .transport(TransportError.classify(error)))
                }
                let w = watch.withLock { $0 }
                return AttemptResult(
                    failure: w.ended(by: outcome.error.map { TransportError.classify($0) }), liveAt: w.live,
                    lastEventID: outcome.lastEventID)
            }
            group.addTask {
                guard let failure = await watch.watch(on: clock, perform: { _ in }) else { return nil }
                return AttemptResult(failure: failure, liveAt: watch.withLock(\.live))
            }
            return await firstResult(of: &group, otherwise: AttemptResult(failure: .ended))
        }
    }

    nonisolated func deliver(_ decoded: DecodedEvent, key: StreamKey) {
        switch decoded {
        case .event(let event):
            emit(.event(tenant: key.tenant, endpoint: key.endpoint, event: event))
        case .malformed(let m):
            emit(.malformed(tenant: key.tenant, endpoint: key.endpoint, reason: m.reason, raw: m.raw))
        }
    }

    // MARK: WebSocket

    nonisolated func attemptWebSocket(_ key: StreamKey, token: String) async -> AttemptResult {
        let (commands, commandContinuation) = AsyncStream.makeStream(of: ClientCommand.self)
        let configuration = self.configuration
        let clock = self.clock
        let t0 = clock.now()
        var timing = StreamWatch.Timing(pingInterval: configuration.pingInterval, missedPongs: configuration.missedPongs)
        if case .job = key.endpoint { timing.jobPollInterval = configuration.jobPollInterval }
        if key.endpoint == .wsSessions { timing.resubscribeAfter = configuration.resubscribeQuietSessions }
        let watch = Locked(StreamWatch(timing, now: t0.monotonic))
        defer { commandContinuation.finish() }
        do {
            let inbox = self.inbox
            return try await WebSocketClient.connect(
                configuration.catalogue.url(for: key.endpoint), headers: authHeaders(token),
                tls: configuration.tls,
                // Events are parsed on the event loop and reach the inbox once per socket read.
                reader: { WebSocketEventReader(key: key, inbox: inbox, clock: clock, watch: watch) }
            ) { session in
                await self.socketOpened(key, commandContinuation)
                self.emit(
                    .latency(
                        tenant: key.tenant, endpoint: key.endpoint, milliseconds: (clock.now().monotonic - t0.monotonic) * 1000))
                let result = await withTaskGroup(of: AttemptResult?.self) { group in
                    group.addTask {
                        for await message in session.messages {
                            let now = clock.now()
                            watch.withLock { $0.arrived(now: now.monotonic) }
                            switch message {
                            case .pong:
                                continue
                            case .binary(let bytes):
                                self.emit(
                                    .malformed(
                                        tenant: key.tenant, endpoint: key.endpoint,
                                        reason: "a binary WebSocket frame (\(bytes.count) bytes)", raw: Array(bytes.prefix(256))))
                            case .text(let text):
                                await self.handleFrame(ServerFrame.parse(Array(text.utf8)), key: key, watch: watch, now: now)
                            }
                        }
                        let w = watch.withLock { $0 }
                        return AttemptResult(
                            failure: w.closed(code: session.closeCode, reason: session.closeReason ?? ""), liveAt: w.live)
                    }
                    group.addTask {
                        let failure = await watch.watch(on: clock) { action in
                            switch action {
                            case .sendPing: try? await session.send(ClientCommand.ping.json)
                            case .pollJob:
                                if case .job(let id) = key.endpoint, await self.needsPoll(key, now: clock.now().monotonic) {
                                    await self.pollJob(tenant: key.tenant, id: id)
                                }
                            case .end: break
                            }
                        }
                        guard let failure else { return nil }
                        return AttemptResult(failure: failure, liveAt: watch.withLock(\.live))
                    }
                    group.addTask {
                        for await command in commands { try? await session.send(command.json) }
                        return nil
                    }
                    return await firstResult(
                        of: &group, otherwise: AttemptResult(failure: .webSocketClosed(code: nil, reason: "")))
                }
                await self.socketClosed(key)
                return result
            }
        } catch let refused as WebSocketClient.UpgradeRefused {
            return AttemptResult(failure: .http(status: refused.status, retryAfter: nil))
        } catch {
            return AttemptResult(failure: .transport(TransportError.classify(error)))
        }
    }

    /// One server frame.
    nonisolated func handleFrame(_ frame: ServerFrame, key: StreamKey, watch: Locked<StreamWatch>, now: Moment) async {
        switch frame {
        case .subscribed:
            if watch.withLock({ $0.becameLive(now) }) { emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: .live)) }
        case .pong:
            if let rtt = watch.withLock({ $0.pong(now: now.monotonic) }) {
                emit(.latency(tenant: key.tenant, endpoint: key.endpoint, milliseconds: rtt * 1000))
            }
        case .ack(let ack):
            await answered(key, kind: ack.kind)
        case .error(let error):
            await rejected(key, error: error, now: now)
        case .event(let decoded):
            watch.withLock { $0.eventArrived(now: now.monotonic) }
            deliver(decoded, key: key)
            if case .event(let e) = decoded, case .job(let j) = e.payload {
                if j.status == .cancelled { await confirmed(key, .cancelJob) }
                if j.status.isTerminal { watch.withLock { $0.terminalJobEvent() } }
            }
        case .sessionInfo, .unknownControl:
            break
        case .malformed(let m):
            emit(.malformed(tenant: key.tenant, endpoint: key.endpoint, reason: m.reason, raw: m.raw))
        }
    }

    private func socketOpened(_ key: StreamKey, _ commands: AsyncStream<ClientCommand>.Continuation) { sockets[key] = commands }
    private func socketClosed(_ key: StreamKey) { sockets[key] = nil }

    // Small accessors for the extension in another file (private state stays here).
    func socketFor(_ key: StreamKey) -> AsyncStream<ClientCommand>.Continuation? { sockets[key] }
    func polledReason(_ key: StreamKey) -> String? { polledSockets[key] }
    func setPolled(_ key: StreamKey, _ reason: String?) { polledSockets[key] = reason }
    func wakesSnapshot() -> [(StreamKey, WakeSignal)] { wakes.map { ($0.key, $0.value) } }
    /// Runs one step of `key`'s command tracker and carries out what it returns; a new
    /// deadline gets a wake-up on the manager's clock.
    func track(_ key: StreamKey, _ step: (inout CommandTracker) -> [CommandTracker.Action]) {
        var tracker =
            trackers[key]
            ?? CommandTracker(
                commandTimeout: configuration.commandTimeout, cancelConfirm: configuration.cancelConfirm,
                isJob: { if case .job = key.endpoint { true } else { false } }())
        let before = tracker.nextDeadline
        let actions = step(&tracker)
        trackers[key] = tracker
        for action in actions {
            switch action {
            case .report(let command, let outcome):
                emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: command, outcome: outcome))
            case .cancelViaREST:
                if case .job(let id) = key.endpoint { schedule(after: 0) { await self.cancelViaREST(key, id: id) } }
            }
        }
        if let due = tracker.nextDeadline, due != before {
            let wait = max(0, due - clock.now().monotonic)
            schedule(after: wait) { await self.expireCommands(key) }
        }
    }

    func expireCommands(_ key: StreamKey) {
        let now = clock.now().monotonic
        track(key) { $0.expire(now: now) }
    }
}

/// The first child that ends with a result decides the attempt; the others (watchdog, pinger,
/// command writer) are cancelled. Also what decides when `tail` stops.
public func firstResult<T: Sendable>(of group: inout TaskGroup<T?>, otherwise fallback: T) async -> T {
    var result = fallback
    while let next = await group.next() {
        if let next {
            result = next
            break
        }
    }
    group.cancelAll()
    return result
}

/// A ConnectionManager runs in a ServiceGroup beside the other long-lived parts and stops
/// cleanly on SIGINT/SIGTERM.
extension ConnectionManager: Service {}
