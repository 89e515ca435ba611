import RealtimeProtocol
import NIOCore
import NIOWebSocket

/// An open WebSocket, inside ``WebSocketClient/connect(_:headers:maxFrameSize:tls:connectTimeout:_:)``.
///
/// ``messages`` yields text and binary messages and protocol pongs, and ends when the socket
/// closes; ``closeCode`` and ``closeReason`` then say how (nil code: the connection dropped
/// without a close frame).
public final class WebSocketSession: Sendable {
    public enum Message: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        /// A protocol-level pong, with its payload.
        case pong([UInt8])
    }

    public let messages: AsyncStream<Message>
    private let continuation: AsyncStream<Message>.Continuation
    private let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>

    private struct CloseState {
        var sent = false
        var code: UInt16? = nil
        var reason: String? = nil
    }
    private let state = Locked(CloseState())

    init(outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) {
        self.outbound = outbound
        (messages, continuation) = AsyncStream.makeStream(of: Message.self, bufferingPolicy: .unbounded)
    }

    /// The peer's close code, once it closed.
    public var closeCode: UInt16? { state.withLock { $0.code } }
    public var closeReason: String? { state.withLock { $0.reason } }

    /// Sends a text message.
    public func send(_ text: String) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
    }

    /// Sends a binary message.
    public func send(binary: [UInt8]) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: binary)))
    }

    /// Sends a protocol-level ping.
    public func ping(_ payload: [UInt8] = []) async throws {
        try await outbound.write(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: ByteBuffer(bytes: payload)))
    }

    /// Starts the close handshake.
    public func close(code: UInt16 = 1000, reason: String = "") async throws {
        let first = state.withLock { s -> Bool in
            defer { s.sent = true }
            return !s.sent
        }
        guard first else { return }
        var data = ByteBuffer()
        data.writeInteger(code)
        data.writeString(reason)
        try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data))
    }

    func closeIfOpen() async {
        try? await close()
    }

    /// Reads frames until the socket ends: answers pings, records the close, yields messages.
    func read(_ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>) async {
        defer { continuation.finish() }
        do {
            for try await frame in inbound {
                switch frame.opcode {
                case .text:
                    continuation.yield(.text(String(buffer: frame.unmaskedData)))
                case .binary:
                    continuation.yield(.binary(Array(frame.unmaskedData.readableBytesView)))
                case .ping:
                    try await outbound.write(
                        WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                case .pong:
                    continuation.yield(.pong(Array(frame.unmaskedData.readableBytesView)))
                case .connectionClose:
                    var data = frame.unmaskedData
                    let code = data.readInteger(as: UInt16.self) ?? 1005
                    let reason = data.readString(length: data.readableBytes) ?? ""
                    state.withLock {
                        $0.code = code
                        $0.reason = reason
                    }
                    // Echo the close (the handshake) unless we started it.
                    try? await close(code: code == 1005 ? 1000 : code)
                    return
                default:
                    continue
                }
            }
        } catch {
            // The connection dropped: no close code.
        }
    }
}
