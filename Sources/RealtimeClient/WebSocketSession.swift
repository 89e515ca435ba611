import NIOCore
import NIOWebSocket
import RealtimeProtocol

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
