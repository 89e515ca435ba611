import RealtimeProtocol
import Testing

@testable import DashboardCore

/// The alerts' digest is made once per change of the table and kept by its stamp: two states
/// (a copy changed apart, a frozen view beside the live table) must never see each other's.
@Suite("Alert digest")
struct AlertDigestTests {
    func ids(_ s: AppState) -> [String] {
        s.content(for: .alerts, limit: 50).rows.compactMap { row -> String? in
            switch row.item {
            case .alert(let a): a.id
            case .alertGroup(let g): "\(g.latest.id)×\(g.count)"
            default: nil
            }
        }.sorted()
    }

    @Test("a copy changed apart from its original keeps its own alerts, back and forth")
    func copies() {
        var a = AppState(tenants: ["t-01"], now: at(10))
        _ = reduce(&a, .client([alert("a-1", .critical, at: at(1)), alert("a-2", .warning, at: at(2))]))
        #expect(ids(a) == ["a-1", "a-2"])
        // The same number of changes apart: a cache keyed by a per-state counter would mix them.
        var b = a
        _ = reduce(&b, .client([alert("b-1", .error, at: at(3))]))
        _ = reduce(&a, .client([alert("a-3", .warning, at: at(4))]))
        for _ in 0..<2 {
            #expect(ids(b) == ["a-1", "a-2", "b-1"])
            #expect(ids(a) == ["a-1", "a-2", "a-3"])
        }
        var c = a
        _ = reduce(&c, .client([alert("a-2", .warning, cleared: true, at: at(5))]))
        #expect(c.content(for: .alerts, limit: 50).severities?.warning == 1, "a-2 is cleared in c")
        #expect(a.content(for: .alerts, limit: 50).severities?.warning == 2, "a-2 is active in a")
    }

    @Test("a frozen view shows the alerts of its moment while the live table moves on")
    func frozen() {
        var s = AppState(tenants: ["t-01"], now: at(10))
        s.size = (120, 40)
        // Counts of a feed that is not live are not said: the alerts stream is up.
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .live), alert("a-1", .critical, at: at(1))]))
        _ = reduce(&s, .key(.char(" ")))
        #expect(s.frozen != nil, "space freezes the view")
        _ = reduce(&s, .client([alert("a-2", .critical, at: at(2)), alert("a-3", .critical, at: at(3), type: "y")]))
        #expect(ids(s) == ["a-1"], "frozen: only what was there")
        #expect(s.summary(naming: true) == "1 critical")
        _ = reduce(&s, .key(.char(" ")))
        #expect(ids(s) == ["a-1", "a-2", "a-3"])
        #expect(s.summary(naming: true) == "3 critical")
    }

    @Test("a group's figures: active members first, then the cleared ones, and a filter makes them again")
    func figures() {
        var s = AppState(tenants: ["t-01"], now: at(100))
        _ = reduce(
            &s,
            .client([
                alert("g-1", .warning, at: at(1), type: "los", source: "olt-01/1"),
                alert("g-2", .critical, at: at(2), type: "los", source: "olt-01/1"),
                alert("g-3", .warning, at: at(3), type: "los", source: "olt-01/1"),
                alert("g-3", .warning, cleared: true, at: at(4), type: "los", source: "olt-01/1"),
            ]))
        let rows = s.content(for: .alerts, limit: 10).rows
        guard case .alertGroup(let g)? = rows.first?.item else {
            Issue.record("one group row, not \(rows.map(\.id))")
            return
        }
        #expect(g.count == 2 && g.severity == .critical && g.isActive && g.latest.id == "g-2")
        s.filters[.alerts] = "g-1"
        let filtered = s.content(for: .alerts, limit: 10).rows
        guard case .alert(let only)? = filtered.first?.item else {
            Issue.record("the filter leaves one alert drawn as itself, not \(filtered.map(\.id))")
            return
        }
        #expect(only.id == "g-1" && filtered.count == 1)
    }
}

/// The Alerts pane ranks its groups and makes rows only for a window: the window must be the top
/// of the whole order, and the whole order the pane's rule.
@Suite("Alerts pane: the rows made are the top of the whole order")
struct AlertWindowTests {
    /// 300 groups: every severity, active and cleared, some acknowledged, many at one time.
    static func state() -> AppState {
        var s = AppState(tenants: ["t-01", "t-02"], now: at(1_000))
        var events: [ClientEvent] = []
        let severities: [AlertSeverity] = [.critical, .error, .warning, .info]
        for i in 0..<300 {
            let tenant = i % 3 == 0 ? "t-02" : "t-01"
            // Times repeat (i % 7): ties are ordered by name.
            events.append(alert("a-\(i)", severities[i % 4], tenant: tenant, at: at(Double(i % 7)), type: "t\(i % 5)"))
            if i % 4 == 3 { events.append(alert("a-\(i)", .info, tenant: tenant, cleared: true, at: at(Double(10 + i % 11)))) }
        }
        _ = reduce(&s, .client(events))
        for i in stride(from: 0, to: 300, by: 10) {
            let tenant = i % 3 == 0 ? "t-02" : "t-01"
            let key = AlertGroupKey(tenant: tenant, type: "t\(i % 5)", source: "dev-a-\(i)")
            s.acks.acks.append(Ack(target: AckTarget(key), who: "op", at: at(1), note: "", expires: nil))
        }
        return s
    }

    /// The pane's rule: active before cleared; active unacknowledged before acknowledged, then
    /// most severe and newest; cleared most recently cleared first; ties by tenant, type, source.
    static func inOrder(_ a: Row, _ b: Row) -> Bool {
        func facts(_ r: Row) -> (active: Bool, acked: Bool, rank: Int, last: Int64, cleared: Int64, name: [String])? {
            switch r.item {
            case .alert(let x):
                return (
                    x.isActive, r.ack != nil, x.severity.rank, x.raisedAt.microseconds,
                    (x.clearedAt ?? x.raisedAt).microseconds, [x.tenant, x.type, x.source]
                )
            case .alertGroup(let g):
                return (
                    g.isActive, r.ack != nil, g.severity.rank, g.lastSeen.microseconds,
                    (g.latest.clearedAt ?? g.lastSeen).microseconds, [g.key.tenant, g.key.type, g.key.source]
                )
            default: return nil
            }
        }
        guard let x = facts(a), let y = facts(b) else { return false }
        if x.active != y.active { return x.active }
        if x.active {
            if x.acked != y.acked { return !x.acked }
            if (x.rank, x.last) != (y.rank, y.last) { return (x.rank, x.last) > (y.rank, y.last) }
        } else if (x.cleared, x.last) != (y.cleared, y.last) {
            return (x.cleared, x.last) > (y.cleared, y.last)
        }
        return x.name.lexicographicallyPrecedes(y.name)
    }

    @Test("every window is the top of the whole order, and the whole order is the pane's rule")
    func windows() throws {
        let s = Self.state()
        let whole = s.content(for: .alerts, limit: 1_000)
        #expect(whole.rows.count == 300 && whole.matched == 300 && whole.total == 300)
        for k in whole.rows.indices.dropFirst() {
            #expect(Self.inOrder(whole.rows[k - 1], whole.rows[k]), "row \(k - 1) before row \(k)")
        }
        #expect(whole.rows.contains { $0.ack != nil && !$0.tone.isDim }, "acknowledged active groups are among them")
        for limit in [1, 5, 40, 299] {
            let window = s.content(for: .alerts, limit: limit)
            #expect(window.rows.map(\.id) == whole.rows.prefix(limit).map(\.id), "limit \(limit)")
            #expect(window.matched == 300 && window.total == 300)
        }
        // With a filter: the window is the top of the filtered whole, in the same rule.
        var filtered = s
        filtered.filters[.alerts] = "t3"
        let matching = filtered.content(for: .alerts, limit: 1_000)
        #expect(matching.rows.count == 60 && matching.matched == 60)
        for k in matching.rows.indices.dropFirst() { #expect(Self.inOrder(matching.rows[k - 1], matching.rows[k])) }
        #expect(filtered.content(for: .alerts, limit: 7).rows.map(\.id) == matching.rows.prefix(7).map(\.id))
    }

    @Test("the selection deep in the pane is in its window; moving up from the end walks every row")
    func deepSelection() throws {
        var s = Self.state()
        s.focus = .alerts
        let all = s.orderedIDs(.alerts, around: Int.max / 2)
        move(&s, to: .last)
        let content = s.content(for: .alerts, limit: 10)
        #expect(content.rows[try #require(content.selectedIndex)].id == all.last)
        var seen: [RowID] = [try #require(s.selection[.alerts])]
        for _ in 1..<all.count {
            move(&s, by: -1)
            seen.append(try #require(s.selection[.alerts]))
        }
        #expect(seen == all.reversed())
    }
}

extension Tone {
    var isDim: Bool { self == .dim }
}
