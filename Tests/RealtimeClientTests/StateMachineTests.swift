import DashSettings
import DashTestSupport
import Testing
@testable import RealtimeClient
import RealtimeProtocol

let t0 = UTCInstant(iso8601: "2025-12-08T10:00:00Z")!
func at(_ s: Double) -> Moment {
    Moment(monotonic: s, wall: UTCInstant(microseconds: t0.microseconds + Int64((s * 1e6).rounded())))
}

@Suite("Backoff")
struct BackoffTests {
    @Test("the documented table: 1, 2, 4, 8, 16 s, then 30 s at the cap")
    func table() {
        let b = Backoff()
        #expect((1...8).map { b.base(attempt: $0) } == [1, 2, 4, 8, 16, 30, 30, 30])
        #expect(b.base(attempt: 10_000) == 30, "no overflow for large attempt numbers")
    }

    @Test("jitter stays within ±20 %", arguments: [-1.0, -0.5, 0, 0.5, 1, 7, -7])
    func jitterBounds(u: Double) {
        let b = Backoff()
        for attempt in 1...7 {
            let d = b.delay(attempt: attempt, u: u)
            #expect(d >= b.base(attempt: attempt) * 0.8 - 1e-9 && d <= b.base(attempt: attempt) * 1.2 + 1e-9)
        }
        #expect(b.delay(attempt: 1, u: -1) == 0.8 && b.delay(attempt: 6, u: 1) == 36)
    }

    @Test("from the config's reconnect section")
    func fromConfig() {
        var r = DashConfig.Reconnect()
        r.initialDelaySeconds = 0.5
        r.maxDelaySeconds = 4
        r.maxAttempts = 10
        let b = Backoff(r)
        #expect([1, 2, 3, 4, 5].map { b.base(attempt: $0) } == [0.5, 1, 2, 4, 4])
        #expect(b.maxAttempts == 10)
    }
}

@Suite("StreamStateMachine")
struct StreamStateMachineTests {
    @Test("network failures back off along the table, unlimited by default")
    func backoffProgression() {
        var m = StreamStateMachine()
        #expect(m.start() == .connect)
        #expect(m.state == .connecting(attempt: 1))
        var delays: [Double] = []
        var now = 0.0
        for _ in 0..<8 {
            guard case .retry(let d) = m.failed(.transport(.refused), at: at(now), jitter: 0) else {
                Issue.record("no retry"); return
            }
            delays.append(d)
            now += d
            #expect(m.retryNow() == .connect)
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30, 30])
        #expect(m.state == .connecting(attempt: 9))
    }

    @Test("the backing-off state names the attempt, the retry time and the reason")
    func backingOffState() {
        var m = StreamStateMachine()
        _ = m.start()
        _ = m.failed(.http(status: 502, retryAfter: nil), at: at(10), jitter: 0.5)
        #expect(m.state == .backingOff(attempt: 1, retryAt: at(11.1).wall, reason: "HTTP 502"))
    }

    @Test("60 s of health resets the schedule; a short live spell does not")
    func resetAfterHealthy() {
        var m = StreamStateMachine()
        _ = m.start()
        for i in 0..<4 { _ = m.failed(.transport(.timedOut), at: at(Double(i)), jitter: 0); _ = m.retryNow() }
        m.becameLive(at: at(100))
        #expect(m.failed(.stale, at: at(130), jitter: 0) == .retry(after: 16), "30 s live is not healthy enough")
        _ = m.retryNow()
        m.becameLive(at: at(200))
        #expect(m.failed(.ended, at: at(261), jitter: 0) == .retry(after: 1), "61 s live resets to attempt 1")
    }

    @Test("401 and 403 are auth failures on the slow schedule, not the network pace", arguments: [401, 403])
    func authFailure(status: Int) {
        var m = StreamStateMachine(authRetry: 120)
        _ = m.start()
        #expect(m.failed(.http(status: status, retryAfter: nil), at: at(5), jitter: 1) == .retry(after: 120))
        #expect(m.state == .authFailed(status: status, retryAt: at(125).wall))
        #expect(m.failures == 0, "an auth failure is not a network failure")
        var never = StreamStateMachine(authRetry: 0)
        _ = never.start()
        #expect(never.failed(.http(status: status, retryAfter: nil), at: at(5), jitter: 0) == .waitForManual)
        #expect(never.state == .authFailed(status: status, retryAt: nil))
    }

    @Test("a changed token retries an auth failure at once, and nothing else")
    func tokenChanged() {
        var m = StreamStateMachine()
        _ = m.start()
        _ = m.failed(.transport(.timedOut), at: at(0), jitter: 0)
        #expect(m.tokenChanged() == nil)
        _ = m.retryNow()
        _ = m.failed(.http(status: 401, retryAfter: nil), at: at(1), jitter: 0)
        #expect(m.tokenChanged() == .connect)
        #expect(m.state == .connecting(attempt: 1))
        var missing = StreamStateMachine()
        _ = missing.start()
        _ = missing.failed(.noToken("cannot read the token file"), at: at(0), jitter: 0)
        #expect(missing.state == .authFailed(status: 0, retryAt: at(120).wall))
    }

    @Test("a permanent answer (404, 400, 405) is tried 3 times, then not again, naming the URL; 5xx keeps retrying")
    func permanent() {
        let url = "http://127.0.0.1:8000/api/wrong/realtime/alerts"
        var m = StreamStateMachine(url: url)
        _ = m.start()
        for i in 1..<StreamStateMachine.permanentAttempts {
            #expect(
                m.failed(.http(status: 404, retryAfter: nil), at: at(Double(i)), jitter: 0)
                    == .retry(after: Backoff().base(attempt: i)))
            guard case .backingOff(_, _, let reason) = m.state else {
                Issue.record("\(m.state)")
                return
            }
            #expect(reason == "HTTP 404 from \(url)")
            _ = m.retryNow()
        }
        #expect(m.failed(.http(status: 405, retryAfter: nil), at: at(9), jitter: 0) == .waitForManual)
        guard case .gaveUp(let why) = m.state else {
            Issue.record("\(m.state)")
            return
        }
        #expect(why.contains("HTTP 405 from \(url)") && why.contains("3 times"), "\(why)")
        #expect(m.manualReconnect() == .connect, "R still tries again")

        var e = StreamStateMachine(url: url)
        _ = e.start()
        for i in 1...10 {
            #expect(
                e.failed(.http(status: i % 2 == 0 ? 404 : 503, retryAfter: nil), at: at(Double(i)), jitter: 0) != .waitForManual)
            _ = e.retryNow()
        }
        #expect(StreamStateMachine.isPermanent(400) && StreamStateMachine.isPermanent(404) && StreamStateMachine.isPermanent(405))
        #expect(![401, 403, 408, 429, 500, 503, 204].contains(where: StreamStateMachine.isPermanent))
    }

    @Test("--give-up-after: network errors stop once still failing that long after the first; the last wait is cut to fit")
    func giveUpAfter() {
        var m = StreamStateMachine(url: "http://x/alerts", giveUpAfter: 10)
        _ = m.start()
        #expect(m.failed(.transport(.refused), at: at(100), jitter: 0) == .retry(after: 1))
        guard case .backingOff(_, _, let reason) = m.state else { return }
        #expect(reason.hasSuffix("(http://x/alerts)"), "the URL it tried: \(reason)")
        _ = m.retryNow()
        _ = m.failed(.transport(.refused), at: at(101), jitter: 0)
        _ = m.retryNow()
        _ = m.failed(.transport(.refused), at: at(103), jitter: 0)
        _ = m.retryNow()
        #expect(m.failed(.transport(.refused), at: at(107), jitter: 0) == .retry(after: 3), "8 s would pass the limit: 3 s")
        _ = m.retryNow()
        #expect(m.failed(.transport(.refused), at: at(110), jitter: 0) == .waitForManual)
        guard case .gaveUp(let why) = m.state else {
            Issue.record("\(m.state)")
            return
        }
        #expect(why.contains("still failing after 10 s"), "\(why)")
        // A live stretch starts the clock again.
        var n = StreamStateMachine(giveUpAfter: 10)
        _ = n.start()
        _ = n.failed(.transport(.refused), at: at(0), jitter: 0)
        _ = n.retryNow()
        n.becameLive(at: at(5))
        #expect(n.failed(.ended, at: at(12), jitter: 0) != .waitForManual)
    }

    @Test("204 and close 1008 stop for good, with the reason")
    func stops() {
        var m = StreamStateMachine()
        _ = m.start()
        #expect(m.failed(.http(status: 204, retryAfter: nil), at: at(0), jitter: 0) == .waitForManual)
        #expect(m.state == .stopped(reason: .noContent))
        var w = StreamStateMachine()
        _ = w.start()
        #expect(
            w.failed(.webSocketClosed(code: 1008, reason: "Job not found or access denied"), at: at(0), jitter: 0)
                == .waitForManual)
        #expect(w.state == .stopped(reason: .policyViolation(reason: "Job not found or access denied")))
        var j = StreamStateMachine()
        _ = j.start()
        #expect(j.failed(.jobFinished, at: at(0), jitter: 0) == .waitForManual)
        #expect(j.state == .stopped(reason: .jobFinished))
    }

    @Test("429 and 503 honour Retry-After when it is longer than the backoff", arguments: [429, 503])
    func retryAfter(status: Int) {
        var m = StreamStateMachine()
        _ = m.start()
        #expect(m.failed(.http(status: status, retryAfter: 7), at: at(0), jitter: 0) == .retry(after: 7))
        _ = m.retryNow()
        #expect(m.failed(.http(status: status, retryAfter: 0.5), at: at(7), jitter: 0) == .retry(after: 2))
        var other = StreamStateMachine()
        _ = other.start()
        #expect(
            other.failed(.http(status: 500, retryAfter: 7), at: at(0), jitter: 0) == .retry(after: 1), "only 429/503 honour it")
    }

    @Test("max_attempts gives up, and a manual reconnect starts over")
    func gaveUp() {
        var m = StreamStateMachine(backoff: Backoff(maxAttempts: 3))
        _ = m.start()
        for i in 0..<3 {
            guard case .retry = m.failed(.closedBeforeLive, at: at(Double(i)), jitter: 0) else {
                Issue.record("gave up early"); return
            }
            _ = m.retryNow()
        }
        #expect(m.failed(.closedBeforeLive, at: at(9), jitter: 0) == .waitForManual)
        #expect(m.state == .gaveUp(reason: "closed before the connected frame after 3 attempts"))
        #expect(m.manualReconnect() == .connect)
        #expect(m.state == .connecting(attempt: 1))
    }
}

@Suite("Inbox")
struct InboxTests {
    @Test("the tap (--record) sees pushes in the order the consumer drains them, whichever threads push")
    func tapOrder() async {
        let tap = NoticeTap()
        let inbox = Inbox(capacity: 1 << 20, policy: .holdReads, tap: tap)
        // Two producers at once, as two streams' event loops are: a tap outside the inbox's lock
        // would let their reads reach the recording in one order and the consumer in another.
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<2 {
                group.addTask {
                    for i in 0..<5_000 { inbox.push(contentsOf: [.notice("\(producer)-\(i)"), .notice("\(producer)-\(i)b")]) }
                }
            }
        }
        let drained = inbox.drain().events.compactMap { e -> String? in if case .notice(let n) = e { n } else { nil } }
        #expect(drained.count == 20_000)
        #expect(drained == tap.seen.withLock { $0 }, "the recording's order is the consumer's")
    }

    @Test("a drained batch handed back waits for the next push to release it (on the pushing thread); a few at most")
    func recycle() {
        let inbox = Inbox(capacity: 100)
        let batches = (0..<6).map { i -> Inbox.Batch in
            inbox.push(contentsOf: [Self.alert("a\(i)")])
            return inbox.drain()
        }
        #expect(batches.map(\.events.count) == [1, 1, 1, 1, 1, 1])
        for batch in batches { inbox.recycle(batch) }
        #expect(inbox.recycledWaiting == 4, "beyond four, the consumer releases them itself")
        inbox.recycle(inbox.drain())
        #expect(inbox.recycledWaiting == 4, "an empty batch is not kept")
        inbox.push(contentsOf: [Self.alert("b")])
        #expect(inbox.recycledWaiting == 0, "the push took them")
        let after = inbox.drain().events
        #expect(after.count == 1, "and queued its own event as ever")
        inbox.recycle(Inbox.Batch(events: after))
        #expect(inbox.recycledWaiting == 1)
        inbox.finish()
        #expect(inbox.recycledWaiting == 0, "finishing releases them: no push is coming")
        inbox.recycle(Inbox.Batch(events: after))
        #expect(inbox.recycledWaiting == 0, "a finished inbox keeps none")
    }

    /// Keeps the notices pushed: read outside the lock, kept under it, as the recorder does.
    final class NoticeTap: InboxTap {
        let seen = Locked<[String]>([])

        func prepare(_ events: inout [ClientEvent]) -> [String] {
            events.compactMap { if case .notice(let n) = $0 { n } else { nil } }
        }

        func commit(_ prepared: [String]) { seen.withLock { $0 += prepared } }
    }

    static func updated(_ session: String, bytes: Int64, tenant: String = "t") -> ClientEvent {
        let e = Event(
            type: .sessionUpdated, tenantID: tenant, timestamp: t0,
            payload: .session(SessionEvent(username: "u", sessionID: session, nasIPAddress: "n", bytesIn: bytes)), raw: [])
        return .event(tenant: tenant, endpoint: .radiusSessions, event: e)
    }

    static func stopped(_ session: String) -> ClientEvent {
        let e = Event(
            type: .sessionStopped, tenantID: "t", timestamp: t0,
            payload: .session(SessionEvent(username: "u", sessionID: session, nasIPAddress: "n", bytesIn: 9)), raw: [])
        return .event(tenant: "t", endpoint: .radiusSessions, event: e)
    }

    static func alert(_ id: String) -> ClientEvent {
        let e = Event(
            type: .alertRaised, tenantID: "t", timestamp: t0,
            payload: .alert(AlertEvent(alertID: id, alertType: "x", severity: .info, source: "s", message: "m")), raw: [])
        return .event(tenant: "t", endpoint: .alerts, event: e)
    }

    static func bytes(_ e: ClientEvent) -> Int64? {
        if case .event(_, _, let ev) = e, case .session(let s) = ev.payload { return s.bytesIn }
        return nil
    }

    @Test("below capacity everything passes in order")
    func inOrder() {
        let inbox = Inbox(capacity: 10)
        for i in 0..<5 { inbox.push(Self.updated("s\(i)", bytes: Int64(i))) }
        let b = inbox.drain()
        #expect(b.events.compactMap(Self.bytes) == [0, 1, 2, 3, 4])
        #expect(b.dropped == 0 && b.coalesced == 0)
    }

    @Test("when full, a newer event of the same entity replaces the queued one; events without an entity are dropped and counted")
    func coalesceAndDrop() {
        let inbox = Inbox(capacity: 3)
        inbox.push(Self.updated("a", bytes: 1))
        inbox.push(Self.updated("b", bytes: 1))
        inbox.push(Self.alert("x"))
        inbox.push(Self.updated("a", bytes: 2))  // full: coalesces into a's slot
        inbox.push(Self.updated("a", bytes: 3))
        inbox.push(.malformed(tenant: "t", endpoint: .alerts, reason: "bad", raw: []))  // full, no entity: dropped
        inbox.push(Self.updated("c", bytes: 1))  // full, not queued: kept in the overflow (latest per entity)
        inbox.push(Self.stopped("b"))  // full: b's stop replaces b's update, so b still ends
        inbox.push(.status(tenant: "t", endpoint: .alerts, state: .live))  // states always go in
        let b = inbox.drain()
        #expect(b.events.count == 5)
        #expect(
            b.events.compactMap(Self.bytes) == [3, 9, 1], "latest state of a wins, in a's place; then b's stop; c comes after")
        #expect(b.events.contains { if case .event(_, _, let e) = $0 { e.type == .sessionStopped } else { false } })
        #expect(b.coalesced == 3 && b.dropped == 1, "only the malformed frame, which has no entity, is dropped")
        #expect(b.events.contains { if case .status = $0 { true } else { false } }, "the state always goes in")
        #expect(inbox.drain().events.isEmpty)
    }

    @Test("the overflow of new entities is bounded too: past its capacity they are dropped and counted")
    func overflowBounded() {
        let inbox = Inbox(capacity: 4, entityCapacity: 4)
        for i in 0..<100 { inbox.push(Self.alert("a\(i)")) }
        let b = inbox.drain()
        #expect(b.events.count == 8 && b.dropped == 92)
    }

    @Test("a storm into a small inbox stays bounded and loses no session's latest state")
    func storm() {
        let inbox = Inbox(capacity: 100)
        for round in 0..<1000 {
            for s in 0..<50 { inbox.push(Self.updated("s\(s)", bytes: Int64(round))) }
        }
        let b = inbox.drain()
        #expect(b.events.count == 100, "50 sessions: all fit, the rest coalesced")
        var latest: [String: Int64] = [:]
        for e in b.events {
            if case .event(_, _, let ev) = e, case .session(let s) = ev.payload { latest[s.sessionID] = s.bytesIn }
        }
        #expect(latest.count == 50 && latest.values.allSatisfy { $0 == 999 })
        #expect(b.coalesced + b.dropped + b.events.count == 50_000)
    }

    @Test("reads queued whole, single events between them, and a read that overfills: order kept, the overflow coalesced")
    func readsAndSingles() {
        let inbox = Inbox(capacity: 6)
        inbox.push(contentsOf: [Self.updated("a", bytes: 1), Self.updated("b", bytes: 1)])
        inbox.push(contentsOf: [Self.updated("c", bytes: 1)])
        var b = inbox.drain()
        #expect(b.events.compactMap(Self.bytes) == [1, 1, 1] && b.events.count == 3, "two reads joined in order")
        inbox.push(contentsOf: [Self.updated("a", bytes: 2)])
        inbox.push(.status(tenant: "t", endpoint: .alerts, state: .live))
        inbox.push(contentsOf: [Self.updated("b", bytes: 2), Self.updated("c", bytes: 2)])
        b = inbox.drain()
        #expect(b.events.count == 4)
        #expect(
            { if case .status = b.events[1] { true } else { false } }(), "the single event stays between the reads")
        // A read that does not fit: what fits is queued, the rest coalesces per entity.
        inbox.push(contentsOf: (0..<4).map { Self.updated("s\($0)", bytes: 1) })
        inbox.push(contentsOf: (0..<4).map { Self.updated("s\($0)", bytes: 2) } + [Self.updated("s9", bytes: 1)])
        b = inbox.drain()
        var latest: [String: Int64] = [:]
        for e in b.events {
            if case .event(_, _, let ev) = e, case .session(let x) = ev.payload { latest[x.sessionID] = x.bytesIn }
        }
        #expect(latest == ["s0": 2, "s1": 2, "s2": 2, "s3": 2, "s9": 1], "latest state of each: \(latest)")
        #expect(b.coalesced + b.events.count == 9 && b.dropped == 0)
    }

    @Test(
        "holding reads back, an over-full read is kept whole: updates of one session are not coalesced, frames without an entity not dropped"
    )
    func holdReadsKeepsAll() {
        let inbox = Inbox(capacity: 3, policy: .holdReads)
        let read =
            (1...5).map { Self.updated("a", bytes: Int64($0)) } + [
                .malformed(tenant: "t", endpoint: .alerts, reason: "x", raw: [])
            ]
        #expect(!inbox.push(contentsOf: read), "full: the reader holds back")
        inbox.push(Self.updated("a", bytes: 6))
        let b = inbox.drain()
        #expect(b.events.compactMap(Self.bytes) == [1, 2, 3, 4, 5, 6] && b.events.count == 7)
        #expect(b.coalesced == 0 && b.dropped == 0)
    }

    @Test("push says when the queue is full; whenRoom calls back at the next drain (or at once when there is room)")
    func room() {
        let inbox = Inbox(capacity: 3, policy: .holdReads)
        #expect(inbox.push(contentsOf: [Self.alert("a"), Self.alert("b")]), "2 of 3: room left")
        let calls = Locked(0)
        inbox.whenRoom { calls.withLock { $0 += 1 } }
        #expect(calls.withLock { $0 } == 1, "room now: called at once")
        #expect(!inbox.push(contentsOf: [Self.alert("c"), Self.alert("d")]), "full")
        inbox.whenRoom { calls.withLock { $0 += 1 } }
        inbox.whenRoom { calls.withLock { $0 += 10 } }
        #expect(calls.withLock { $0 } == 1, "not before a drain")
        let b = inbox.drain()
        #expect(b.events.count == 4 && b.dropped == 0, "an over-full read is kept, not dropped")
        #expect(calls.withLock { $0 } == 12, "both producers resumed by the drain, once each")
        _ = inbox.drain()
        #expect(calls.withLock { $0 } == 12)
        #expect(!inbox.push(contentsOf: [Self.alert("e"), Self.alert("f"), Self.alert("g")]))
        inbox.whenRoom { calls.withLock { $0 += 100 } }
        inbox.finish()
        #expect(calls.withLock { $0 } == 112, "finishing releases a waiting producer")
    }
}
