import ConsoleRuntime
import Testing

@Suite("FramePacer")
struct FramePacerTests {
    @Test("the first frame is drawn at once; an event-driven change waits for the next frame slot")
    func eventPacing() {
        var p = FramePacer(fps: 4, now: 100)
        #expect(p.pollTimeout(at: 100) == 0, "dirty at start: draw now")
        let r1 = p.drawNow(at: 100, answeringKey: false)
        #expect(r1)
        #expect(!p.dirty)
        #expect(p.pollTimeout(at: 100) == 1000, "nothing to draw: sleep until the tick")
        p.markDirty()
        #expect(p.pollTimeout(at: 100.125) == 125, "wake for the next slot, 250 ms after the last frame")
        let r2 = p.drawNow(at: 100.125, answeringKey: false)
        #expect(!r2, "too soon for an event-driven frame")
        let r3 = p.drawNow(at: 100.25, answeringKey: false)
        #expect(r3)
    }

    @Test("a key's answer is drawn at once, whatever the frame interval")
    func keysAtOnce() {
        var p = FramePacer(fps: 1, now: 0)
        let r4 = p.drawNow(at: 0, answeringKey: false)
        #expect(r4)
        p.markDirty()
        let r5 = p.drawNow(at: 0.01, answeringKey: true)
        #expect(r5)
    }

    @Test("the tick is due once a second and makes the screen dirty; idle sleeps until it")
    func tick() {
        var p = FramePacer(fps: 30, now: 0)
        let r6 = p.drawNow(at: 0, answeringKey: false)
        #expect(r6)
        #expect(p.pollTimeout(at: 0.25) == 750)
        let r7 = p.tickDue(at: 0.99)
        #expect(!r7)
        let r8 = p.tickDue(at: 1.0)
        #expect(r8)
        #expect(p.dirty)
        let r9 = p.tickDue(at: 1.5)
        #expect(!r9, "the next tick is a second after this one")
        let r10 = p.tickDue(at: 2.0)
        #expect(r10)
    }

    @Test("fps below 1 is taken as 1")
    func clamp() {
        #expect(FramePacer(fps: 0, now: 0).frameInterval == 1)
    }
}
