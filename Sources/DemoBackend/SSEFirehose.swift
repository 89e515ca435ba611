import NIOCore
import NIOHTTP1
import RealtimeProtocol

/// An SSE firehose on a listener of its own, for `bench e2e`: every request on any path gets the
/// backend's framing (`event: connected` first, then `count` events, one HTTP chunk per event,
/// CRLF line ends), as many chunks per socket write as the socket takes, and the end of the body.
///
/// DemoBackend's own SSE route writes through Hummingbird's async response writer: on the same
/// two cores the server is then the slower side, and its pace varies from run to run by a half
/// (`curl | grep -c` against it: 420k–680k events/s in one day's runs), which hides what the
/// client does. This listener is the fair server, as ``WebSocketFirehose`` is for WebSocket. It
/// checks no token and answers nothing but the stream, and is used by nothing but the benchmark.
public enum SSEFirehose {
    /// Listens on 127.0.0.1, port chosen by the system.
    public static func start(tenant: String, endpoint: Endpoint, count: Int) async throws -> FirehoseListener {
        let frames = Firehose.payloads(tenant: tenant, endpoint: endpoint).map {
            ByteBuffer(string: sseFrame(name: $0.name, json: $0.json))
        }
        let connected = ByteBuffer(
            string: "event: connected\r\ndata: {\"channel\": \(JSONValue.quoted("\(endpoint.channelPrefix):\(tenant)"))}\r\n\r\n")
        return try await FirehoseListener.start { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
            try channel.pipeline.syncOperations.addHandler(SSEFirehoseWriter(connected: connected, frames: frames, count: count))
        }
    }
}

/// Answers the request with the stream: writes chunks while the socket is writable, and resumes
/// when it is again.
private final class SSEFirehoseWriter: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let connected: ByteBuffer
    let frames: [ByteBuffer]
    let count: Int
    var sent = 0
    var streaming = false
    let loop = ReentrantLoop()
    var ended = false

    init(connected: ByteBuffer, frames: [ByteBuffer], count: Int) {
        self.connected = connected
        self.frames = frames
        self.count = count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data), !streaming else { return }
        streaming = true
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "content-type", value: "text/event-stream; charset=utf-8")
        head.headers.add(name: "cache-control", value: "no-store")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(connected))), promise: nil)
        pump(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if streaming { pump(context) }
        context.fireChannelWritabilityChanged()
    }

    private func pump(_ context: ChannelHandlerContext) {
        loop.run {
            while sent < count && context.channel.isWritable {
                // About 128 KiB of chunks per flush, as the backend's socket writes carry.
                for _ in 0..<min(400, count - sent) {
                    context.write(wrapOutboundOut(.body(.byteBuffer(frames[sent % frames.count]))), promise: nil)
                    sent += 1
                }
                context.flush()
            }
            if sent == count && !ended {
                // The stream ends once everything is written (the real backend's never does; a
                // benchmark's reader stops at its count before it sees the end).
                ended = true
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
            context.flush()
        }
    }
}
