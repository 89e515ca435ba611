import NIOCore
import NIOHTTP1
import NIOWebSocket
import RealtimeProtocol

/// A WebSocket firehose on a listener of its own, for `bench e2e`: every upgrade on any path gets
/// the backend's `subscribed` frame, then `count` event frames, one WebSocket frame per event, as
/// many frames per socket write as the socket takes (NIO gathers a flush's frames into one
/// `writev`).
///
/// DemoBackend's own WebSocket endpoints go through Hummingbird's writer, which writes and
/// flushes every frame on its own: there the server, on the same two cores, is the slower side,
/// and a benchmark of the client measures the server. This listener is the fair server. It is
/// not the backend's protocol (no token is checked, nothing but frames is sent) and is used by
/// nothing but the benchmark.
public enum WebSocketFirehose {
    /// Listens on 127.0.0.1, port chosen by the system.
    public static func start(tenant: String, endpoint: Endpoint, count: Int) async throws -> FirehoseListener {
        let payloads = Firehose.payloads(tenant: tenant, endpoint: endpoint).map { ByteBuffer(string: $0.json) }
        let subscribed = ByteBuffer(
            string: "{\"type\":\"subscribed\",\"channel\":\"\(tenant):sessions\",\"tenant_id\":\(JSONValue.quoted(tenant))}")
        let upgrader = NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        FirehoseWriter(subscribed: subscribed, payloads: payloads, count: count))
                }
            })
        return try await FirehoseListener.start { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
        }
    }
}

/// Writes the frames while the socket is writable, and resumes when it is again.
private final class FirehoseWriter: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let subscribed: ByteBuffer
    let payloads: [ByteBuffer]
    let count: Int
    var sent = 0
    let loop = ReentrantLoop()

    init(subscribed: ByteBuffer, payloads: [ByteBuffer], count: Int) {
        self.subscribed = subscribed
        self.payloads = payloads
        self.count = count
    }

    func handlerAdded(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: subscribed)), promise: nil)
        pump(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        pump(context)
        context.fireChannelWritabilityChanged()
    }

    /// The client's pings and anything else it says are not answered: this server only talks.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func pump(_ context: ChannelHandlerContext) {
        loop.run {
            while sent < count && context.channel.isWritable {
                // A flush's worth at a time, so the socket's writability is looked at between them.
                for _ in 0..<min(256, count - sent) {
                    let frame = WebSocketFrame(fin: true, opcode: .text, data: payloads[sent % payloads.count])
                    context.write(wrapOutboundOut(frame), promise: nil)
                    sent += 1
                }
                context.flush()
            }
            context.flush()
        }
    }
}
