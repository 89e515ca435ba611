/// Whether a channel's reads are held back for a full inbox, as a value: the stream handlers
/// (SSE and WebSocket) ask it what to do and carry out the answer, so the decisions are tested
/// without a channel.
///
/// A read asked for while held is remembered and passed on, once, when the inbox has room.
struct ReadGate: Sendable, Equatable {
    private(set) var held = false
    private var pending = false

    /// The channel asks to read: true to pass the read on now, false to keep it for later.
    mutating func read() -> Bool {
        guard held else { return true }
        pending = true
        return false
    }

    /// The inbox has no room: true the first time, when the caller must ask to be called back.
    mutating func hold() -> Bool {
        guard !held else { return false }
        held = true
        return true
    }

    /// Room again: true when a read was kept and must be passed on now.
    mutating func release() -> Bool {
        held = false
        defer { pending = false }
        return pending
    }
}
