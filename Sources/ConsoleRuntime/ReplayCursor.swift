import DashboardCore

/// Which frames of a recording are due, as a value over injected time: speed, pause and seeks
/// are methods that take `now` (monotonic seconds), so they are tested without waiting.
///
/// The recording's time runs at `speed` × the clock's from an anchor (`anchorPosition` at
/// `anchorWall`); every change of speed, pause or seek re-anchors. A seek backwards cannot undo
/// frames already reduced: it starts again from the first frame, and everything up to the new
/// position is due at once (the state is rebuilt as fast as the console can take it), which is
/// also how a replay that starts at `--from` gets the state it had there.
public struct ReplayCursor: Sendable, Equatable {
    /// The speeds `+` and `-` step through; past the last, as fast as possible.
    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, .infinity]

    /// Each frame's time, made non-decreasing (reads of different streams are stamped by
    /// different threads, microseconds apart).
    let times: [Int64]
    public let start: Int64
    public let end: Int64
    public private(set) var next = 0
    public private(set) var speed: Double
    public private(set) var paused = false
    var anchorPosition: Int64
    var anchorWall: Double

    /// - Parameters:
    ///   - times: the frames' receive times in file order (microseconds).
    ///   - from: where to start showing (frames before it are due at once); default the start.
    public init(times raw: [Int64], speed: Double = 1, from: Int64? = nil, now: Double) {
        var times = raw
        for i in times.indices.dropFirst() where times[i] < times[i - 1] { times[i] = times[i - 1] }
        self.times = times
        start = times.first ?? 0
        end = times.last ?? 0
        self.speed = speed
        anchorPosition = min(max(from ?? start, start), end)
        anchorWall = now
    }

    public var atEnd: Bool { next >= times.count }

    /// The recording time shown at `now`. As fast as possible (`max`), it is the time of the last
    /// frame taken: the replay is where the console is, not already at the end.
    public func position(at now: Double) -> Int64 {
        if paused { return anchorPosition }
        if speed.isInfinite { return min(end, max(anchorPosition, next > 0 ? times[next - 1] : start)) }
        return min(end, anchorPosition + Int64(max(0, now - anchorWall) * speed * 1_000_000))
    }

    /// The frames due at `now` (at most `limit`), which are then no longer due.
    public mutating func due(at now: Double, limit: Int = .max) -> Range<Int> {
        if speed.isInfinite && !paused {
            // Every frame is due: as many as the limit allows, the rest at the next call.
            let k = min(times.count, next + max(0, min(limit, times.count - next)))
            defer { next = k }
            return next..<k
        }
        let position = self.position(at: now)
        var k = next
        while k < times.count && times[k] <= position && k - next < limit { k += 1 }
        defer { next = k }
        return next..<k
    }

    /// Whether frames are due at `now` that were not taken yet (the console is behind).
    public func behind(at now: Double) -> Bool {
        !atEnd && (speed.isInfinite && !paused || times[next] <= position(at: now))
    }

    /// Seconds until the next frame is due; nil while paused or at the end.
    public func wait(at now: Double) -> Double? {
        guard !paused, !atEnd else { return nil }
        if speed.isInfinite { return 0 }
        let position = self.position(at: now)
        return max(0, Double(times[next] - position) / 1_000_000 / speed)
    }

    /// Applies a replay key. Returns true when the replay goes back to its first frame (what is
    /// shown must be cleared first).
    public mutating func apply(_ control: ReplayControl, at now: Double) -> Bool {
        let here = position(at: now)
        switch control {
        case .togglePause:
            anchorPosition = here
            anchorWall = now
            paused.toggle()
            return false
        case .faster, .slower:
            let i = Self.speeds.firstIndex { $0 >= speed } ?? Self.speeds.count - 1
            let j = control == .faster ? min(i + 1, Self.speeds.count - 1) : max(i - 1, 0)
            anchorPosition = here
            anchorWall = now
            // From max, slower goes back to the fastest finite speed.
            speed = Self.speeds[j]
            return false
        case .jump(let seconds):
            return seek(to: here + Int64(seconds * 1_000_000), from: here, now: now)
        case .toStart:
            return seek(to: start, from: here, now: now)
        case .toEnd:
            return seek(to: end, from: here, now: now)
        }
    }

    private mutating func seek(to target: Int64, from here: Int64, now: Double) -> Bool {
        let t = min(max(target, start), end)
        anchorPosition = t
        anchorWall = now
        // Back in time: the frames reduced so far cannot be taken back; start again.
        if t < here || (t == start && next > 0) {
            next = 0
            return true
        }
        return false
    }
}
