import DashboardCore
import RealtimeProtocol
import Testing

@testable import DashboardRender

/// `t` plus `seconds`.
func later(_ t: UTCInstant, _ seconds: Double) -> UTCInstant {
    UTCInstant(microseconds: t.microseconds + Int64(seconds * 1_000_000))
}

@Suite("Trends: sparklines and labelled latencies")
struct TrendTests {
    @Test("a sparkline writes only inside its rect, newest at the right, scaled to the largest; a gap is blank, not zero")
    func sparkline() {
        var g = xGrid(12, 3)
        Sparkline([0, 1, 2, 4, nil, 8]).render(in: Rect(x: 2, y: 1, width: 8, height: 1), into: &g)
        #expect(g.lines[0] == "xxxxxxxxxxxx" && g.lines[2] == "xxxxxxxxxxxx")
        #expect(g.lines[1] == "xxxx▁▂▃▅ █xx", "right-aligned, scaled to 8, the unknown second blank")
        var narrow = xGrid(6, 1)
        Sparkline((1...20).map { Double($0) }).render(in: Rect(x: 1, y: 0, width: 4, height: 1), into: &narrow)
        #expect(narrow.lines[0] == "x▇▇██x", "only the newest values that fit")
        var ascii = xGrid(8, 1)
        ascii.ascii = true
        Sparkline([0, 4, 8, nil]).render(in: Rect(x: 0, y: 0, width: 8, height: 1), into: &ascii)
        #expect(ascii.lines[0] == "xxxx_+@ ", "LANG=C: ASCII glyphs")
        #expect(Sparkline.text([], width: 5, ascii: false).isEmpty)
        #expect(Sparkline.text([0, 0], width: 5, ascii: false) == "▁▁", "all quiet is the floor, not blank")
    }

    func state() -> AppState {
        var s = AppState(tenants: ["t-01"], now: UTCInstant(microseconds: 1_796_613_492_000_000))
        _ = reduce(&s, .resized(cols: 200, rows: 60))
        return s
    }

    @Test("latencies say what they measure: ttfb for SSE, rtt for a WebSocket ping; the C panel draws both trends")
    func latencyLabels() {
        #expect(StatusBar.latency(27.4, .alerts) == "ttfb 27ms")
        #expect(StatusBar.latency(3, .wsSessions) == "rtt 3ms")
        #expect(StatusBar.latency(nil, .alerts) == nil)
        var s = state()
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .wsSessions, state: .live)]))
        for (i, ms) in [3.0, 5, 4, 12].enumerated() {
            _ = reduce(&s, .client([.latency(tenant: "t-01", endpoint: .wsSessions, milliseconds: ms)]))
            _ = reduce(&s, .tick(later(s.now, Double(i + 1))))
        }
        s.overlay = .connections
        let screen = Screen.render(s, cols: 200, rows: 60).lines.joined(separator: "\n")
        #expect(screen.contains("rtt 12ms"))
        #expect(screen.contains("ping rtt ▃▄▃█ (max 12ms)"), "\(screen)")
        #expect(screen.contains("ev/s "), "the stream's events a second")
    }

    @Test("rates roll over once a second of the state's clock (a replay ticks more often), unknown while a stream is down")
    func rates() {
        var s = state()
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .live)]))
        _ = reduce(&s, .tick(s.now))
        let t0 = s.now
        // Ten ticks within one second: one rollover.
        for k in 1...10 {
            _ = reduce(&s, .client([.latency(tenant: "t-01", endpoint: .alerts, milliseconds: 1)]))
            _ = reduce(&s, .tick(later(t0, 0.1 * Double(k))))
        }
        let id = StreamID("t-01", .alerts)
        #expect(s.connections[id]?.rateTrend.count == 2, "\(s.connections[id]?.rateTrend ?? [])")
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .stale)]))
        _ = reduce(&s, .tick(later(t0, 2.1)))
        #expect(s.connections[id]?.rateTrend.last == .some(nil), "a second the stream was down is not known")
        for k in 0..<100 { _ = reduce(&s, .tick(later(t0, 3.0 + Double(k)))) }
        #expect(s.connections[id]?.rateTrend.count == ConnectionInfo.trendLength)
    }

    @Test("the header's total events a second appears once three seconds are known, when it fits")
    func headerTrend() {
        var s = state()
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .live)]))
        var header = Screen.render(s, cols: 200, rows: 60).lines[0]
        #expect(!header.contains("ev "))
        for k in 1...4 { _ = reduce(&s, .tick(later(s.now, Double(k)))) }
        header = Screen.render(s, cols: 200, rows: 60).lines[0]
        #expect(header.contains("ev ▁▁▁") && header.contains("0/s"), "\(header)")
        let narrow = Screen.render(s, cols: 60, rows: 16).lines[0]
        #expect(!narrow.contains("ev ▁"), "no room: the clock and the summary come first")
    }

    @Test("a session's detail draws its bit rate from the moment it was opened, update by update")
    func sessionTrend() {
        var s = state()
        func update(_ bytesIn: Int64, at seconds: Double) -> ClientEvent {
            let json = EventEncoder.json(
                type: .sessionUpdated, tenantID: "t-01",
                timestamp: later(UTCInstant(microseconds: 1_796_613_492_000_000), seconds),
                payload: .session(
                    SessionEvent(username: "bob", sessionID: "s-1", nasIPAddress: "10.0.0.1", bytesIn: bytesIn, bytesOut: 0)))
            guard case .event(let e) = EventDecoder.decode(Array(json.utf8)) else { fatalError("fixture") }
            return .event(tenant: "t-01", endpoint: .radiusSessions, event: e)
        }
        _ = reduce(&s, .client([update(0, at: 0), update(1_000, at: 1)]))
        _ = reduce(&s, .key(.char("5")))
        _ = reduce(&s, .key(.enter))
        _ = reduce(&s, .client([update(3_000, at: 2), update(7_000, at: 3)]))
        let screen = Screen.render(s, cols: 200, rows: 60).lines.joined(separator: "\n")
        #expect(s.sessionTrend?.bitsIn == [8_000, 16_000, 32_000])
        #expect(screen.contains("bit rate in  ▃▅█ 32kb/s now"), "\(screen)")
        #expect(screen.contains("(3 updates since"))
        // Another session's detail starts its own trend; a cleared screen forgets it.
        _ = reduce(&s, .client([.restarted(Restart(tenants: ["t-01"], note: "x", clears: true))]))
        #expect(s.sessionTrend == nil)
    }

    @Test("the replay timeline says where the recording has holes")
    func timelineHoles() {
        let t = UTCInstant(microseconds: 1_796_613_492_000_000)
        var r = ReplayStatus(position: later(t, 30), start: t, end: later(t, 60), speed: 8)
        #expect(StatusBar.timeline(r, ascii: false, width: 120) == "REPLAY \(later(t, 30).timeOfDay) ×8 ▕████████▒▒▒▒▒▒▒▒▏")
        r.lost = 120
        r.skipped = 2
        r.paused = true
        #expect(
            StatusBar.timeline(r, ascii: true, width: 80)
                == "REPLAY \(later(t, 30).timeOfDay) ×8 paused 120 lost 2 bad lines [####....]")
    }
}
