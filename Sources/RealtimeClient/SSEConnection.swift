import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RealtimeProtocol

/// Opens SSE connections on NIO directly (SSEStreamHandler), with the same TLS settings,
/// connect time-out and target parsing as ``WebSocketClient``.
enum SSEConnection {
    /// Connects and sends the request; the channel carries the stream until `done` completes
    /// (when it closes, for whatever reason).
    static func open(
        _ url: String, headers: [(String, String)], tls: TLSConfiguration?, connectTimeout: Duration,
        key: StreamID, inbox: Inbox, clock: StreamClock, watch: Locked<StreamWatch>, startedAt: Moment
    ) async throws -> (channel: Channel, done: EventLoopFuture<SSEStreamHandler.Outcome>) {
        let target = try WebSocketClient.Target(url)
        let sslContext = try target.secure ? NIOSSLContext(configuration: tls ?? .makeClientConfiguration()) : nil
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.pathAndQuery)
        head.headers.add(name: "Host", value: target.hostHeader)
        for (k, v) in headers { head.headers.add(name: k, value: v) }
        let request = head
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: SSEStreamHandler.Outcome.self)
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: target.isIPAddress ? nil : target.host))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            SSEStreamHandler(
                                request: request, key: key, inbox: inbox, clock: clock, watch: watch, startedAt: startedAt,
                                done: done))
                    }
                }
                .connect(host: target.host, port: target.port)
                .get()
            return (channel, done.futureResult)
        } catch {
            done.fail(error)
            throw error
        }
    }
}
