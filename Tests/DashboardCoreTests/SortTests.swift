import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 14, item 3: sort on every pane and column, and the lazy sort.
@Suite("Sorting every pane")
struct SortTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }

    func onuState() -> AppState {
        var s = AppState(tenants: ["t-01"], historyLimit: 50, now: at(10))
        s.size = (120, 40)
        _ = reduce(
            &s,
            .client([
                degradedONU("B", pon: 11, dbm: -27.5, at: 1), degradedONU("D", pon: 2, dbm: nil, at: 2),
                degradedONU("A", pon: 1, dbm: -26.5, at: 3),
                degradedONU("C", pon: 110, dbm: -29, at: 4),
            ]))
        _ = keyed(&s, .char("1"))
        return s
    }

    @Test("s steps through the columns and back to the pane's own order; S reverses; the column is named")
    func stepsAndReverses() {
        var s = onuState()
        #expect(onuSerials(s) == ["C", "A", "D", "B"], "its own order: newest first")
        _ = keyed(&s, .char("s"))
        #expect(s.content(for: .onu, limit: 5).sort?.column.title == "time" && onuSerials(s) == ["C", "A", "D", "B"])
        _ = keyed(&s, .char("s"))
        #expect(onuSerials(s) == ["A", "B", "C", "D"], "ONU serial, A to Z")
        _ = keyed(&s, .char("S"))
        #expect(onuSerials(s) == ["D", "C", "B", "A"] && s.content(for: .onu, limit: 5).sort?.descending == true)
        _ = keyed(&s, .char("s"), .char("s"))
        #expect(s.content(for: .onu, limit: 5).sort?.column.title == "OLT/PON")
        #expect(onuSerials(s) == ["A", "D", "B", "C"], "PON 1, 2, 11, 110: as numbers, not text")
        _ = keyed(&s, .char("s"))
        #expect(onuSerials(s) == ["C", "B", "A", "D"], "dBm lowest first; D has none: last")
        _ = keyed(&s, .char("S"))
        #expect(onuSerials(s) == ["A", "B", "C", "D"], "reversed, and still the missing value last")
        _ = keyed(&s, .char("s"), .char("s"))
        #expect(
            s.sorts[.onu] == nil && onuSerials(s) == ["C", "A", "D", "B"] && s.flash?.text == "ONU events: its own order again")
        _ = keyed(&s, .char("S"))
        #expect(onuSerials(s) == ["B", "D", "A", "C"], "S on the pane's own order: oldest first")
    }

    @Test("outage rows and gaps stay first whatever the sort")
    func pinned() {
        var s = onuState()
        for i in 0..<5 {
            _ = reduce(
                &s,
                .client([
                    ev(
                        .onuOffline, at: at(5 + Double(i) * 0.1),
                        .onu(
                            ONUEvent(
                                onuSerial: "X\(i)", status: .offline, previousStatus: .online, oltID: "olt-09", ponPort: 4)))
                ]))
        }
        _ = keyed(&s, .char("s"), .char("s"))
        let rows = s.content(for: .onu, limit: 50).rows
        guard case .outage = rows.first?.item else {
            Issue.record("the outage row first: \(rows.map(\.id))")
            return
        }
        #expect(onuSerials(s) == ["A", "B", "C", "D"])
    }

    @Test("alerts by source and by severity; jobs by progress; :sort picks a column and direction")
    func otherPanes() {
        var s = state()
        _ = reduce(
            &s,
            .client([
                alert("a", .info, source: "zeta"), alert("b", .critical, at: at(1), source: "alpha"),
                alert("c", .warning, at: at(2), source: "mid"),
            ]))
        _ = keyed(&s, .char(":"))
        for c in "sort source" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.content(for: .alerts, limit: 10).rows.compactMap(severity) == [.critical, .warning, .info])
        _ = keyed(&s, .char(":"))
        for c in "sort sev asc" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.content(for: .alerts, limit: 10).rows.compactMap(severity) == [.info, .warning, .critical])
        _ = reduce(
            &s,
            .client([job("j1", .running, progress: 20), job("j2", .running, progress: 80), job("j3", .running, progress: 50)]))
        _ = keyed(&s, .char("6"), .char(":"))
        for c in "sort progress" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.content(for: .jobs, limit: 10).rows.compactMap(job).map(\.id) == ["j2", "j3", "j1"])
        _ = keyed(&s, .char(":"))
        for c in "sort none" { _ = reduce(&s, .key(.char(c))) }
        _ = keyed(&s, .enter)
        #expect(s.sorts[.jobs] == nil && s.content(for: .jobs, limit: 10).rows.compactMap(job).map(\.id) == ["j1", "j2", "j3"])
    }

    @Test(
        "lazy sort: rows stay still while the selection moves; new rows go below; 10 s after the last move, or a sort the operator changes, lets go"
    )
    func lazy() {
        var s = onuState()
        _ = keyed(&s, .char("s"), .char("s"))  // by serial: A B C D
        _ = keyed(&s, .char("L"))
        #expect(s.lazySort)
        _ = keyed(&s, .down)  // the hold is taken at the first move
        #expect(s.sortHold[.onu] != nil && s.content(for: .onu, limit: 5).sortHeld)
        _ = reduce(&s, .client([degradedONU("0", pon: 7, dbm: -20, at: 6)]))
        #expect(onuSerials(s) == ["A", "B", "C", "D", "0"], "a new row goes below the held ones, though 0 sorts first")
        _ = reduce(&s, .tick(at(19)))
        _ = keyed(&s, .down)  // a move within 10 s of the last keeps the hold
        _ = reduce(&s, .tick(at(28)))
        #expect(onuSerials(s) == ["A", "B", "C", "D", "0"], "9 s after the last move: still held")
        _ = reduce(&s, .tick(at(29.5)))
        #expect(onuSerials(s) == ["0", "A", "B", "C", "D"], "10 s after: sorted again")
        #expect(!s.content(for: .onu, limit: 5).sortHeld)
        _ = keyed(&s, .down)
        #expect(s.content(for: .onu, limit: 5).sortHeld)
        _ = keyed(&s, .char("S"))
        #expect(onuSerials(s) == ["D", "C", "B", "A", "0"], "a sort the operator changes applies at once")
        #expect(!s.content(for: .onu, limit: 5).sortHeld, "and the title does not say held over rows in another order")
        _ = keyed(&s, .char("L"))
        #expect(!s.lazySort && s.sortHold.isEmpty)
    }

    @Test("lazy sort holds the sessions table too")
    func lazySessions() {
        var s = state()
        _ = reduce(&s, .client([session("s1", bytes: 100), session("s2", bytes: 300), session("s3", bytes: 200)]))
        _ = keyed(&s, .char("5"), .char("L"), .down)
        func ids(_ s: AppState) -> [String] {
            s.content(for: .sessions, limit: 10).rows.compactMap {
                if case .session(let r) = $0.item { r.sessionID } else { nil }
            }
        }
        #expect(ids(s) == ["s2", "s3", "s1"])
        _ = reduce(&s, .client([session("s1", bytes: 900, at: at(1))]))
        #expect(ids(s) == ["s2", "s3", "s1"], "s1 now has the most bytes, but the rows are held")
        _ = reduce(&s, .tick(at(11)))
        #expect(ids(s) == ["s1", "s2", "s3"])
    }
}
