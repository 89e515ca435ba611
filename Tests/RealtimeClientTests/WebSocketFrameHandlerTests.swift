import DashTestSupport
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing
@testable import RealtimeClient
import RealtimeProtocol

/// The WebSocket's frames on an embedded channel: events parsed on the event loop and handed to
/// the inbox once per read, control frames left to the session, pings answered, the close
/// handshake, and reads held back while the inbox is full.
@Suite("WebSocket on the event loop")
struct WebSocketFrameHandlerTests {
    struct Rig {
        let channel = EmbeddedChannel()
        let inbox: Inbox
        let clock = ManualClock()
        let watch: Locked<StreamWatch>
        let session: WebSocketSession
        let counter = SSEStreamHandlerTests.ReadCounter()

        init(capacity: Int = 65_536, endpoint: Endpoint = .wsSessions) throws {
            inbox = Inbox(capacity: capacity, policy: .holdReads)
            let streamClock = StreamClock(clock)
            let watch = Locked(StreamWatch(.init(resubscribeAfter: 4), now: streamClock.now().monotonic))
            self.watch = watch
            session = WebSocketSession(channel: channel)
            let reader = WebSocketEventReader(
                key: StreamID(tenant: "t-01", endpoint: endpoint), inbox: inbox, clock: streamClock, watch: watch)
            try channel.pipeline.syncOperations.addHandler(counter)
            try channel.pipeline.syncOperations.addHandler(WebSocketFrameHandler(session: session, reader: reader))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000)).wait()
        }

        func frame(_ opcode: WebSocketOpcode, _ text: String) -> WebSocketFrame {
            WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer(string: text))
        }

        /// One socket read carrying these text frames.
        func read(_ texts: [String]) {
            for t in texts { channel.pipeline.fireChannelRead(frame(.text, t)) }
            channel.pipeline.fireChannelReadComplete()
        }

        /// What reached `messages` so far (the socket is closed first, so the stream ends).
        func messages() async throws -> [WebSocketSession.Message] {
            try await channel.close()
            var out: [WebSocketSession.Message] = []
            for await m in session.messages { out.append(m) }
            return out
        }
    }

    static let subscribed = #"{"type":"subscribed","channel":"sessions","tenant_id":"t-01"}"#
    static let sessions = (0..<10).map { Sample.session("t-01", "s-\($0)", bytes: Int64($0)) }

    @Test("subscribed and events are taken on the event loop and reach the inbox together when the read completes, live first")
    func oneHandOffPerRead() throws {
        let rig = try Rig()
        for t in [Self.subscribed] + Self.sessions { rig.channel.pipeline.fireChannelRead(rig.frame(.text, t)) }
        #expect(rig.inbox.queuedCount == 0, "nothing before the read completes")
        rig.channel.pipeline.fireChannelReadComplete()
        let got = rig.inbox.drain().events
        #expect(got.count == 11)
        let live: Bool = if case .status("t-01", .wsSessions, .live) = got.first { true } else { false }
        #expect(live, "live before the events")
        let raw = got.compactMap { e -> String? in
            if case .event(_, _, let ev) = e { String(decoding: ev.raw, as: UTF8.self) } else { nil }
        }
        #expect(raw == Self.sessions, "byte-exact, in order")
    }

    @Test("a read moves the watch: activity and the last event, at the injected clock's time")
    func watchMoves() throws {
        let rig = try Rig()
        rig.read([Self.subscribed])
        rig.clock.advance(by: .seconds(3))
        rig.read([Self.sessions[0]])
        #expect(rig.watch.withLock { $0.lastEvent } == 3 && rig.watch.withLock { $0.lastActivity } == 3)
    }

    @Test("acks, errors, pongs, job events and garbage go to the session's messages, in order; nothing of them to the inbox")
    func controlFrames() async throws {
        let rig = try Rig(endpoint: .job("j-1"))
        let job = Sample.json(
            .jobProgress, "t-01", .job(JobEvent(jobID: "j-1", jobType: "bulk", status: .running, progressPercent: 5)))
        let texts = [#"{"type":"cancel_requested","job_id":"j-1"}"#, #"{"type":"pong"}"#, job, "not json"]
        rig.read(texts)
        #expect(rig.inbox.drain().events.isEmpty)
        #expect(try await rig.messages() == texts.map { .text($0) })
    }

    @Test(
        "a frame left to the session waits for what the reader took before it: live is in the inbox before the job event leaves")
    func orderAcrossPaths() async throws {
        let rig = try Rig(endpoint: .job("j-1"))
        let job = Sample.json(
            .jobProgress, "t-01", .job(JobEvent(jobID: "j-1", jobType: "bulk", status: .running, progressPercent: 5)))
        rig.channel.pipeline.fireChannelRead(rig.frame(.text, Self.subscribed))
        #expect(rig.inbox.queuedCount == 0, "taken, not yet handed on")
        rig.channel.pipeline.fireChannelRead(rig.frame(.text, job))
        #expect(rig.inbox.queuedCount == 1, "handed on before the job event went to the session")
        #expect(try await rig.messages() == [.text(job)])
    }

    @Test("a ping is answered with a pong carrying its payload; a close is echoed and recorded")
    func pingAndClose() throws {
        let rig = try Rig()
        rig.channel.pipeline.fireChannelRead(rig.frame(.ping, "abc"))
        let pong = try #require(try rig.channel.readOutbound(as: WebSocketFrame.self))
        #expect(pong.opcode == .pong && String(buffer: pong.data) == "abc", "the payload (masked by the encoder, later)")
        var data = ByteBuffer()
        data.writeInteger(UInt16(1008))
        data.writeString("policy")
        rig.channel.pipeline.fireChannelRead(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        let echo = try #require(try rig.channel.readOutbound(as: WebSocketFrame.self))
        #expect(echo.opcode == .connectionClose)
        #expect(rig.session.closeCode == 1008 && rig.session.closeReason == "policy")
        #expect(!rig.channel.isActive, "closed after the echo")
    }

    @Test("a full inbox holds the next read back until the consumer drains; nothing lost")
    func backpressure() throws {
        let rig = try Rig(capacity: 4)
        rig.read([Self.subscribed] + Self.sessions)
        let before = rig.counter.reads
        rig.channel.read()
        #expect(rig.counter.reads == before, "full: held")
        #expect(rig.inbox.drain().events.count == 11)
        rig.channel.embeddedEventLoop.run()
        #expect(rig.counter.reads == before + 1, "the held read goes through after the drain")
    }
}
