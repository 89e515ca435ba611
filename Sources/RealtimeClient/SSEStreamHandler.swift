import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import RealtimeProtocol

/// One SSE response, read where its bytes arrive: on the connection's event loop.
///
/// The pipeline is NIO's HTTP/1 client codec and this handler: the decoder hands over each HTTP
/// chunk's bytes (the backend writes one chunk per event), they are parsed and decoded here into
/// a batch, and at `channelReadComplete` the whole read's batch goes into the inbox under one
/// lock, and the stall watchdog's clock is moved on by the same read (one `now()` per read). So
/// a socket read costs one hand-off however many events it carried; no timer is created or
/// re-armed on the way (the watchdog sleeps to the stall deadline and re-checks).
///
/// Backpressure: when the inbox reports it is full, the handler holds the channel's next `read`
/// (``ReadGate``) until the inbox calls back after the consumer's next drain, and the stall
/// watchdog is told the silence meanwhile is ours; bytes in flight are one read plus the
/// kernel's socket buffers. What the inbox does with a full queue is its policy's business.
///
/// All state is touched on the channel's event loop only; what the attempt needs to know at the
/// end comes back as an ``Outcome`` through ``done``.
final class SSEStreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// How the response ended.
    struct Outcome: Sendable {
        /// Whether the response head arrived: an error before it is the connection's (TLS,
        /// reset), after it the stream's end.
        var answered = false
        /// Why the stream must end, when this side decided it (a refused head, an `error` event).
        var failure: StreamStateMachine.Failure?
        /// The first error the channel reported.
        var error: (any Error)?
        var lastEventID: String?
    }

    let done: EventLoopPromise<Outcome>
    private let request: HTTPRequestHead
    private let key: StreamID
    private let inbox: Inbox
    private let clock: StreamClock
    private let watch: Locked<StreamWatch>
    private let startedAt: Moment
    private var parser = SSEParser()
    private var outcome = Outcome()
    private var batch: [ClientEvent] = []
    /// The time of the read being parsed (read once per read, at its first body part).
    private var readAt: Moment?
    /// Reads are held back while the inbox is full.
    private var gate = ReadGate()

    init(
        request: HTTPRequestHead, key: StreamID, inbox: Inbox, clock: StreamClock, watch: Locked<StreamWatch>,
        startedAt: Moment, done: EventLoopPromise<Outcome>
    ) {
        self.request = request
        self.key = key
        self.inbox = inbox
        self.clock = clock
        self.watch = watch
        self.startedAt = startedAt
        self.done = done
        batch.reserveCapacity(256)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            outcome.answered = true
            let now = clock.now()
            watch.withLock { $0.arrived(now: now.monotonic) }
            inbox.push(
                .latency(tenant: key.tenant, endpoint: key.endpoint, milliseconds: (now.monotonic - startedAt.monotonic) * 1000))
            let status = Int(head.status.code)
            if (300...399).contains(status), let location = head.headers.first(name: "Location") {
                // Not followed: the request carries the token, and a redirect may point anywhere.
                // The operator is told where, to configure that URL.
                let shown = TerminalSafety.replacingUnsafe(String(location.prefix(200))) { _ in "?" }
                end(
                    context,
                    .serverError("redirected (HTTP \(status)) to \(shown): not followed with the token; configure that URL"))
            } else if status != 200 {
                let retryAfter = head.headers.first(name: "Retry-After").flatMap(Double.init)
                end(context, .http(status: status, retryAfter: retryAfter))
            } else if let type = head.headers.first(name: "Content-Type"), type.lowercased().hasPrefix("text/event-stream") {
                return
            } else {
                let type = head.headers.first(name: "Content-Type") ?? ""
                end(context, .serverError("200 with content type '\(type)', not text/event-stream"))
            }
        case .body(let buffer):
            guard outcome.failure == nil else { return }
            let now: Moment
            if let readAt {
                now = readAt
            } else {
                now = clock.now()
                readAt = now
            }
            var failure: StreamStateMachine.Failure? = nil
            buffer.withUnsafeReadableBytes { raw in
                parser.feed(raw) { output in
                    if failure == nil { failure = handle(output, now: now) }
                }
            }
            if let failure { end(context, failure) }
        case .end:
            flush(context)
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context)
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if gate.read() { context.read() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if outcome.error == nil { outcome.error = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        flush(context)
        outcome.lastEventID = parser.currentLastEventID
        done.succeed(outcome)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Never left waiting (a pipeline torn down without channelInactive). A promise already
        // completed ignores this.
        outcome.lastEventID = parser.currentLastEventID
        done.succeed(outcome)
    }

    private func end(_ context: ChannelHandlerContext, _ failure: StreamStateMachine.Failure) {
        outcome.failure = failure
        flush(context)
        context.close(promise: nil)
    }

    /// Hands the read's events over, and holds further reads back while the inbox is full.
    private func flush(_ context: ChannelHandlerContext) {
        if let readAt {
            watch.withLock { $0.arrived(now: readAt.monotonic) }
            self.readAt = nil
        }
        guard !batch.isEmpty else { return }
        let room = inbox.push(handingOver: &batch)
        guard !room, gate.hold() else { return }
        // Held: the silence that follows is ours, not the server's (no stall while it lasts).
        let (watch, clock) = (self.watch, self.clock)
        watch.withLock { $0.hold(true, now: clock.now().monotonic) }
        let resume = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        inbox.whenRoom {
            loop.execute {
                let (handler, context) = resume.value
                watch.withLock { $0.hold(false, now: clock.now().monotonic) }
                if handler.gate.release() { context.read() }
            }
        }
    }

    /// One SSE output: returns a failure when the stream must end.
    private func handle(_ output: SSEParser.Output, now: Moment) -> StreamStateMachine.Failure? {
        switch output {
        case .event(let e):
            switch e.type {
            case "connected":
                if watch.withLock({ $0.becameLive(now) }) {
                    batch.append(.status(tenant: key.tenant, endpoint: key.endpoint, state: .live))
                }
            case "error":
                let v = try? JSONValue.parse(e.data)
                return .serverError(v?["detail"]?.stringValue ?? v?["error"]?.stringValue ?? e.text)
            default:
                switch EventDecoder.decode(e.data) {
                case .event(let event): batch.append(.event(tenant: key.tenant, endpoint: key.endpoint, event: event))
                case .malformed(let m):
                    batch.append(.malformed(tenant: key.tenant, endpoint: key.endpoint, reason: m.reason, raw: m.raw))
                }
            }
        case .comment, .retry:
            break
        case .error(let error):
            batch.append(.malformed(tenant: key.tenant, endpoint: key.endpoint, reason: error.description, raw: []))
        }
        return nil
    }
}
