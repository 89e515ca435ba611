import NIOCore

/// Takes text messages where they arrive, on the connection's event loop, before they reach
/// ``WebSocketSession/messages``: the stream readers parse and batch them there and hand the
/// batch on once per socket read (``flush()``), as the SSE handler does.
///
/// Called on the event loop only; an implementation keeps its state confined to it.
public protocol WebSocketTextReader: AnyObject {
    /// A text message: true when it was taken (it does not go to `messages`).
    func take(_ text: ByteBuffer) -> Bool
    /// The socket read is over (or a frame it did not take must wait for what it took): hand
    /// the batch on. False when the consumer has no room: reads stop until ``whenRoom(_:)``
    /// calls back, and the reader's own liveness checks know the silence is ours.
    func flush() -> Bool
    /// Asks to be called back once there is room again.
    ///
    /// - Parameter resume: called once, on any thread.
    func whenRoom(_ resume: @escaping @Sendable () -> Void)
}
