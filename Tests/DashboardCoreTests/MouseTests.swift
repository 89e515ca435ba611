import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 14, item 7: what a click or a wheel turn does (the renderer says what is under it).
@Suite("Mouse: pointer events")
struct MouseTests {
    @Test("a click focuses a pane, selects a row by its id, and sorts by a column title (again: reverses)")
    func clicks() {
        var s = state()
        _ = reduce(
            &s, .client([alert("a", .info), alert("b", .critical, at: at(1)), session("s1", bytes: 5), session("s2", bytes: 9)]))
        _ = reduce(&s, .pointer(.pane(.jobs), .click))
        #expect(s.focus == .jobs)
        let second = s.content(for: .alerts, limit: 10).rows[1].id
        _ = reduce(&s, .pointer(.row(.alerts, second), .click))
        #expect(s.focus == .alerts && s.selection[.alerts] == second && s.content(for: .alerts, limit: 10).selectedIndex == 1)
        let source = AppState.sortColumns(.alerts)[2]
        _ = reduce(&s, .pointer(.header(.alerts, source), .click))
        #expect(s.sorts[.alerts] == PaneSort(column: 2, descending: false))
        _ = reduce(&s, .pointer(.header(.alerts, source), .click))
        #expect(s.sorts[.alerts] == PaneSort(column: 2, descending: true), "the same title again reverses")
        let user = AppState.sortColumns(.sessions)[SessionSort.user.rawValue]
        _ = reduce(&s, .pointer(.header(.sessions, user), .click))
        #expect(s.focus == .sessions && s.sessionSort == .user && !s.sessionSortDescending)
        _ = reduce(&s, .pointer(.header(.sessions, nil), .click))
        #expect(s.flash?.text == "RADIUS sessions cannot be sorted by that column")
        _ = reduce(&s, .pointer(nil, .click))
        #expect(s.focus == .sessions, "a click on nothing does nothing")
    }

    @Test("the wheel moves the selection three rows in the pane under it; over an overlay it scrolls that")
    func wheel() {
        var s = AppState(tenants: ["t-01"], historyLimit: 50, now: t0)
        s.size = (120, 40)
        _ = reduce(&s, .client((0..<10).map { alert("a\($0)", .warning, at: at(Double($0))) }))
        _ = reduce(&s, .pointer(.pane(.alerts), .wheelDown))
        let rows = s.content(for: .alerts, limit: 20).rows
        #expect(s.selection[.alerts] == rows[0].id, "from no selection the first turn selects the first row, as a key does")
        _ = reduce(&s, .pointer(.pane(.alerts), .wheelDown))
        #expect(s.selection[.alerts] == rows[3].id)
        _ = reduce(&s, .pointer(.pane(.alerts), .wheelDown))
        #expect(s.selection[.alerts] == rows[6].id)
        _ = reduce(&s, .pointer(.row(.alerts, rows[0].id), .wheelUp))
        #expect(s.selection[.alerts] == rows[3].id)
        s.overlay = .help
        _ = reduce(&s, .pointer(.pane(.jobs), .wheelDown))
        #expect(s.overlayScroll == 3 && s.focus == .alerts, "the help scrolls; the panes under it do not move")
        _ = reduce(&s, .pointer(.pane(.jobs), .click))
        #expect(s.overlay == .none && s.focus == .alerts, "a click closes the help, and only that")
    }

    @Test("while a prompt is typed, or a cancel waits for y or n, clicks do nothing")
    func prompts() {
        var s = state()
        _ = reduce(&s, .key(.char("/")))
        _ = reduce(&s, .pointer(.pane(.jobs), .click))
        #expect(s.focus == .alerts && s.editingFilter == "")
        _ = reduce(&s, .key(.escape))
        _ = reduce(&s, .client([job("j-1", .running, progress: 5)]))
        _ = reduce(&s, .key(.char("6")))
        _ = reduce(&s, .key(.char("c")))
        _ = reduce(&s, .pointer(.pane(.alerts), .click))
        guard case .confirmCancel = s.overlay else {
            Issue.record("the cancel dialog stays open")
            return
        }
        #expect(s.focus == .jobs)
    }
}
