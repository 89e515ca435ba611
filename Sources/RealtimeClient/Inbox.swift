import DequeModule
import RealtimeProtocol

/// The bounded channel between the ConnectionManager and its consumer.
///
/// The network side never waits: ``push(_:)`` returns at once. When the queue is full, an
/// update for an entity (a session, a job, an ONU) replaces the one queued for it, in place, or
/// waits in a per-entity overflow where a newer one replaces it (latest state wins: counted as
/// *coalesced*); so the last state of every entity always arrives, and memory is bounded by the
/// queue plus one event per entity. Anything else that would overflow is *dropped* and
/// counted, except connection states and command outcomes, which always go in.
/// The consumer takes everything queued with ``drain()``, and learns the counts with it.
///
/// Backpressure: ``push(contentsOf:)`` says when the inbox is full, and a stream reader then
/// stops reading its socket until ``whenRoom(_:)`` calls it back after the next drain. What
/// happens at capacity is the consumer's ``FullPolicy``: the console coalesces as above (an
/// operator wants the latest state now, not every step of a storm late) and holds reads back
/// only once the per-entity overflow is full too, so no entity's latest state is lost (events
/// without an entity, such as malformed frames, are still dropped and counted while the queue is
/// full); `tail` never coalesces or drops: it holds reads back as soon as the queue is full and
/// keeps whatever the reads already in hand carry, so a slow stdout slows the sockets instead.
///
/// - Complexity: push and drain are O(1) per event (a hash lookup for the coalescing key).
public final class Inbox: Sendable {
    public struct Batch: Sendable {
        public var events: [ClientEvent]
        /// Events replaced by a newer one for the same key since the last drain.
        public var coalesced: Int
        /// Events dropped since the last drain.
        public var dropped: Int

        public init(events: [ClientEvent], coalesced: Int = 0, dropped: Int = 0) {
            self.events = events
            self.coalesced = coalesced
            self.dropped = dropped
        }
    }

    private struct State {
        /// Whole reads, queued as the arrays they came in (no event copied) while nothing else
        /// is queued and there is room; anything else first moves them into `queue`.
        var segments: [[ClientEvent]] = []
        var segmented = 0
        var queue = Deque<ClientEvent?>()
        /// Coalescing key → index in `queue` (offset by `base`). Built only once the queue is
        /// full (`keyed`): below capacity a push hashes nothing.
        var keys: [EntityKey: Int] = [:]
        var keyed = false
        var base = 0
        /// Latest update per entity that arrived while the queue was full, in first-arrival order.
        var overflow: [EntityKey: ClientEvent] = [:]
        var overflowOrder: [EntityKey] = []
        var coalesced = 0
        var dropped = 0
        var finished = false
        var waiting: CheckedContinuation<Void, Never>? = nil
        /// Producers that stopped reading because the queue was full: resumed by the next drain.
        var waitingForRoom: [@Sendable () -> Void] = []
        /// Batches the consumer is done with, released by the next push on its thread: see
        /// ``Inbox/recycle(_:)``.
        var spent: [[ClientEvent]] = []

        var count: Int { segmented + queue.count }

        /// Moves the queued reads into `queue`, in order, before it is used.
        mutating func flatten() {
            guard !segments.isEmpty else { return }
            for segment in segments { for e in segment { queue.append(e) } }
            segments.removeAll()
            segmented = 0
        }
    }

    /// When a stream reader should stop reading.
    public enum FullPolicy: Sendable {
        /// Coalesce per entity while the queue is full; hold reads back only once the overflow
        /// of entities is full too (the console).
        case coalesce
        /// Hold reads back as soon as the queue is full, and keep every event (`tail`): the
        /// queue may run past capacity by the reads already in hand, one per stream at most.
        case holdReads
    }

    public let capacity: Int
    public let policy: FullPolicy
    private let state = Locked(State())

    /// How many entities beyond `capacity` may wait in the overflow (latest event each).
    public let entityCapacity: Int

    /// Sees everything pushed, as it is pushed, before any coalescing (`--record`): prepared on
    /// the pushing thread, committed under the inbox's lock (so it sees pushes in the order the
    /// consumer will), once per push.
    public let tap: (any InboxTap)?

    public init(
        capacity: Int = 65_536, entityCapacity: Int? = nil, policy: FullPolicy = .coalesce,
        tap: (any InboxTap)? = nil
    ) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.entityCapacity = entityCapacity ?? max(capacity, 131_072)
        self.policy = policy
        self.tap = tap
    }

    private func hasRoom(_ s: State) -> Bool {
        if s.finished { return true }
        switch policy {
        case .holdReads: return s.count < capacity
        case .coalesce: return s.count < capacity || s.overflow.count < entityCapacity
        }
    }

    /// The entity an event is about. When the queue is full, a newer event for the same entity
    /// replaces the queued one: the latest event of an entity carries its whole current state
    /// (a `session.stopped` after a `session.updated` still removes the session, a
    /// `job.completed` after `job.progress` still finishes the job), so what the screen shows
    /// after a burst is right even when the history in between was coalesced away.
    static func coalescingKey(_ e: ClientEvent) -> EntityKey? {
        if case .latency(let tenant, let endpoint, _) = e { return EntityKey(kind: .latency, tenant: tenant, id: endpoint.name) }
        guard case .event(let tenant, _, let event) = e else { return nil }
        return EntityKey(tenant: tenant, event: event)
    }

    static func isPrecious(_ e: ClientEvent) -> Bool {
        switch e {
        case .status, .command, .error, .jobSnapshot, .campaigns, .restarted, .notice: true
        default: false
        }
    }

    /// Queues an event without ever waiting.
    public func push(_ e: ClientEvent) {
        if let tap {
            push(e, tap)
            return
        }
        let waiter = state.withLock { enqueue(e, &$0) }
        waiter?.resume()
    }

    private func push<Tap: InboxTap>(_ e: ClientEvent, _ tap: Tap) {
        var one = [e]
        let prepared = tap.prepare(&one)
        let waiter = state.withLock { s in
            tap.commit(prepared)
            return enqueue(e, &s)
        }
        waiter?.resume()
    }

    /// Queues several events under one lock (a network read's worth).
    ///
    /// - Returns: whether there is still room. A producer that can stop reading (the stream
    ///   readers) does so on false and resumes when ``whenRoom(_:)`` calls it back: so a slow
    ///   consumer holds the socket reads back instead of making the queue coalesce.
    ///
    /// A caller that lets go of `events` (`push(contentsOf: consume read)`) saves the tap a copy
    /// of the array.
    @discardableResult
    public func push(contentsOf events: consuming [ClientEvent]) -> Bool {
        guard !events.isEmpty else { return state.withLock { hasRoom($0) } }
        if let tap { return push(events, tap) }
        return queue(events) {}
    }

    /// Queues a stream reader's batch (a socket read's events), handing the array itself over
    /// and leaving `batch` empty for the next read, with room for as many events as this one had.
    ///
    /// Handed over, not shared: the array the inbox keeps is this read's alone (a tap reads its
    /// events in place). Room for this read's count, not its capacity: an idle stream must not
    /// keep a burst's room (700 streams did: 50 MB of empty arrays in `bench scale`).
    ///
    /// - Returns: whether there is still room (see ``push(contentsOf:)``).
    @discardableResult
    public func push(handingOver batch: inout [ClientEvent]) -> Bool {
        var read: [ClientEvent] = []
        read.reserveCapacity(batch.count)
        swap(&read, &batch)
        return push(contentsOf: consume read)
    }

    private func push<Tap: InboxTap>(_ events: consuming [ClientEvent], _ tap: Tap) -> Bool {
        // Encoded before the lock (the consumer's drain never waits for it), committed under it:
        // the recording has the pushes in the order the consumer gets them (two streams of the
        // same events, SSE and WebSocket, interleave the same way).
        let prepared = tap.prepare(&events)
        return queue(events) { tap.commit(prepared) }
    }

    /// Queues a read's events; `underLock` runs first, under the lock.
    private func queue(_ events: [ClientEvent], underLock: () -> Void) -> Bool {
        // Released on this thread, after the lock.
        var spent: [[ClientEvent]] = []
        let (waiter, room): (CheckedContinuation<Void, Never>?, Bool) = state.withLock { s in
            underLock()
            swap(&spent, &s.spent)
            if !s.finished && s.queue.isEmpty && s.overflow.isEmpty && s.count + events.count <= capacity {
                // The common case: the read's array is queued as it is.
                s.segments.append(events)
                s.segmented += events.count
                defer { s.waiting = nil }
                return (s.waiting, hasRoom(s))
            }
            var w: CheckedContinuation<Void, Never>? = nil
            for e in events { if let x = enqueue(e, &s) { w = x } }
            return (w, hasRoom(s))
        }
        waiter?.resume()
        return room
    }

    /// Calls `resume` once there is room again: after the next drain, or at once if there is
    /// room now (or the inbox is finished).
    ///
    /// - Parameter resume: called once, on whatever thread drains (or finishes): keep it short.
    public func whenRoom(_ resume: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            if hasRoom(s) { return true }
            s.waitingForRoom.append(resume)
            return false
        }
        if now { resume() }
    }

    /// Releases the waiter (if any) without queuing anything: a consumer's periodic check
    /// (tail's flush and stdout checks) without a timer per wait.
    public func wakeWaiter() {
        let w = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiting = nil }
            return s.waiting
        }
        w?.resume()
    }

    private func enqueue(_ e: ClientEvent, _ s: inout State) -> CheckedContinuation<Void, Never>? {
        if s.finished { return nil }
        s.flatten()
        if case .restarted = e {
            // What is still queued came from the connections just closed: it is not drawn into
            // the state of the new ones (nor counted as lost: it was let go on purpose).
            s.queue.removeAll()
            s.overflow.removeAll()
            s.overflowOrder.removeAll()
            s.keys.removeAll()
            s.keyed = false
        }
        // Holding reads back, the queue may run past capacity by what was already read (a read
        // per stream): that is kept whole, never coalesced or dropped.
        if s.queue.count >= capacity && !Self.isPrecious(e) && policy == .coalesce {
            if !s.keyed {
                // First time full since the last drain: index what is queued, latest per entity.
                for (offset, queued) in s.queue.enumerated() {
                    if let queued, let key = Self.coalescingKey(queued) { s.keys[key] = s.base + offset }
                }
                s.keyed = true
            }
            if let key = Self.coalescingKey(e) {
                if let i = s.keys[key] {
                    s.queue[i - s.base] = e
                    s.coalesced += 1
                } else if s.overflow[key] != nil {
                    s.overflow[key] = e
                    s.coalesced += 1
                } else if s.overflow.count < entityCapacity {
                    // A new entity while full: kept aside, at most `entityCapacity` of them (the
                    // size of a large network), so memory stays bounded however many ids a hostile
                    // stream invents, while a real storm over every ONU loses no ONU's last state.
                    s.overflow[key] = e
                    s.overflowOrder.append(key)
                } else {
                    s.dropped += 1
                }
            } else {
                s.dropped += 1
            }
            let w = s.waiting
            s.waiting = nil
            return w
        }
        if s.keyed, let key = Self.coalescingKey(e) { s.keys[key] = s.base + s.queue.count }
        s.queue.append(e)
        let w = s.waiting
        s.waiting = nil
        return w
    }

    /// Everything queued, in order, with the counters since the last drain.
    public func drain() -> Batch {
        let (batch, producers) = state.withLock { s in
            var events: [ClientEvent]
            if s.queue.isEmpty && s.overflowOrder.isEmpty {
                // Only whole reads: one of them is handed over as it is, several joined once.
                events = s.segments.count == 1 ? s.segments[0] : Array(s.segments.joined())
                s.segments.removeAll(keepingCapacity: true)
                s.segmented = 0
            } else {
                s.flatten()
                events = s.queue.compactMap { $0 }
            }
            for key in s.overflowOrder { if let e = s.overflow[key] { events.append(e) } }
            s.overflow.removeAll(keepingCapacity: true)
            s.overflowOrder.removeAll(keepingCapacity: true)
            s.base += s.queue.count
            s.queue.removeAll(keepingCapacity: true)
            s.keys.removeAll(keepingCapacity: true)
            s.keyed = false
            let batch = Batch(events: events, coalesced: s.coalesced, dropped: s.dropped)
            s.coalesced = 0
            s.dropped = 0
            let producers = s.waitingForRoom
            s.waitingForRoom.removeAll()
            return (batch, producers)
        }
        for resume in producers { resume() }
        return batch
    }

    /// Hands a drained batch back once the consumer is done with it, to be released by the
    /// thread that pushes next (a stream's event loop) instead of the consumer's.
    ///
    /// The memory of an event is allocated on the event loop that parsed it; freed on another
    /// thread, every free takes the allocator's lock for that loop's memory, the lock its every
    /// allocation takes too: at a few hundred thousand events a second the two threads spend
    /// their time waking each other (futex calls by the ten thousand). Freed where it was
    /// allocated, the memory goes back to that thread's cache. At most a few batches wait
    /// (a quiet inbox holds them until its next push); beyond that the consumer releases them.
    public func recycle(_ batch: consuming Batch) {
        guard !batch.events.isEmpty else { return }
        state.withLock { s in
            if s.spent.count < 4 && !s.finished { s.spent.append(batch.events) }
        }
    }

    /// Batches handed back and not yet released (tests).
    var recycledWaiting: Int { state.withLock { $0.spent.count } }

    /// Waits until something is queued (or the inbox is finished). One waiter at a time.
    public func waitForEvents() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.count > 0 || s.finished || Task.isCancelled { return true }
                    s.waiting = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let w = state.withLock { s -> CheckedContinuation<Void, Never>? in
                defer { s.waiting = nil }
                return s.waiting
            }
            w?.resume()
        }
    }

    /// No more events will come; a waiter is released.
    public func finish() {
        let (w, producers) = state.withLock { s -> (CheckedContinuation<Void, Never>?, [@Sendable () -> Void]) in
            s.finished = true
            defer {
                s.waiting = nil
                s.waitingForRoom.removeAll()
                s.spent.removeAll()  // no push is coming to release them
            }
            return (s.waiting, s.waitingForRoom)
        }
        w?.resume()
        for resume in producers { resume() }
    }

    /// How many events are queued now (tests and benchmarks).
    public var queuedCount: Int { state.withLock { $0.count + $0.overflow.count } }

    public var isFinished: Bool { state.withLock { $0.finished && $0.count == 0 } }
}
