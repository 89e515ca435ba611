import NIOCore
import NIOWebSocket
import RealtimeProtocol

/// The WebSocket's frames on the event loop: answers pings, completes the close handshake,
/// gives text to the reader (or the session's `messages`), and holds reads back while the
/// reader's consumer has no room.
final class WebSocketFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: WebSocketSession
    private let reader: (any WebSocketTextReader)?
    /// Reads are held back while the reader's consumer has no room.
    private var gate = ReadGate()

    init(session: WebSocketSession, reader: (any WebSocketTextReader)?) {
        self.session = session
        self.reader = reader
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let text = frame.unmaskedData
            if reader?.take(text) != true {
                // What the reader took so far goes first: a `subscribed` before this frame is
                // in the inbox before the async side hears of the frame.
                flushReader(context)
                session.continuation.yield(.text(String(buffer: text)))
            }
        case .binary:
            session.continuation.yield(.binary(Array(frame.unmaskedData.readableBytesView)))
        case .ping:
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)),
                promise: nil)
        case .pong:
            session.continuation.yield(.pong(Array(frame.unmaskedData.readableBytesView)))
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readInteger(as: UInt16.self) ?? 1005
            let reason = data.readString(length: data.readableBytes) ?? ""
            session.state.withLock {
                $0.code = $0.code ?? code
                $0.reason = $0.reason ?? reason
            }
            // Echo the close (the handshake) unless we started it, then end the connection.
            if let echo = session.closeFrame(code: code == 1005 ? 1000 : code, reason: "") {
                context.writeAndFlush(wrapOutboundOut(echo)).whenComplete { _ in context.close(promise: nil) }
            } else {
                context.close(promise: nil)
            }
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushReader(context)
        context.fireChannelReadComplete()
    }

    /// Hands the reader's batch on, and holds reads back while its consumer has no room.
    private func flushReader(_ context: ChannelHandlerContext) {
        guard let reader, !reader.flush(), gate.hold() else { return }
        let resume = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        reader.whenRoom {
            loop.execute {
                let (handler, context) = resume.value
                if handler.gate.release() { context.read() }
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if gate.read() { context.read() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = reader?.flush()
        session.continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The connection dropped (or a frame broke the protocol): no close code.
        context.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        session.continuation.finish()
    }
}
