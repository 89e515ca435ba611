import RealtimeProtocol

/// A moment on two clocks: monotonic seconds for durations, wall time for what people read.
public struct Moment: Sendable, Equatable {
    public var monotonic: Double
    public var wall: UTCInstant
    public init(monotonic: Double, wall: UTCInstant) {
        self.monotonic = monotonic
        self.wall = wall
    }

    public func adding(_ seconds: Double) -> UTCInstant {
        UTCInstant(microseconds: wall.microseconds + Int64((seconds * 1e6).rounded()))
    }
}

/// The decisions in one stream's life (connecting → live → stale → backing off →
/// auth failed / gave up / stopped). Mutating methods take what happened and return what to
/// do next; the ConnectionManager only carries that out, so every decision is tested with a
/// manual clock and a fixed jitter draw.
public struct StreamStateMachine: Sendable {
    /// Why an attempt ended.
    public enum Failure: Sendable, Equatable, CustomStringConvertible {
        /// A non-200 answer (SSE) or a refused upgrade (WebSocket). `retryAfter` in seconds.
        case http(status: Int, retryAfter: Double?)
        /// The connection could not be made or broke (refused, timed out, DNS, TLS, reset).
        case transport(TransportError)
        /// 200, then the connection closed before `connected` (a backend failure at start).
        case closedBeforeLive
        /// The backend's `event: error` (then it ends the response).
        case serverError(String)
        /// No bytes for the stale limit.
        case stale
        /// The stream ended normally after it was live.
        case ended
        case webSocketClosed(code: UInt16?, reason: String)
        /// Two WebSocket pings went unanswered.
        case missedPongs(Int)
        /// A job's socket closed after the job reached a terminal state.
        case jobFinished
        /// No token could be read (file missing, variable unset).
        case noToken(String)

        public var description: String {
            switch self {
            case .http(let s, _): "HTTP \(s)"
            case .transport(let e): e.description
            case .closedBeforeLive: "closed before the connected frame"
            case .serverError(let m): "server error: \(m)"
            case .stale: "no data (stale)"
            case .ended: "stream ended"
            case .webSocketClosed(let code, let reason):
                "closed \(code.map(String.init) ?? "without a close frame")" + (reason.isEmpty ? "" : " (\(reason))")
            case .missedPongs(let n): "\(n) pings unanswered"
            case .jobFinished: "job finished"
            case .noToken(let m): m
            }
        }
    }

    public enum Action: Sendable, Equatable {
        case connect
        case retry(after: Double)
        /// No automatic retry: wait for a manual reconnect or a token change.
        case waitForManual
    }

    public let backoff: Backoff
    /// After an auth failure, re-check this often (0 = never).
    public let authRetry: Double
    public private(set) var state: ConnectionState = .connecting(attempt: 1)
    /// Consecutive failures since the last healthy stretch.
    public private(set) var failures = 0
    private var liveSince: Double? = nil

    public init(backoff: Backoff = Backoff(), authRetry: Double = 120) {
        self.backoff = backoff
        self.authRetry = authRetry
    }

    /// The first attempt.
    public mutating func start() -> Action {
        state = .connecting(attempt: failures + 1)
        return .connect
    }

    /// The retry wait is over (or skipped): attempt again.
    public mutating func retryNow() -> Action {
        state = .connecting(attempt: failures + 1)
        return .connect
    }

    /// `connected` / `subscribed` arrived.
    public mutating func becameLive(at now: Moment) {
        state = .live
        liveSince = now.monotonic
    }

    /// A manual reconnect (R) starts over, whatever the state.
    public mutating func manualReconnect() -> Action {
        failures = 0
        liveSince = nil
        return retryNow()
    }

    /// A token changed: an auth failure or a missing token is retried at once; others are not disturbed.
    public mutating func tokenChanged() -> Action? {
        switch state {
        case .authFailed: return manualReconnect()
        default: return nil
        }
    }

    /// The attempt ended. Decides the state and what to do.
    public mutating func failed(_ failure: Failure, at now: Moment, jitter u: Double) -> Action {
        // A connection healthy for long enough starts the schedule again.
        if let since = liveSince, now.monotonic - since >= backoff.resetAfter { failures = 0 }
        liveSince = nil
        switch failure {
        case .http(let status, _) where status == 401 || status == 403:
            return authFailure(status: status, at: now)
        case .noToken:
            return authFailure(status: 0, at: now)
        case .http(204, _):
            state = .stopped(reason: .noContent)
            return .waitForManual
        case .webSocketClosed(1008, let reason):
            state = .stopped(reason: .policyViolation(reason: reason))
            return .waitForManual
        case .jobFinished:
            state = .stopped(reason: .jobFinished)
            return .waitForManual
        default:
            failures += 1
            if let max = backoff.maxAttempts, failures > max {
                state = .gaveUp(reason: "\(failure) after \(max) attempts")
                return .waitForManual
            }
            var delay = backoff.delay(attempt: failures, u: u)
            if case .http(let status, let retryAfter?) = failure, status == 429 || status == 503 {
                delay = max(delay, retryAfter)
            }
            state = .backingOff(attempt: failures, retryAt: now.adding(delay), reason: failure.description)
            return .retry(after: delay)
        }
    }

    private mutating func authFailure(status: Int, at now: Moment) -> Action {
        if authRetry > 0 {
            state = .authFailed(status: status, retryAt: now.adding(authRetry))
            return .retry(after: authRetry)
        }
        state = .authFailed(status: status, retryAt: nil)
        return .waitForManual
    }
}
