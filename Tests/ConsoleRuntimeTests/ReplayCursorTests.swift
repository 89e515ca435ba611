import ConsoleRuntime
import DashboardCore
import Testing

/// One frame a second for 100 s, from t = 1,000 s.
let frameTimes: [Int64] = (0..<100).map { 1_000_000_000 + Int64($0) * 1_000_000 }

@Suite("Replay cursor: pace, pause and seek on injected time")
struct ReplayCursorTests {
    @Test("at ×1 a frame is due each second; at ×10, ten")
    func pace() {
        var c = ReplayCursor(times: frameTimes, speed: 1, now: 50)
        #expect(c.due(at: 50) == 0..<1, "the first frame at once")
        #expect(c.due(at: 50.5).isEmpty)
        #expect(c.wait(at: 50.5) == 0.5)
        #expect(c.due(at: 53) == 1..<4)
        var fast = ReplayCursor(times: frameTimes, speed: 10, now: 0)
        #expect(fast.due(at: 1).count == 11)
        #expect(fast.position(at: 1) == frameTimes[10])
    }

    @Test("pause holds the position; resume goes on from it")
    func pause() {
        var c = ReplayCursor(times: frameTimes, speed: 1, now: 0)
        _ = c.due(at: 5)
        let paused = c.apply(.togglePause, at: 5)
        #expect(!paused)
        let heldDue = c.due(at: 60)
        #expect(c.paused && c.position(at: 60) == frameTimes[5] && heldDue.isEmpty && c.wait(at: 60) == nil)
        _ = c.apply(.togglePause, at: 60)
        #expect(c.position(at: 62) == frameTimes[7])
        #expect(c.due(at: 62) == 6..<8)
    }

    @Test("+ and - step through the speeds, re-anchored where the replay is; past ×64 is max")
    func speeds() {
        var c = ReplayCursor(times: frameTimes, speed: 1, now: 0)
        _ = c.apply(.faster, at: 2)
        #expect(c.speed == 2 && c.position(at: 3) == frameTimes[4])
        for _ in 0..<10 { _ = c.apply(.faster, at: 3) }
        #expect(c.speed.isInfinite && c.behind(at: 3))
        let rest = c.due(at: 3)
        #expect(
            rest == 0..<100 && c.position(at: 3) == frameTimes[99],
            "max: the rest at once, and the replay is where the console is")
        _ = c.apply(.slower, at: 3)
        #expect(c.speed == 64)
        for _ in 0..<20 { _ = c.apply(.slower, at: 3) }
        #expect(c.speed == 0.25)
    }

    @Test("] jumps forward (what it passes is due at once); [ and g go back to the first frame and rebuild")
    func seek() {
        var c = ReplayCursor(times: frameTimes, speed: 1, now: 0)
        _ = c.due(at: 20)
        let forward = c.apply(.jump(10), at: 20)
        #expect(!forward, "forward: nothing to undo")
        #expect(c.due(at: 20) == 21..<31)
        let again = c.apply(.jump(-10), at: 20)
        #expect(again, "back: start again")
        #expect(c.next == 0 && c.position(at: 20) == frameTimes[20])
        #expect(c.due(at: 20) == 0..<21, "everything up to the new position at once")
        let restarted = c.apply(.toStart, at: 20)
        #expect(restarted)
        #expect(c.due(at: 20) == 0..<1)
        let ended = c.apply(.toEnd, at: 20)
        #expect(!ended)
        let rest = c.due(at: 20)
        #expect(rest == 1..<100 && c.atEnd)
        let back = c.apply(.jump(-1000), at: 20)
        #expect(back && c.position(at: 20) == frameTimes[0], "clamped to the start")
    }

    @Test("--from: what came before is due at once, then the pace; times that go backwards are kept in order")
    func from() {
        var c = ReplayCursor(times: frameTimes, speed: 1, from: frameTimes[50], now: 0)
        #expect(c.due(at: 0) == 0..<51)
        var shuffled = ReplayCursor(times: [10, 9, 20], speed: 1, now: 0)
        #expect(shuffled.due(at: 0, limit: 10) == 0..<2, "a frame stamped a microsecond early is not left behind")
        #expect(shuffled.due(at: 0, limit: 1).isEmpty)
    }

    @Test("at max, pause and - hold the replay where the console is, not at the end")
    func maxSpeed() {
        var c = ReplayCursor(times: frameTimes, speed: .infinity, now: 0)
        #expect(c.due(at: 0, limit: 30) == 0..<30)
        #expect(c.position(at: 0) == frameTimes[29], "the last frame taken")
        _ = c.apply(.togglePause, at: 1)
        let held = c.due(at: 5)
        #expect(c.paused && held.isEmpty && c.position(at: 5) == frameTimes[29], "paused: nothing more pours in")
        _ = c.apply(.togglePause, at: 5)
        _ = c.apply(.slower, at: 5)
        #expect(c.speed == 64 && c.position(at: 5) == frameTimes[29])
        #expect(c.due(at: 5 + 1.0 / 64) == 30..<31, "×64 from there: one recorded second in 1/64 s")
    }

    @Test("the limit bounds a burst: the rest stays due")
    func limit() {
        var c = ReplayCursor(times: frameTimes, speed: .infinity, now: 0)
        #expect(c.due(at: 0, limit: 30) == 0..<30)
        #expect(c.behind(at: 0))
        let rest = c.due(at: 0)
        #expect(rest == 30..<100 && !c.behind(at: 0))
    }
}
