import RealtimeProtocol

/// The liveness of one open stream, as a value: when it last showed life, when it went live,
/// the application ping in flight and how many went unanswered, whether a quiet job socket is
/// due to be read over REST, and how its end reads.
///
/// Every method takes the time. The stream's reader reports what arrived; one watchdog task
/// sleeps until ``nextDeadline``, calls ``tick(now:)`` and carries out what it returns.
///
/// - SSE: ends `stale` when no bytes at all arrived for `staleAfter` (the backend's 15 s
///   heartbeat comments count).
/// - WebSocket: an application ping every `pingInterval`; a ping still unanswered when the next
///   is due counts as missed, and `missedPongs` of them in a row end the socket.
/// - Job sockets: the backend's can stop delivering while still answering pings (PROTOCOL.md
///   §6), so at every `jobPollInterval` without an event the job is read over REST.
struct StreamWatch: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        case sendPing
        case pollJob
        case end(StreamStateMachine.Failure)
    }

    struct Timing: Sendable, Equatable {
        var staleAfter: Double? = nil
        var pingInterval: Double? = nil
        var missedPongs = 2
        var jobPollInterval: Double? = nil
        /// Close and subscribe again when no event arrived for this long since subscribing or
        /// since the last event (the backend's forwarder dies after 5 quiet seconds).
        var resubscribeAfter: Double? = nil
    }

    let timing: Timing
    private(set) var lastActivity: Double
    private(set) var lastEvent: Double
    private(set) var live: Moment? = nil
    private(set) var pingSentAt: Double? = nil
    private(set) var missed = 0
    private(set) var sawTerminalJobEvent = false
    private var pingDue: Double?
    private var pollDue: Double?
    /// Reads are held back for a slow consumer (``ReadGate``): silence is ours, not the
    /// server's, so nothing ends the stream or pings it meanwhile.
    private(set) var held = false

    init(_ timing: Timing, now: Double) {
        self.timing = timing
        lastActivity = now
        lastEvent = now
        pingDue = timing.pingInterval.map { now + $0 }
        pollDue = timing.jobPollInterval.map { now + $0 }
    }

    /// When ``tick(now:)`` next has something to decide.
    var nextDeadline: Double? {
        [
            timing.staleAfter.map { lastActivity + $0 }, pingDue, pollDue,
            timing.resubscribeAfter.flatMap { r in live.map { _ in lastEvent + r } },
        ].compactMap { $0 }.min()
    }

    /// Anything arrived: bytes, a comment, a frame, a pong.
    mutating func arrived(now: Double) { lastActivity = max(lastActivity, now) }

    /// An event (not a pong, an ack or a heartbeat) arrived.
    mutating func eventArrived(now: Double) {
        arrived(now: now)
        lastEvent = max(lastEvent, now)
    }

    /// `connected` / `subscribed`: true the first time, when the stream becomes live.
    mutating func becameLive(_ now: Moment) -> Bool {
        guard live == nil else { return false }
        live = now
        return true
    }

    /// An application pong: the round trip in seconds, if a ping was in flight.
    mutating func pong(now: Double) -> Double? {
        defer {
            pingSentAt = nil
            missed = 0
        }
        return pingSentAt.map { now - $0 }
    }

    /// A job event with a terminal status: a normal close after it means the job is done.
    mutating func terminalJobEvent() { sawTerminalJobEvent = true }

    /// Reads held back (true) or resumed (false) at `now`; resuming counts as activity.
    mutating func hold(_ on: Bool, now: Double) {
        held = on
        if !on { restart(now) }
    }

    /// Every deadline starts again from `now`, as after an arrival.
    private mutating func restart(_ now: Double) {
        lastActivity = max(lastActivity, now)
        lastEvent = max(lastEvent, now)
        pingSentAt = nil
        missed = 0
        pingDue = timing.pingInterval.map { now + $0 }
        pollDue = timing.jobPollInterval.map { now + $0 }
    }

    /// What is due by `now`. After it, every deadline that passed has moved on (or the stream
    /// ends), so a watchdog that sleeps until ``nextDeadline`` never spins.
    mutating func tick(now: Double) -> [Action] {
        if held {
            restart(now)
            return []
        }
        if let s = timing.staleAfter, now >= lastActivity + s { return [.end(.stale)] }
        if let r = timing.resubscribeAfter, live != nil, now >= lastEvent + r { return [.end(.resubscribe)] }
        var actions: [Action] = []
        if let due = pingDue, let interval = timing.pingInterval, now >= due {
            if pingSentAt != nil { missed += 1 }
            if missed >= timing.missedPongs { return [.end(.missedPongs(missed))] }
            pingSentAt = now
            pingDue = now + interval
            actions.append(.sendPing)
        }
        if let due = pollDue, let interval = timing.jobPollInterval, now >= due {
            if now >= lastEvent + interval { actions.append(.pollJob) }
            pollDue = now + interval
        }
        return actions
    }

    /// How a WebSocket's close reads: a normal close after a terminal job event is the job
    /// finishing, anything else is a close with its code (nil: dropped without a close frame).
    func closed(code: UInt16?, reason: String) -> StreamStateMachine.Failure {
        code == 1000 && sawTerminalJobEvent ? .jobFinished : .webSocketClosed(code: code, reason: reason)
    }

    /// How an SSE response's end reads.
    func ended(by error: TransportError? = nil) -> StreamStateMachine.Failure {
        guard live != nil else { return .closedBeforeLive }
        return error.map { .transport($0) } ?? .ended
    }
}

extension Locked where Value == StreamWatch {
    /// The watchdog: sleeps until the next deadline, ticks, and carries out the actions; returns
    /// the failure that ends the stream (nil: cancelled, or nothing left to watch).
    func watch(
        on clock: StreamClock, perform: @Sendable (StreamWatch.Action) async -> Void
    ) async
        -> StreamStateMachine.Failure?
    {
        while !Task.isCancelled {
            guard let due = withLock({ $0.nextDeadline }) else { return nil }
            try? await clock.sleep(seconds: due - clock.now().monotonic)
            if Task.isCancelled { return nil }
            let now = clock.now().monotonic
            for action in withLock({ $0.tick(now: now) }) {
                if case .end(let failure) = action { return failure }
                await perform(action)
            }
        }
        return nil
    }
}
