import NIOCore
import NIOPosix

/// A listener of the benchmark's own (``SSEFirehose``, ``WebSocketFirehose``): 127.0.0.1, a port
/// the system chooses, each connection's pipeline set up by the firehose that started it.
public final class FirehoseListener: Sendable {
    public let port: Int
    private let channel: any Channel

    /// Listens; `configure` sets up each accepted connection's pipeline.
    static func start(_ configure: @escaping @Sendable (any Channel) throws -> Void) async throws -> FirehoseListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try configure(channel) } }
            .bind(host: "127.0.0.1", port: 0).get()
        return FirehoseListener(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    private init(port: Int, channel: any Channel) {
        self.port = port
        self.channel = channel
    }

    /// Stops listening (connections already open finish on their own).
    public func stop() async { try? await channel.close() }
}

/// A firehose writer's loop, safe to call from inside itself.
///
/// Writability changes while a chunk or frame is being written (its parts are separate writes,
/// and a flush can make room in between): writing another from there would cut into the one
/// being written. So a call during a run only asks the running loop to go round again, which it
/// does before it returns. (A class: a struct's mutating method entered again from inside itself
/// breaks Swift's exclusivity.)
final class ReentrantLoop {
    private var running = false
    private var again = false

    func run(_ body: () -> Void) {
        if running {
            again = true
            return
        }
        running = true
        defer { running = false }
        repeat {
            again = false
            body()
        } while again
    }
}
