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
