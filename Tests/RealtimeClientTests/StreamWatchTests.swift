import Testing
@testable import RealtimeClient
import RealtimeProtocol

/// A stream's liveness decisions on plain times: no sockets, no clock, no waiting.
@Suite("StreamWatch")
struct StreamWatchTests {
    @Test("SSE: stale after staleAfter without any bytes; every arrival moves the deadline")
    func stale() {
        var w = StreamWatch(.init(staleAfter: 10), now: 0)
        #expect(w.nextDeadline == 10)
        #expect(w.tick(now: 9.9) == [])
        w.arrived(now: 5)
        #expect(w.nextDeadline == 15)
        #expect(w.tick(now: 14.9) == [])
        #expect(w.tick(now: 15) == [.end(.stale)])
    }

    @Test("WebSocket: a ping every interval; one missed is tolerated, two in a row end the socket")
    func pings() {
        var w = StreamWatch(.init(pingInterval: 30, missedPongs: 2), now: 0)
        #expect(w.nextDeadline == 30)
        #expect(w.tick(now: 29) == [])
        #expect(w.tick(now: 30) == [.sendPing])
        #expect(w.pong(now: 30.25) == 0.25, "the round trip of the ping in flight")
        #expect(w.pong(now: 31) == nil, "no ping in flight: no latency")
        #expect(w.tick(now: 60) == [.sendPing])
        #expect(w.tick(now: 90) == [.sendPing], "one unanswered ping is tolerated")
        #expect(w.missed == 1)
        #expect(w.tick(now: 120) == [.end(.missedPongs(2))])
    }

    @Test("the sessions socket subscribes again after a quiet spell; an event moves the deadline, a pong does not")
    func resubscribe() {
        var w = StreamWatch(.init(resubscribeAfter: 4), now: 0)
        #expect(w.nextDeadline == nil, "not before it is live")
        _ = w.becameLive(Moment(monotonic: 0.1, wall: UTCInstant(microseconds: 0)))
        #expect(w.nextDeadline == 4, "counted from subscribing")
        #expect(w.tick(now: 3.9) == [])
        w.eventArrived(now: 3)
        #expect(w.nextDeadline == 7)
        w.arrived(now: 6)  // a pong or an ack: the forwarder of events may still be dead
        #expect(w.tick(now: 6.9) == [])
        #expect(w.tick(now: 7) == [.end(.resubscribe)])
    }

    @Test("a pong resets the missed count")
    func pongResets() {
        var w = StreamWatch(.init(pingInterval: 30, missedPongs: 2), now: 0)
        _ = w.tick(now: 30)
        _ = w.tick(now: 60)
        #expect(w.missed == 1)
        _ = w.pong(now: 61)
        #expect(w.missed == 0)
        #expect(w.tick(now: 90) == [.sendPing])
        #expect(w.tick(now: 120) == [.sendPing])
    }

    @Test("a quiet job socket is read over REST at each poll interval without an event; events keep it quiet")
    func jobPoll() {
        var w = StreamWatch(.init(pingInterval: 30, jobPollInterval: 2), now: 0)
        #expect(w.nextDeadline == 2)
        #expect(w.tick(now: 2) == [.pollJob])
        w.eventArrived(now: 3)
        #expect(w.tick(now: 4) == [], "an event 1 s ago: the socket is delivering")
        #expect(w.tick(now: 6) == [.pollJob])
        w.arrived(now: 7)  // a pong or an ack is not an event
        #expect(w.tick(now: 8) == [.pollJob])
    }

    @Test("every tick moves each passed deadline on, so a watchdog sleeping until nextDeadline never spins")
    func noSpin() {
        var w = StreamWatch(.init(pingInterval: 1, missedPongs: 1_000, jobPollInterval: 0.3), now: 0)
        var now = 0.0
        for _ in 0..<200 {
            guard let due = w.nextDeadline else { break }
            #expect(due > now || now == 0)
            now = due
            _ = w.tick(now: now)
            #expect(w.nextDeadline.map { $0 > now } ?? true, "deadline \(w.nextDeadline ?? -1) did not move past \(now)")
        }
    }

    @Test("live once; a normal close after a terminal job event is the job finishing")
    func liveAndClose() {
        var w = StreamWatch(.init(), now: 0)
        #expect(w.nextDeadline == nil, "nothing to watch")
        #expect(w.ended() == .closedBeforeLive)
        let first = w.becameLive(at(1))
        let second = w.becameLive(at(2))
        #expect(first && !second, "live once")
        #expect(w.live == at(1))
        #expect(w.ended() == .ended)
        #expect(w.ended(by: .refused) == .transport(.refused))
        #expect(w.closed(code: 1000, reason: "") == .webSocketClosed(code: 1000, reason: ""))
        w.terminalJobEvent()
        #expect(w.closed(code: 1000, reason: "") == .jobFinished)
        #expect(w.closed(code: 1011, reason: "boom") == .webSocketClosed(code: 1011, reason: "boom"))
        #expect(w.closed(code: nil, reason: "") == .webSocketClosed(code: nil, reason: ""))
    }

    @Test(
        "reads held back for a slow consumer: no stall, no ping, no missed pong while held; the deadlines start again on release")
    func held() {
        var w = StreamWatch(.init(staleAfter: 10, pingInterval: 3, missedPongs: 2), now: 0)
        w.hold(true, now: 1)
        #expect(w.tick(now: 10) == [], "not stale at 10 s: the silence is ours")
        #expect(w.tick(now: 100) == [], "nor at 100 s, and no pings meanwhile")
        #expect(w.nextDeadline ?? 0 > 100, "the watchdog sleeps again, it does not spin")
        w.hold(false, now: 200)
        #expect(w.tick(now: 202.9) == [])
        #expect(w.tick(now: 203) == [.sendPing], "pings again from the release")
        #expect(w.tick(now: 206) == [.sendPing])
        #expect(w.tick(now: 209) == [.end(.missedPongs(2))], "and a dead server is still found")
        var s = StreamWatch(.init(staleAfter: 10), now: 0)
        s.hold(true, now: 5)
        s.hold(false, now: 50)
        #expect(s.tick(now: 59.9) == [] && s.tick(now: 60) == [.end(.stale)], "stale 10 s after the release")
    }
}

@Suite("ReadGate")
struct ReadGateTests {
    @Test("reads pass until held; one kept read goes on at the release, once; holding twice asks for one call-back")
    func gate() {
        var g = ReadGate()
        let first = g.read()
        let hold1 = g.hold(), hold2 = g.hold()
        let kept1 = g.read(), kept2 = g.read()
        let released = g.release()
        let after = g.read()
        #expect(first, "reads pass")
        #expect(hold1 && !hold2, "the first hold asks to be called back, a second does not")
        #expect(!kept1 && !kept2, "reads are kept while held")
        #expect(released, "the kept read goes on at the release")
        #expect(after, "reads pass again")
        _ = g.hold()
        let empty1 = g.release(), empty2 = g.release()
        #expect(!empty1 && !empty2, "nothing was asked for while held")
    }
}
