import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import RealtimeProtocol

/// A WebSocket client on SwiftNIO's typed upgrade API, scoped with ``WebSocketClient/connect(_:headers:maxFrameSize:tls:connectTimeout:_:)``.
///
/// Why not websocket-kit: its client installs its frame handlers in a later event-loop task
/// (`eventLoop.submit`) after the 101, so when a server closes right after accepting (the
/// backend's `accept()` then `close(1008)` for an unknown job) the socket, its `onUpgrade`
/// and the close code are sometimes lost. Here the handlers go in synchronously in the
/// upgrade step, and refused upgrades report their HTTP status (403 vs the backend's 500
/// defect vs 404), which is what the transport needs to tell auth failures from outages.
///
/// The session answers protocol pings with pongs, reassembles fragmented messages (up to
/// `maxFrameSize`, 16 MiB by default: a 1 MB alert is legitimate), completes the close
/// handshake and records the peer's close code and reason.
public enum WebSocketClient {
    /// The server answered the upgrade request with this HTTP status instead of 101.
    public struct UpgradeRefused: Error, Sendable, Equatable, CustomStringConvertible {
        public var status: Int
        public init(status: Int) { self.status = status }
        public var description: String { "the WebSocket upgrade was refused with HTTP \(status)" }
    }

    public struct InvalidURL: Error, Sendable, CustomStringConvertible {
        public var url: String
        public var description: String { "'\(url)' is not a ws://, wss://, http:// or https:// URL" }
    }

    enum UpgradeResult: Sendable {
        case websocket(WebSocketSession, Channel)
        case notUpgraded(EventLoopFuture<HTTPResponseHead>)
    }

    /// Connects, runs `body` with the open session, then closes (1000) unless already closed.
    ///
    /// `reader` (made on the connection's event loop) takes text messages there, before they
    /// reach the session's `messages`.
    ///
    /// - Throws: ``UpgradeRefused`` with the HTTP status of a refused upgrade; connection errors.
    public static func connect<T: Sendable>(
        _ url: String,
        headers: [(String, String)] = [],
        maxFrameSize: Int = 16 << 20,
        tls: TLSConfiguration? = nil,
        connectTimeout: Duration = .seconds(10),
        reader: @escaping @Sendable () -> (any WebSocketTextReader)? = { nil },
        _ body: @escaping @Sendable (WebSocketSession) async throws -> T
    ) async throws -> T {
        let target = try Target(url)
        let group = MultiThreadedEventLoopGroup.singleton
        let sslContext = try target.secure ? NIOSSLContext(configuration: tls ?? .makeClientConfiguration()) : nil
        let result: UpgradeResult = try await ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(
                            context: sslContext, serverHostname: target.isIPAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(
                        maxFrameSize: maxFrameSize,
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                                        maxAccumulatedFrameSize: maxFrameSize))
                                let session = WebSocketSession(channel: channel)
                                try channel.pipeline.syncOperations.addHandler(
                                    WebSocketFrameHandler(session: session, reader: reader()))
                                return UpgradeResult.websocket(session, channel)
                            }
                        })
                    var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.pathAndQuery)
                    head.headers.add(name: "Host", value: target.hostHeader)
                    head.headers.add(name: "Content-Length", value: "0")
                    for (k, v) in headers { head.headers.add(name: k, value: v) }
                    let configuration = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(
                        upgradeRequestHead: head,
                        upgraders: [upgrader],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                // The refused response's head is passed down after this returns.
                                let catcher = ResponseHeadCatcher(promise: channel.eventLoop.makePromise())
                                try channel.pipeline.syncOperations.addHandler(catcher)
                                return UpgradeResult.notUpgraded(catcher.promise.futureResult)
                            }
                        })
                    var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                    // Frames that arrive in the same read as the 101 must reach the WebSocket
                    // decoder, not be dropped with the HTTP decoder (the default).
                    pipeline.leftOverBytesStrategy = .forwardBytes
                    return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                }
            }
            .get()
        switch result {
        case .notUpgraded(let head):
            let status = try await head.get().status.code
            throw UpgradeRefused(status: Int(status))
        case .websocket(let session, let channel):
            let value: T
            do {
                value = try await body(session)
            } catch {
                try? await channel.close()
                throw error
            }
            await session.closeIfOpen()
            try? await channel.close()
            return value
        }
    }

    /// Where a `ws://`, `wss://`, `http://` or `https://` URL points (SSEConnection uses it too).
    struct Target {
        var secure: Bool
        var host: String
        var port: Int
        var pathAndQuery: String
        var hostHeader: String
        var isIPAddress: Bool

        init(_ url: String) throws {
            let secure: Bool
            let rest: Substring
            // ws:// and wss:// for sockets, http:// and https:// for SSE (SSEConnection).
            if url.hasPrefix("wss://") || url.hasPrefix("https://") {
                secure = true
                rest = url.drop(while: { $0 != "/" }).dropFirst(2)
            } else if url.hasPrefix("ws://") || url.hasPrefix("http://") {
                secure = false
                rest = url.drop(while: { $0 != "/" }).dropFirst(2)
            } else {
                throw InvalidURL(url: url)
            }
            let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let authority = String(rest[..<slash])
            var path = String(rest[slash...])
            if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
            var host = authority
            var port = secure ? 443 : 80
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { guard let p = Int(after.dropFirst()) else { throw InvalidURL(url: url) }; port = p }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                guard let p = Int(authority[authority.index(after: colon)...]) else { throw InvalidURL(url: url) }
                port = p
            }
            guard !host.isEmpty else { throw InvalidURL(url: url) }
            self.secure = secure
            self.host = host
            self.port = port
            self.pathAndQuery = path
            self.hostHeader = authority
            self.isIPAddress = host.allSatisfy { $0.isNumber || $0 == "." } || host.contains(":")
        }
    }
}

/// Captures the response head of a refused upgrade.
final class ResponseHeadCatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    let promise: EventLoopPromise<HTTPResponseHead>

    init(promise: EventLoopPromise<HTTPResponseHead>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            promise.succeed(head)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
