import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 11.2 and 11.4: nothing an operator acts on is hidden by accident, and a job says what
/// is true of it.
@Suite("Alerts that cannot be hidden by accident, and honest job state")
struct HonestStateTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }

    func alertIDs(_ s: AppState) -> [String] {
        s.content(for: .alerts, limit: 20).rows.compactMap { if case .alert(let a) = $0.item { a.id } else { nil } }
    }

    @Test("a cleared alert stays below the active ones, dim and not counted, for 10 minutes")
    func clearedKept() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .critical), alert("b", .warning, at: at(1)), alert("c", .info, at: at(2))]))
        _ = reduce(&s, .client([alert("a", .critical, cleared: true, at: at(5))]))
        #expect(alertIDs(s) == ["b", "c", "a"], "active first (most severe), then the cleared")
        let rows = s.content(for: .alerts, limit: 20)
        #expect(rows.rows.last?.tone == .dim)
        #expect(
            rows.severities.map { [$0.critical, $0.error, $0.warning, $0.info] } == [0, 0, 1, 1], "only active alerts count")
        _ = reduce(&s, .tick(at(5 + 599)))
        #expect(alertIDs(s) == ["b", "c", "a"], "still there just before 10 minutes")
        _ = reduce(&s, .tick(at(5 + 601)))
        #expect(alertIDs(s) == ["b", "c"], "gone after 10 minutes")
        // Raised again: active again.
        _ = reduce(&s, .client([alert("b", .warning, cleared: true, at: at(700)), alert("b", .error, at: at(701))]))
        #expect(s.alerts[.alert("t-01", "b")]?.isActive == true)
    }

    @Test("x on Alerts removes only the cleared ones and says what stayed")
    func xKeepsActive() {
        var s = state()
        _ = reduce(&s, .client((0..<7).map { alert("crit-\($0)", .critical, at: at(Double($0))) }))
        _ = reduce(&s, .client([alert("w", .warning), alert("w", .warning, cleared: true, at: at(9))]))
        _ = keyed(&s, .char("2"), .char("x"))
        #expect(s.alerts.count == 7, "seven active criticals stay")
        #expect(s.alerts.values.allSatisfy { $0.isActive })
        #expect(s.flash?.text == "1 cleared alert removed; 7 active stay until the backend clears them")
    }

    @Test("x on Jobs hides finished jobs and x again shows them; on sessions it says why nothing happens")
    func xOnJobs() {
        var s = state()
        _ = reduce(
            &s,
            .client([
                job("j-1", .running, progress: 10), job("j-2", .completed, progress: 100), job("j-3", .failed, progress: 40),
            ]))
        _ = keyed(&s, .char("6"), .char("x"))
        var content = s.content(for: .jobs, limit: 20)
        #expect(content.rows.compactMap(job).map(\.id) == ["j-1"])
        #expect(content.hiddenFinished == 2)
        _ = keyed(&s, .char("x"))
        content = s.content(for: .jobs, limit: 20)
        #expect(content.rows.count == 3 && content.hiddenFinished == nil)
        _ = keyed(&s, .char("5"), .char("x"))
        #expect(s.flash?.text.contains("nothing to clear") == true)
    }

    @Test("commands on a finished job are refused at once, with a sentence and no request")
    func finishedRefused() {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .completed, progress: 100)]))
        _ = keyed(&s, .char("6"), .down)
        for key in ["c", "p", "r"] {
            #expect(keyed(&s, .char(Character(key))) == [], "\(key) sends nothing")
            #expect(s.overlay == .none, "no y/n question for a job that is done")
            #expect(s.flash?.text.contains("is completed: nothing to") == true)
        }
    }

    @Test("the last command says what it means: pause has no paused state, resume is never answered")
    func commandWords() {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .running, progress: 10)]))
        _ = reduce(&s, .client([.command(tenant: "t-01", endpoint: .job("j-1"), command: .pauseJob, outcome: .acknowledged)]))
        #expect(
            commandText(s.jobs[.job("t-01", "j-1")]!) == "pause acknowledged (the backend has no paused state: watch progress)")
        _ = reduce(&s, .client([.command(tenant: "t-01", endpoint: .job("j-1"), command: .resumeJob, outcome: .noAnswer)]))
        #expect(commandText(s.jobs[.job("t-01", "j-1")]!) == "resume sent, the backend never answers resume")
        _ = reduce(&s, .client([.command(tenant: "t-01", endpoint: .job("j-1"), command: .cancelJob, outcome: .confirmed)]))
        #expect(commandText(s.jobs[.job("t-01", "j-1")]!) == "cancel confirmed")
    }

    @Test("a running job whose progress stopped says so after much longer than its usual step")
    func noProgress() {
        var s = state()
        // Progress moves every 2 s for a while...
        for k in 0..<5 {
            _ = reduce(&s, .tick(at(Double(2 * k))))
            _ = reduce(&s, .client([job("j-1", .running, progress: Double(10 * k))]))
        }
        #expect(s.content(for: .jobs, limit: 5).rows.compactMap(job).first?.stalledFor == nil)
        // ...then stops: heartbeats with the same progress do not count as movement.
        _ = reduce(&s, .tick(at(20)))
        _ = reduce(&s, .client([job("j-1", .running, progress: 40)]))
        _ = reduce(&s, .tick(at(8 + 29)))
        #expect(s.content(for: .jobs, limit: 5).rows.compactMap(job).first?.stalledFor == nil, "not before 30 s")
        _ = reduce(&s, .tick(at(8 + 45)))
        #expect(s.content(for: .jobs, limit: 5).rows.compactMap(job).first?.stalledFor == 45)
        // A finished job is not stalled.
        _ = reduce(&s, .client([job("j-1", .completed, progress: 100)]))
        #expect(s.content(for: .jobs, limit: 5).rows.compactMap(job).first?.stalledFor == nil)
    }

    @Test("a job followed over REST (socket refused) is current, says why, and refuses pause and resume at once")
    func polledJob() {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .running, progress: 10)]))
        _ = reduce(
            &s,
            .client([.status(tenant: "t-01", endpoint: .job("j-1"), state: .polled(reason: "WebSocket refused: HTTP 500"))]))
        #expect(s.jobs[.job("t-01", "j-1")]?.polled == "WebSocket refused: HTTP 500")
        let row = s.content(for: .jobs, limit: 5).rows.first
        #expect(row?.stale == false, "polled data is current, not stale")
        _ = keyed(&s, .char("6"), .down)
        #expect(keyed(&s, .char("p")) == [], "pause is not sent")
        #expect(s.flash?.text.contains("WebSocket refused: HTTP 500") == true)
        #expect(keyed(&s, .char("c")) == [] && s.overlay != .none, "cancel still asks: it goes over REST")
    }

    @Test("R reconnects from inside an overlay too, and says so")
    func reconnectFromOverlay() {
        var s = state()
        _ = keyed(&s, .char("C"))
        #expect(keyed(&s, .char("R")) == [.reconnectAll])
        #expect(s.flash?.text.hasPrefix("reconnecting every stream") == true)
        #expect(s.overlay == .connections, "the panel stays open to watch it happen")
    }
}
