import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// The answer to one WebSocket upgrade request.
enum UpgradeDecision: Sendable {
    case upgrade(DemoChannel.SocketHandler)
    /// Refuse with this HTTP status and JSON body (the backend's 403; an injected 500).
    case refuse(status: Int, body: String)
}

struct SocketContext: WebSocketContext {
    let logger: Logger
}

/// HTTP/1.1 with WebSocket upgrades, where a refused upgrade gets the status the backend
/// chooses.
///
/// hummingbird-websocket's `HTTP1WebSocketUpgradeChannel` answers every refused upgrade with
/// 400; the real backend answers 403 for a bad token or a missing permission (and, a known
/// defect, sometimes 500), and clients must tell those apart. This channel is the same
/// pipeline with that one difference. The WebSocket itself runs on swift-websocket's handler
/// (auto-ping, close handshake, fragmentation), as hummingbird-websocket does.
struct DemoChannel: ServerChildChannel, HTTPChannelHandler {
    typealias SocketHandler = @Sendable (WebSocketInboundStream, WebSocketOutboundWriter, SocketContext) async throws -> Void

    enum UpgradeResult: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, SocketHandler, Logger)
        case notUpgraded(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refused(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, Int, String)
    }

    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    let responder: Responder
    let decide: @Sendable (Request) -> UpgradeDecision
    let autoPing: Duration
    let maxFrameSize: Int

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let decision = NIOLoopBoundBox<UpgradeDecision?>(nil, eventLoop: channel.eventLoop)
            let decide = self.decide
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: maxFrameSize,
                enableAutomaticErrorHandling: true,
                shouldUpgrade: { channel, head in
                    let d: UpgradeDecision
                    if let request = try? HTTPRequest(head, secure: false, splitCookie: false) {
                        d = decide(Request(head: request, body: .init(buffer: ByteBuffer())))
                    } else {
                        d = .refuse(status: 400, body: #"{"detail":"Bad request"}"#)
                    }
                    decision.value = d
                    if case .upgrade = d { return channel.eventLoop.makeSucceededFuture(HTTPHeaders()) }
                    return channel.eventLoop.makeSucceededFuture(nil)
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        guard case .upgrade(let handler)? = decision.value else {
                            throw ChannelError.inappropriateOperationForState
                        }
                        let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return UpgradeResult.websocket(asyncChannel, handler, logger)
                    }
                })
            let serverUpgrade = NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        if case .refuse(let status, let body)? = decision.value {
                            return UpgradeResult.refused(asyncChannel, status, body)
                        }
                        return UpgradeResult.notUpgraded(asyncChannel)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: serverUpgrade)
            configuration.enablePipelining = false
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false
            let result = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .notUpgraded(let http1):
                await handleHTTP(asyncChannel: http1, logger: logger)
            case .refused(let http1, let status, let body):
                try await http1.executeThenClose { _, outbound in
                    let head = HTTPResponse(
                        status: .init(code: status),
                        headerFields: [
                            .connection: "close", .contentType: "application/json", .contentLength: String(body.utf8.count),
                        ])
                    try await outbound.write(contentsOf: [.head(head), .body(ByteBuffer(string: body)), .end(nil)])
                }
            case .websocket(let asyncChannel, let handler, let logger):
                _ = try await WebSocketHandler.handle(
                    type: .server,
                    configuration: .init(
                        extensions: [], autoPing: .enabled(timePeriod: autoPing), validateUTF8: false, maxFrameSize: maxFrameSize),
                    asyncChannel: asyncChannel,
                    context: SocketContext(logger: logger),
                    handler: handler)
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }
}
