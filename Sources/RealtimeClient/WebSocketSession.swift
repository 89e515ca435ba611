import NIOCore
import NIOWebSocket
import RealtimeProtocol

/// Takes text messages where they arrive, on the connection's event loop, before they reach
/// ``WebSocketSession/messages``: the stream readers parse and batch them there and hand the
/// batch on once per socket read (``flush()``), as the SSE handler does.
///
/// Called on the event loop only; an implementation keeps its state confined to it.
public protocol WebSocketTextReader: AnyObject {
    /// A text message: true when it was taken (it does not go to `messages`).
    func take(_ text: ByteBuffer) -> Bool
    /// The socket read is over: hand its batch on. False when the consumer has no room: reads
    /// stop until ``whenRoom(_:)`` calls back.
    func flush() -> Bool
    /// Calls `resume` (on any thread) once there is room again.
    func whenRoom(_ resume: @escaping @Sendable () -> Void)
}

/// An open WebSocket, inside ``WebSocketClient/connect(_:headers:maxFrameSize:tls:connectTimeout:reader:_:)``.
///
/// ``messages`` yields text (unless a ``WebSocketTextReader`` took it) and binary messages and
/// protocol pongs, and ends when the socket closes; ``closeCode`` and ``closeReason`` then say
/// how (nil code: the connection dropped without a close frame). Pings are answered and the
/// close handshake completed on the event loop, by ``WebSocketFrameHandler``.
public final class WebSocketSession: Sendable {
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        /// A protocol-level pong, with its payload.
        case pong([UInt8])
    }

    public let messages: AsyncStream<Message>
    let continuation: AsyncStream<Message>.Continuation
    private let channel: Channel

    struct CloseState {
        var sent = false
        var code: UInt16? = nil
        var reason: String? = nil
    }
    let state = Locked(CloseState())

    init(channel: Channel) {
        self.channel = channel
        (messages, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
    }

    /// The peer's close code, once it closed.
    public var closeCode: UInt16? { state.withLock { $0.code } }
    public var closeReason: String? { state.withLock { $0.reason } }

    /// Sends a text message.
    public func send(_ text: String) async throws {
        try await write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
    }

    /// Sends a binary message.
    public func send(binary: [UInt8]) async throws {
        try await write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: binary)))
    }

    /// Sends a protocol-level ping.
    public func ping(_ payload: [UInt8] = []) async throws {
        try await write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(bytes: payload)))
    }

    /// Starts the close handshake.
    public func close(code: UInt16 = 1000, reason: String = "") async throws {
        guard let frame = closeFrame(code: code, reason: reason) else { return }
        try await write(frame)
    }

    /// The close frame to send, the first time only.
    func closeFrame(code: UInt16, reason: String) -> WebSocketFrame? {
        let first = state.withLock { s -> Bool in
            defer { s.sent = true }
            return !s.sent
        }
        guard first else { return nil }
        var data = ByteBuffer()
        data.writeInteger(code)
        data.writeString(reason)
        return WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
    }

    func closeIfOpen() async {
        try? await close()
    }

    private func write(_ frame: WebSocketFrame) async throws {
        try await channel.writeAndFlush(frame)
    }
}

/// The WebSocket's frames on the event loop: answers pings, completes the close handshake,
/// gives text to the reader (or the session's `messages`), and holds reads back while the
/// reader's consumer has no room.
final class WebSocketFrameHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let session: WebSocketSession
    private let reader: (any WebSocketTextReader)?
    private var paused = false
    private var readPending = false

    init(session: WebSocketSession, reader: (any WebSocketTextReader)?) {
        self.session = session
        self.reader = reader
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let text = frame.unmaskedData
            if reader?.take(text) != true { session.continuation.yield(.text(String(buffer: text))) }
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
        if let reader, !reader.flush(), !paused {
            paused = true
            let resume = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let loop = context.eventLoop
            reader.whenRoom {
                loop.execute {
                    let (handler, context) = resume.value
                    handler.paused = false
                    if handler.readPending {
                        handler.readPending = false
                        context.read()
                    }
                }
            }
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            readPending = true
        } else {
            context.read()
        }
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
