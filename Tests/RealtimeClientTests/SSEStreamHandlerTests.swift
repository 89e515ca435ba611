import DashTestSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
@testable import RealtimeClient
import RealtimeProtocol

/// The SSE handler on an embedded channel: the bytes of the backend's framing (CRLF, one HTTP
/// chunk per event, `connected` first) cut at every size and delivered over one or several
/// reads; what reaches the inbox, when, and how reads are held back.
@Suite("SSE on the event loop")
struct SSEStreamHandlerTests {
    /// Counts the reads that get past the SSE handler towards the socket.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct Rig {
        let channel = EmbeddedChannel()
        let inbox: Inbox
        let clock = ManualClock()
        let watch: Locked<StreamWatch>
        let counter = ReadCounter()
        let done: EventLoopFuture<SSEStreamHandler.Outcome>

        init(capacity: Int = 65_536, policy: Inbox.FullPolicy = .holdReads) throws {
            inbox = Inbox(capacity: capacity, policy: policy)
            let streamClock = StreamClock(clock)
            let start = streamClock.now()
            watch = Locked(StreamWatch(.init(staleAfter: 35), now: start.monotonic))
            let promise = channel.eventLoop.makePromise(of: SSEStreamHandler.Outcome.self)
            done = promise.futureResult
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/isp/v1/realtime/alerts")
            head.headers.add(name: "Host", value: "backend")
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(
                SSEStreamHandler(
                    request: head, key: StreamID(tenant: "t-01", endpoint: .alerts), inbox: inbox, clock: streamClock,
                    watch: watch, startedAt: start, done: promise))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
        }

        func respond(
            status: HTTPResponseStatus = .ok, headers: [(String, String)] = [("Content-Type", "text/event-stream")]
        )
            throws
        {
            try channel.writeInbound(
                HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers))))
        }

        /// One socket read carrying `chunks` (each an HTTP chunk's bytes).
        func read(_ chunks: [[UInt8]]) {
            for c in chunks { channel.pipeline.fireChannelRead(HTTPClientResponsePart.body(ByteBuffer(bytes: c))) }
            channel.pipeline.fireChannelReadComplete()
        }

        func events() -> [ClientEvent] { inbox.drain().events.filter { if case .latency = $0 { false } else { true } } }
    }

    static let alerts = (0..<12).map { Sample.alert("t-01", "a-\($0) ü") }

    /// The backend's bytes: `connected`, a heartbeat comment, then one event per HTTP chunk.
    static var backendChunks: [[UInt8]] {
        [Array("event: connected\r\ndata: {\"status\":\"connected\"}\r\n\r\n".utf8), Array(": ping\r\n\r\n".utf8)]
            + alerts.map { Array("event: alert.raised\r\ndata: \($0)\r\n\r\n".utf8) }
    }

    static func raw(_ e: ClientEvent) -> String? {
        if case .event(_, _, let ev) = e { String(decoding: ev.raw, as: UTF8.self) } else { nil }
    }

    @Test("the request goes out when the channel opens")
    func request() throws {
        let rig = try Rig()
        guard case .head(let head) = try rig.channel.readOutbound(as: HTTPClientRequestPart.self) else {
            Issue.record("no request head written")
            return
        }
        #expect(head.method == .GET && head.uri == "/api/isp/v1/realtime/alerts")
        #expect(try rig.channel.readOutbound(as: HTTPClientRequestPart.self) == .end(nil))
    }

    @Test(
        "the backend's framing cut at every size, one chunk per read or all in one: the same events, in order, byte-exact",
        arguments: [1, 2, 3, 7, 64, Int.max])
    func framing(size: Int) throws {
        for perRead in [1, 5, Int.max] {
            let rig = try Rig()
            try rig.respond()
            let bytes = Self.backendChunks.flatMap { $0 }
            var pieces: [[UInt8]] = []
            var i = 0
            while i < bytes.count {
                let n = min(size, bytes.count - i)
                pieces.append(Array(bytes[i..<(i + n)]))
                i += n
            }
            var got: [ClientEvent] = []
            var j = 0
            while j < pieces.count {
                let n = min(perRead, pieces.count - j)
                rig.read(Array(pieces[j..<(j + n)]))
                got += rig.events()
                j += n
            }
            let live: Bool = if case .status("t-01", .alerts, .live) = got.first { true } else { false }
            #expect(live, "size \(size) per read \(perRead): live first")
            #expect(got.dropFirst().compactMap(Self.raw) == Self.alerts, "size \(size) per read \(perRead)")
            #expect(got.count == 1 + Self.alerts.count)
        }
    }

    @Test("a read's events reach the inbox together at the end of the read, not one by one")
    func oneHandOffPerRead() throws {
        let rig = try Rig()
        try rig.respond()
        for c in Self.backendChunks { rig.channel.pipeline.fireChannelRead(HTTPClientResponsePart.body(ByteBuffer(bytes: c))) }
        #expect(rig.inbox.queuedCount <= 1, "nothing but the head's latency before the read completes")
        rig.channel.pipeline.fireChannelReadComplete()
        #expect(rig.events().count == 1 + Self.alerts.count)
    }

    @Test("every read moves the stall deadline to the time of that read (on the injected clock)")
    func stallClock() throws {
        let rig = try Rig()
        try rig.respond()
        rig.clock.advance(by: .seconds(20))
        rig.read([Array(": ping\r\n\r\n".utf8)])
        #expect(rig.watch.withLock { $0.nextDeadline } == 55)
        rig.clock.advance(by: .seconds(30))
        #expect(rig.watch.withLock { $0.tick(now: 50) } == [], "not stale 30 s after the last read")
        #expect(rig.watch.withLock { $0.tick(now: 55) } == [.end(.stale)])
    }

    @Test("a refused head ends the stream with its status and Retry-After, and closes the channel")
    func refused() throws {
        let rig = try Rig()
        try rig.respond(status: .serviceUnavailable, headers: [("Retry-After", "7")])
        let outcome = try rig.done.wait()
        #expect(outcome.failure == .http(status: 503, retryAfter: 7))
        #expect(outcome.answered)
        #expect(!rig.channel.isActive)
    }

    @Test("a redirect is not followed with the token: the stream ends saying where it pointed, control characters made safe")
    func redirect() throws {
        let rig = try Rig()
        try rig.respond(
            status: .movedPermanently, headers: [("Location", "https://noc.example/api/isp/v1/realtime/alerts\u{1B}[2J")])
        let outcome = try rig.done.wait()
        #expect(
            outcome.failure
                == .serverError(
                    "redirected (HTTP 301) to https://noc.example/api/isp/v1/realtime/alerts?[2J: not followed with the token; configure that URL"
                ))
        #expect(!rig.channel.isActive)
    }

    @Test("a 200 that is not an event stream is refused with the content type it had")
    func notAnEventStream() throws {
        let rig = try Rig()
        try rig.respond(headers: [("Content-Type", "text/html")])
        let outcome = try rig.done.wait()
        #expect(outcome.failure == .serverError("200 with content type 'text/html', not text/event-stream"))
    }

    @Test("an error event ends the stream with its detail; the events before it are delivered")
    func errorEvent() throws {
        let rig = try Rig()
        try rig.respond()
        rig.read([
            Self.backendChunks[0], Self.backendChunks[2],
            Array("event: error\r\ndata: {\"detail\":\"token expired\"}\r\n\r\n".utf8),
        ])
        let outcome = try rig.done.wait()
        #expect(outcome.failure == .serverError("token expired"))
        #expect(rig.events().count == 2)
    }

    @Test("a full inbox holds the next read back until the consumer drains; nothing is dropped or coalesced")
    func backpressure() throws {
        let rig = try Rig(capacity: 4)
        try rig.respond()
        let readsBefore = rig.counter.reads
        rig.channel.read()
        #expect(rig.counter.reads == readsBefore + 1, "room: the read goes through")
        rig.read(Self.backendChunks)  // 13 events into an inbox of 4: the read is kept whole
        rig.channel.read()
        rig.channel.read()
        #expect(rig.counter.reads == readsBefore + 1, "full: reads are held back")
        #expect(rig.watch.withLock { $0.held }, "and the stall watchdog knows the silence is ours")
        rig.clock.advance(by: .seconds(120))
        let whileHeld = rig.watch.withLock { $0.tick(now: 120) }
        #expect(whileHeld == [], "not stale while held")
        let batch = rig.inbox.drain()
        #expect(batch.events.count >= 13 && batch.dropped == 0 && batch.coalesced == 0)
        rig.channel.embeddedEventLoop.run()
        #expect(rig.counter.reads == readsBefore + 2, "after the drain the held read goes through, once")
        #expect(!rig.watch.withLock { $0.held })
        let before = rig.watch.withLock { $0.tick(now: 154.9) }, after = rig.watch.withLock { $0.tick(now: 155) }
        #expect(before == [] && after == [.end(.stale)], "stale 35 s after the release (at 120 s), not before")
        rig.channel.read()
        #expect(rig.counter.reads == readsBefore + 3)
    }

    @Test("the console's policy: reads go on while the queue coalesces, and stop only when the entity overflow is full")
    func coalescingPolicy() throws {
        let rig = try Rig(capacity: 2, policy: .coalesce)
        try rig.respond()
        rig.read(Self.backendChunks)
        let readsBefore = rig.counter.reads
        rig.channel.read()
        #expect(rig.counter.reads == readsBefore + 1, "12 alerts in an inbox of 2 (entities overflow: 131,072): reading on")

        // With a small overflow the same policy does hold reads back, once it is full too.
        let inbox = Inbox(capacity: 2, entityCapacity: 3, policy: .coalesce)
        #expect(!inbox.push(contentsOf: (0..<6).map { InboxTests.alert("a\($0)") }), "queue and overflow full")
        #expect(inbox.push(contentsOf: []) == false)
        _ = inbox.drain()
        #expect(inbox.push(contentsOf: []), "room after the drain")
    }

    @Test("the channel closing ends the attempt with the last event id; an error before the head is the connection's")
    func endings() throws {
        let rig = try Rig()
        try rig.respond()
        rig.read([Self.backendChunks[0], Array("id: 41\r\nevent: alert.raised\r\ndata: \(Self.alerts[0])\r\n\r\n".utf8)])
        try rig.channel.close().wait()
        let outcome = try rig.done.wait()
        #expect(outcome.failure == nil && outcome.error == nil && outcome.lastEventID == "41")

        let early = try Rig()
        early.channel.pipeline.fireErrorCaught(ChannelError.connectTimeout(.seconds(5)))
        let failed = try early.done.wait()
        #expect(!failed.answered && failed.error != nil)
    }
}
