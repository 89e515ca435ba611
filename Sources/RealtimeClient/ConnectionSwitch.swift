import Logging
import RealtimeProtocol
import ServiceLifecycle
import Synchronization

/// The console's connections, which a profile switch or a reload replaces whole: one
/// ``ConnectionManager`` at a time, all feeding one ``Inbox``.
///
/// A request builds the new configuration first (a bad config is said, and the streams that run
/// keep running); then the running manager is cancelled and awaited, so every stream of the old
/// configuration is closed before a `.restarted` marker goes into the inbox (which lets go of
/// what the old streams left queued), and the new manager starts.
public final class ConnectionSwitch: Service, Sendable {
    public enum Request: Sendable, Equatable {
        case profile(String)
        case reload
    }

    /// Builds what a request asks for: the configuration to run and the marker that says so.
    public typealias Build = @Sendable (Request) throws -> (ClientConfiguration, Restart)

    public let inbox: Inbox
    /// The manager running now, and whether a switch is under way (commands are refused then:
    /// the manager they would go to is closing).
    private let current: Mutex<(manager: ConnectionManager, switching: Bool)>
    private let requests: AsyncStream<Request>
    private let continuation: AsyncStream<Request>.Continuation
    private let build: Build
    private let logger: Logger

    public init(initial: ClientConfiguration, logger: Logger, build: @escaping Build) {
        inbox = Inbox(
            capacity: initial.inboxCapacity, entityCapacity: initial.inboxEntityCapacity, policy: initial.inboxPolicy,
            tap: initial.inboxTap)
        current = Mutex((ConnectionManager(configuration: initial, inbox: inbox, logger: logger), false))
        (requests, continuation) = AsyncStream.makeStream(of: Request.self)
        self.build = build
        self.logger = logger
    }

    /// The manager running now.
    public var manager: ConnectionManager { current.withLock { $0.manager } }

    /// The manager to send a command to, or nil while the connections are being switched.
    public var managerForCommands: ConnectionManager? { current.withLock { $0.switching ? nil : $0.manager } }

    /// The tokens of the configuration running now (for the console's expiry warnings).
    public var tokens: TokenStore { manager.configuration.tokens }

    /// Asks for a switch or a reload; carried out in order, one at a time.
    public func request(_ r: Request) { continuation.yield(r) }

    /// Runs the current manager, and replaces it on each request, until cancelled (or graceful
    /// shutdown); then the inbox is finished.
    public func run() async {
        await cancelWhenGracefulShutdown { await self.serve() }
        inbox.finish()
    }

    private func serve() async {
        var task = Self.start(manager)
        for await request in requests {
            let built: (ClientConfiguration, Restart)
            do {
                built = try build(request)
            } catch {
                logger.warning("\(request) not applied: \(error)")
                inbox.push(.notice("\(Self.describe(request)) not applied: \(error); the streams stay as they were"))
                continue
            }
            current.withLock { $0.switching = true }
            task.cancel()
            await task.value
            let next = ConnectionManager(configuration: built.0, inbox: inbox, logger: logger)
            // The new manager is the one commands go to before anything of it reaches the screen.
            current.withLock { $0 = (next, false) }
            inbox.push(.restarted(built.1))
            task = Self.start(next)
            logger.info("\(built.1.note)")
        }
        task.cancel()
        await task.value
    }

    static func start(_ manager: ConnectionManager) -> Task<Void, Never> {
        Task { await manager.run() }
    }

    static func describe(_ r: Request) -> String {
        switch r {
        case .profile(let name): "profile \(name)"
        case .reload: "reload"
        }
    }
}
