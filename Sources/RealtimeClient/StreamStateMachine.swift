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
        /// Closed on purpose to subscribe again: the backend stops forwarding a WebSocket's
        /// events after a few quiet seconds while still answering pings (PROTOCOL.md §9).
        case resubscribe
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
            case .resubscribe: "resubscribed: the backend stops forwarding WebSocket events after 5 quiet seconds"
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
    /// The URL this stream opens, named in every failure's reason.
    public let url: String?
    /// Give up when still failing (network errors, 5xx) this many seconds after the first failure
    /// of a run (`tail --give-up-after`); nil = keep retrying.
    public let giveUpAfter: Double?
    /// A permanent answer (404, 400, 405, …) this many times in a row is not retried: the URL is wrong.
    public static let permanentAttempts = 3
    private var permanentFailures = 0
    private var failingSince: Double? = nil
    public private(set) var state: ConnectionState = .connecting(attempt: 1)
    /// Consecutive failures since the last healthy stretch.
    public private(set) var failures = 0
    private var liveSince: Double? = nil

    public init(backoff: Backoff = Backoff(), authRetry: Double = 120, url: String? = nil, giveUpAfter: Double? = nil) {
        self.backoff = backoff
        self.authRetry = authRetry
        self.url = url
        self.giveUpAfter = giveUpAfter
    }

    /// A 4xx that retrying cannot fix (not auth, not 408 time-out, not 429 rate limit).
    public static func isPermanent(_ status: Int) -> Bool {
        (400..<500).contains(status) && ![401, 403, 408, 429].contains(status)
    }

    /// What went wrong, and where: `HTTP 404 from http://…/alerts`.
    func reason(_ failure: Failure) -> String {
        guard let url else { return failure.description }
        switch failure {
        case .http: return "\(failure) from \(url)"
        case .transport, .closedBeforeLive, .serverError: return "\(failure) (\(url))"
        default: return failure.description
        }
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
        permanentFailures = 0
        failingSince = nil
    }

    /// A manual reconnect (R) starts over, whatever the state.
    public mutating func manualReconnect() -> Action {
        failures = 0
        liveSince = nil
        permanentFailures = 0
        failingSince = nil
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
        case .resubscribe:
            // Not a failure: a socket that was live and merely subscribes again is healthy.
            failures = 0
            return retryNow()
        default:
            failures += 1
            let why = reason(failure)
            if case .http(let status, _) = failure, Self.isPermanent(status) {
                permanentFailures += 1
                if permanentFailures >= Self.permanentAttempts {
                    state = .gaveUp(reason: "\(why), \(permanentFailures) times: not retried (check --api-url and --base-path)")
                    return .waitForManual
                }
            } else {
                permanentFailures = 0
            }
            if let max = backoff.maxAttempts, failures > max {
                state = .gaveUp(reason: "\(why) after \(max) attempts")
                return .waitForManual
            }
            let since = failingSince ?? now.monotonic
            failingSince = since
            if let limit = giveUpAfter, now.monotonic - since >= limit {
                state = .gaveUp(reason: "\(why); still failing after \(Int(limit.rounded())) s")
                return .waitForManual
            }
            var delay = backoff.delay(attempt: failures, u: u)
            if case .http(let status, let retryAfter?) = failure, status == 429 || status == 503 {
                delay = max(delay, retryAfter)
            }
            if let limit = giveUpAfter { delay = min(delay, max(0, since + limit - now.monotonic)) }
            state = .backingOff(attempt: failures, retryAt: now.adding(delay), reason: why)
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
