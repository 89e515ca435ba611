import DashSettings
import RealtimeProtocol

/// The reconnect schedule: exponential backoff with a cap and jitter.
///
/// The delay before retry number `n` (1-based) is
///
///     base(n)  = min(maxDelay, initialDelay × multiplier^(n−1))
///     delay(n) = base(n) × (1 + jitter × u),   u uniform in [−1, 1]
///
/// With the defaults (1 s, ×2, 30 s cap, ±20 %):
///
/// | attempt | base | with jitter |
/// |---|---|---|
/// | 1 | 1 s | 0.8–1.2 s |
/// | 2 | 2 s | 1.6–2.4 s |
/// | 3 | 4 s | 3.2–4.8 s |
/// | 4 | 8 s | 6.4–9.6 s |
/// | 5 | 16 s | 12.8–19.2 s |
/// | 6 and on | 30 s | 24–36 s |
///
/// A connection that stayed healthy for `resetAfter` (60 s) starts again at attempt 1.
/// The web client gives up after 10 attempts (about three minutes); a console on a NOC wall
/// must not, so `maxAttempts` is nil (unlimited, at the cap) unless configured.
public struct Backoff: Sendable, Equatable {
    public var initialDelay: Double
    public var multiplier: Double
    public var maxDelay: Double
    /// Relative: 0.2 means ±20 %.
    public var jitter: Double
    public var resetAfter: Double
    public var maxAttempts: Int?

    public init(
        initialDelay: Double = 1, multiplier: Double = 2, maxDelay: Double = 30, jitter: Double = 0.2,
        resetAfter: Double = 60, maxAttempts: Int? = nil
    ) {
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.maxAttempts = maxAttempts
    }

    public init(_ c: DashConfig.Reconnect) {
        self.init(
            initialDelay: c.initialDelaySeconds, multiplier: c.multiplier, maxDelay: c.maxDelaySeconds, jitter: c.jitter,
            resetAfter: c.resetAfterSeconds, maxAttempts: c.maxAttempts)
    }

    /// The base delay (no jitter) before retry `attempt`, in seconds.
    public func base(attempt: Int) -> Double {
        let n = max(1, attempt)
        // Stop multiplying once past the cap (no overflow for large attempt numbers).
        var d = initialDelay
        for _ in 1..<n {
            d *= multiplier
            if d >= maxDelay { return maxDelay }
        }
        return min(d, maxDelay)
    }

    /// The delay before retry `attempt`, in seconds, with `u` in [−1, 1] as the jitter draw.
    public func delay(attempt: Int, u: Double) -> Double {
        let clamped = min(1, max(-1, u))
        return max(0, base(attempt: attempt) * (1 + jitter * clamped))
    }
}

/// A source of jitter draws in [−1, 1]; injected so tests are exact.
public protocol JitterSource: Sendable {
    func draw() -> Double
}

public struct RandomJitter: JitterSource {
    public init() {}
    public func draw() -> Double { Double.random(in: -1...1) }
}

/// Always the same draw (tests).
public struct FixedJitter: JitterSource {
    public var value: Double
    public init(_ value: Double) { self.value = value }
    public func draw() -> Double { value }
}
