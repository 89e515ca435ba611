import RealtimeProtocol

/// What a connection handler receives from the hub.
enum HubMessage: Sendable {
    /// An event: SSE name and JSON payload.
    case event(name: String, json: String)
    /// Several events of one simulation step, in order (written to the socket together).
    case events([(name: String, json: String)])
    /// A keep-alive tick (SSE ping comment).
    case ping
    /// A text frame to send as is (WebSocket replies: pong, acks, errors).
    case reply(String)
    /// Drop the connection abruptly (test control).
    case drop
    /// Close a WebSocket with this code and reason (test control).
    case close(code: UInt16, reason: String)
    /// The server is stopping.
    case shutdown

    /// Drop, close and shutdown: what a test control or the server's own stop asks of a connection.
    var isControl: Bool {
        switch self {
        case .drop, .close, .shutdown: true
        default: false
        }
    }
}

/// Which events a subscriber wants.
enum SubscriberFilter: Sendable {
    case families(Set<EventFamily>)
    case job(String)
    case campaign(String)

    func accepts(_ topic: Topic) -> Bool {
        switch (self, topic) {
        case (.families(let set), .family(let f)): set.contains(f)
        case (.job(let a), .job(let b)): a == b
        case (.campaign(let a), .campaign(let b)): a == b
        default: false
        }
    }
}

/// The demo backend's pub/sub: connections subscribe per tenant with a filter; publications
/// fan out to matching subscribers only (tenant isolation lives here). It also holds the test
/// controls' state: stall, injected failures, the resume mode, the firehose, rate limits.
final class Hub: Sendable {
    struct Subscriber {
        var tenant: String
        var filter: SubscriberFilter
        var isWebSocket: Bool
        var continuation: AsyncStream<HubMessage>.Continuation
    }

    struct State {
        var subscribers: [UInt64: Subscriber] = [:]
        var nextID: UInt64 = 1
        var stalledUntil: ContinuousClock.Instant? = nil
        var failNext: (count: Int, status: Int) = (0, 0)
        var resumeAnswered = false
        /// Answer every job and campaign WebSocket upgrade with this status (the current
        /// backend release answers 500, PROTOCOL.md §9); nil: upgrade them.
        var refuseJobSockets: Int? = nil
        /// Stop forwarding a WebSocket's events this long after subscribing or after its last
        /// event, while still answering pings (the backend's forwarder dies on a Redis read
        /// time-out, PROTOCOL.md §9); nil: forward for ever.
        var forwardingTimeout: Duration? = nil
        var firehose: (count: Int, endpoint: Endpoint?, framing: FirehoseFraming) = (0, nil, .perEvent)
        var commandTimes: [String: [ContinuousClock.Instant]] = [:]
        var attempts: [String: Int] = [:]
        var stopped = false
        /// Events published (each counted once, however many subscribers took it).
        var published = 0
        /// SSE bytes go out one at a time with this pause between them (a slow link).
        var drip: Duration? = nil
    }

    private let state = Locked(State())
    /// Per-connection buffer: a consumer this far behind loses the newest events, as a Redis
    /// subscriber past its output buffer would.
    let bufferLimit: Int

    init(bufferLimit: Int = 65_536) {
        self.bufferLimit = bufferLimit
    }

    // MARK: Subscriptions

    func subscribe(
        tenant: String, filter: SubscriberFilter, isWebSocket: Bool
    )
        -> (id: UInt64, stream: AsyncStream<HubMessage>, continuation: AsyncStream<HubMessage>.Continuation)
    {
        let (stream, continuation) = AsyncStream.makeStream(of: HubMessage.self, bufferingPolicy: .bufferingOldest(bufferLimit))
        let id: UInt64 = state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            if s.stopped {
                continuation.yield(.shutdown)
            } else {
                s.subscribers[id] = Subscriber(
                    tenant: tenant, filter: filter, isWebSocket: isWebSocket, continuation: continuation)
            }
            return id
        }
        return (id, stream, continuation)
    }

    func unsubscribe(_ id: UInt64) {
        let sub = state.withLock { $0.subscribers.removeValue(forKey: id) }
        sub?.continuation.finish()
    }

    var connectionCount: Int { state.withLock { $0.subscribers.count } }

    var publishedCount: Int { state.withLock { $0.published } }

    func publish(_ p: Publication) {
        state.withLock { s in
            s.published += 1
            for sub in s.subscribers.values where sub.tenant == p.tenant && sub.filter.accepts(p.topic) {
                sub.continuation.yield(.event(name: p.eventName, json: p.json))
            }
        }
    }

    func publish(_ ps: [Publication]) {
        guard !ps.isEmpty else { return }
        state.withLock { s in
            s.published += ps.count
            // One message per subscriber per step: a storm step of thousands of events is one
            // buffer entry and one socket write, as a server batching its writes would do.
            for sub in s.subscribers.values {
                var mine: [(name: String, json: String)] = []
                for p in ps where sub.tenant == p.tenant && sub.filter.accepts(p.topic) { mine.append((p.eventName, p.json)) }
                if mine.count == 1 {
                    sub.continuation.yield(.event(name: mine[0].name, json: mine[0].json))
                } else if !mine.isEmpty {
                    sub.continuation.yield(.events(mine))
                }
            }
        }
    }

    /// Sends `message` to every subscriber (optionally WebSockets only).
    func broadcast(_ message: HubMessage, webSocketsOnly: Bool = false) {
        state.withLock { s in
            for sub in s.subscribers.values where !webSocketsOnly || sub.isWebSocket {
                // A control message must not be lost to a full buffer (a slow reader under load):
                // then the subscriber's stream is ended instead, which drops the connection too.
                if case .dropped = sub.continuation.yield(message), message.isControl { sub.continuation.finish() }
            }
        }
    }

    /// Ends every connection and refuses new ones (server shutdown).
    func shutdown() {
        let subs = state.withLock { s in
            s.stopped = true
            let all = Array(s.subscribers.values)
            s.subscribers.removeAll()
            return all
        }
        for sub in subs {
            sub.continuation.yield(.shutdown)
            sub.continuation.finish()
        }
    }

    // MARK: Test controls

    /// Stops writing on every connection (sockets stay open) for `seconds`, or until ``unstall()``.
    func stall(seconds: Double?) {
        state.withLock { $0.stalledUntil = ContinuousClock.now.advanced(by: .seconds(seconds ?? 1e9)) }
    }

    func unstall() { state.withLock { $0.stalledUntil = nil } }

    func setDrip(_ d: Duration?) { state.withLock { $0.drip = d } }
    var drip: Duration? { state.withLock { $0.drip } }

    var isStalled: Bool {
        state.withLock { s in
            guard let until = s.stalledUntil else { return false }
            if ContinuousClock.now >= until {
                s.stalledUntil = nil
                return false
            }
            return true
        }
    }

    /// The next `count` connection attempts (SSE or WebSocket) fail with HTTP `status`
    /// (200 means: headers sent, then the connection dropped before `connected`).
    func failNext(_ count: Int, status: Int) {
        state.withLock { $0.failNext = (max(0, count), status) }
    }

    /// Whether a failure is pending, without using it up (the WebSocket upgrade decision).
    var failurePending: Bool { state.withLock { $0.failNext.count > 0 } }

    /// Uses up one pending failure and returns its status.
    func consumeFailure() -> Int? {
        state.withLock { s in
            guard s.failNext.count > 0 else { return nil }
            s.failNext.count -= 1
            return s.failNext.status
        }
    }

    var resumeAnswered: Bool {
        get { state.withLock { $0.resumeAnswered } }
    }

    func setResumeAnswered(_ on: Bool) { state.withLock { $0.resumeAnswered = on } }

    var webSocketForwardingTimeout: Duration? {
        get { state.withLock { $0.forwardingTimeout } }
        set { state.withLock { $0.forwardingTimeout = newValue } }
    }

    var jobSocketRefusal: Int? {
        get { state.withLock { $0.refuseJobSockets } }
        set { state.withLock { $0.refuseJobSockets = newValue } }
    }

    func armFirehose(count: Int, endpoint: Endpoint?, framing: FirehoseFraming) {
        state.withLock { $0.firehose = (max(0, count), endpoint, framing) }
    }

    /// How many firehose events a new connection to `endpoint` gets first, and how they are framed.
    func firehose(for endpoint: Endpoint) -> (count: Int, framing: FirehoseFraming) {
        state.withLock { s in
            guard s.firehose.count > 0 else { return (0, .perEvent) }
            if let e = s.firehose.endpoint, e != endpoint { return (0, .perEvent) }
            return (s.firehose.count, s.firehose.framing)
        }
    }

    func countAttempt(_ endpoint: String) { state.withLock { $0.attempts[endpoint, default: 0] += 1 } }

    var attempts: [String: Int] { state.withLock { $0.attempts } }

    /// Records a command by `user`; false when the user is over `limit` commands in the last minute.
    func allowCommand(user: String, limit: Int = 30, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in
            var times = s.commandTimes[user, default: []]
            times.removeAll { now - $0 >= .seconds(60) }
            guard times.count < limit else {
                s.commandTimes[user] = times
                return false
            }
            times.append(now)
            s.commandTimes[user] = times
            return true
        }
    }
}
