import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Three events for `pane`, the `n`-th batch: newer (and, for sessions and jobs, sorted above)
/// the batches before it.
func batch(_ pane: Pane, _ n: Int) -> [ClientEvent] {
    (0..<3).map { k in
        let i = n * 3 + k
        let time = at(Double(i))
        switch pane {
        case .onu:
            // One PON each: offline ONUs on one PON would make an outage and fold into its row.
            return ev(
                .onuOffline, at: time, .onu(ONUEvent(onuSerial: "HWTC\(i)", status: .offline, oltID: "olt-01", ponPort: i + 1)))
        case .alerts:
            return alert("a-\(i)", .critical, at: time)
        case .tickets:
            return ev(
                .ticketCreated, at: time,
                .ticket(
                    TicketEvent(
                        ticketID: "tk-\(i)", ticketNumber: "T-\(i)", title: "ticket \(i)", category: "fault", priority: "low",
                        status: "open")))
        case .subscribers:
            return ev(
                .subscriberCreated, at: time,
                .subscriber(
                    SubscriberEvent(subscriberID: "s-\(i)", accountNumber: "ACC-\(i)", fullName: "Name \(i)", status: "active")))
        case .sessions:
            return session("s-\(i)", .sessionStarted, bytes: Int64(1_000 * (i + 1)), at: time)
        case .jobs:
            return job("j-\(99 - i)", .running, progress: Double(i))
        }
    }
}

@Suite("The selection follows its entity")
struct SelectionFollowsTests {
    @Test("in every pane, while newer events arrive above it", arguments: Pane.allCases)
    func follows(pane: Pane) throws {
        var s = AppState(tenants: ["t-01"], historyLimit: 100, now: t0)
        s.size = (120, 40)
        _ = reduce(&s, .client(batch(pane, 0)))
        _ = reduce(&s, .key(.char(Character(String(pane.rawValue + 1)))))
        _ = reduce(&s, .key(.down))
        _ = reduce(&s, .key(.down))
        let before = s.content(for: pane, limit: 20)
        let index = try #require(before.selectedIndex)
        #expect(index == 1, "the second row is selected")
        let chosen = before.rows[index].detail
        for n in 1...3 {
            _ = reduce(&s, .client(batch(pane, n)))
            let after = s.content(for: pane, limit: 20)
            let now = try #require(after.selectedIndex, "still selected after batch \(n)")
            #expect(after.rows[now].detail == chosen, "batch \(n): the same event stays selected")
        }
        #expect(s.content(for: pane, limit: 20).selectedIndex == 10, "nine newer rows above it, and the first of its own batch")
    }
}
