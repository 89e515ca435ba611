/// When the run loop draws and ticks: a value over monotonic seconds, so its pacing is tested
/// with numbers instead of waits.
///
/// - A key's answer is drawn at once (`drawNow(at:answeringKey: true)`).
/// - A change that events caused is drawn at most `fps` times a second.
/// - A tick (clocks, ages) is due every `tickInterval` seconds, and wakes the loop even when
///   nothing else happens; nothing else does: idle means asleep in `poll`.
///
/// | fps | frame interval | event-driven frames per second, at most |
/// |-----|----------------|-----------------------------------------|
/// | 30  | 33.3 ms        | 30                                      |
/// | 10  | 100 ms         | 10                                      |
public struct FramePacer: Sendable, Equatable {
    public let frameInterval: Double
    public let tickInterval: Double
    /// Something changed since the last frame.
    public private(set) var dirty = true
    public private(set) var lastFrame: Double
    public private(set) var nextTick: Double

    /// - Parameters:
    ///   - fps: frames per second at most (1 or more).
    ///   - now: monotonic seconds now.
    public init(fps: Int, tickInterval: Double = 1, now: Double) {
        frameInterval = 1 / Double(max(1, fps))
        self.tickInterval = tickInterval
        lastFrame = -.infinity
        nextTick = now + tickInterval
    }

    /// How long `poll` may sleep: until the next tick, or until the next frame slot when a
    /// change waits to be drawn. In milliseconds, rounded up, 0 to 1000.
    public func pollTimeout(at now: Double) -> Int32 {
        var timeout = nextTick - now
        if dirty { timeout = min(timeout, max(0, lastFrame + frameInterval - now)) }
        return Int32(max(0, min(1000, timeout * 1000)).rounded(.up))
    }

    /// Something changed that the screen must show.
    public mutating func markDirty() { dirty = true }

    /// Whether the tick is due; if so the next one is scheduled.
    public mutating func tickDue(at now: Double) -> Bool {
        guard now >= nextTick else { return false }
        nextTick = now + tickInterval
        dirty = true
        return true
    }

    /// Whether to draw now; if so the frame is counted as drawn.
    public mutating func drawNow(at now: Double, answeringKey: Bool) -> Bool {
        guard dirty, answeringKey || now - lastFrame >= frameInterval else { return false }
        lastFrame = now
        dirty = false
        return true
    }
}
