import NIOCore
import RealtimeProtocol

/// A stream WebSocket's text frames, read on the event loop: events (and `subscribed`) are
/// parsed there into a batch that goes to the inbox once per socket read, as on SSE. What needs
/// the manager (acknowledgements, errors, pongs, job events that confirm a cancel or end the
/// job) is left to the session's `messages`, in the async reader, as before.
final class WebSocketEventReader: WebSocketTextReader {
    private let key: StreamID
    private let inbox: Inbox
    private let clock: StreamClock
    private let watch: Locked<StreamWatch>
    private var batch: [ClientEvent] = []
    /// The time of the read being taken (read once per read, at its first frame).
    private var readAt: Moment?
    private var sawEvent = false

    init(key: StreamID, inbox: Inbox, clock: StreamClock, watch: Locked<StreamWatch>) {
        self.key = key
        self.inbox = inbox
        self.clock = clock
        self.watch = watch
        batch.reserveCapacity(256)
    }

    func take(_ text: ByteBuffer) -> Bool {
        let bytes = Array(text.readableBytesView)
        // Only frames that look like events (or `subscribed`) are parsed here; the rest go to
        // `messages` and are parsed there.
        let frame = ServerFrame.parse(bytes)
        switch frame {
        case .event(.event(let event)):
            if case .job = event.payload { return false }
            now()
            sawEvent = true
            batch.append(.event(tenant: key.tenant, endpoint: key.endpoint, event: event))
            return true
        case .event(.malformed(let m)):
            now()
            sawEvent = true  // an event frame that did not decode is still the stream delivering
            batch.append(.malformed(tenant: key.tenant, endpoint: key.endpoint, reason: m.reason, raw: m.raw))
            return true
        case .subscribed:
            if watch.withLock({ $0.becameLive(now()) }) {
                batch.append(.status(tenant: key.tenant, endpoint: key.endpoint, state: .live))
            }
            return true
        default:
            return false
        }
    }

    @discardableResult
    private func now() -> Moment {
        if let readAt { return readAt }
        let t = clock.now()
        readAt = t
        return t
    }

    func flush() -> Bool {
        if let readAt {
            let event = sawEvent
            watch.withLock {
                $0.arrived(now: readAt.monotonic)
                if event { $0.eventArrived(now: readAt.monotonic) }
            }
            self.readAt = nil
            sawEvent = false
        }
        guard !batch.isEmpty else { return true }
        let room = inbox.push(handingOver: &batch)
        if !room {
            // Reads are held back: no pings go unanswered for it, no quiet spell ends the socket.
            let now = clock.now().monotonic
            watch.withLock { $0.hold(true, now: now) }
        }
        return room
    }

    func whenRoom(_ resume: @escaping @Sendable () -> Void) {
        let (watch, clock) = (self.watch, self.clock)
        inbox.whenRoom {
            watch.withLock { $0.hold(false, now: clock.now().monotonic) }
            resume()
        }
    }
}
