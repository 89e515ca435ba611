import RealtimeProtocol
import Testing

@testable import DashboardCore

/// The history panes make rows only for what can be shown (a window, or down to the selection
/// and a window past it). These hold that window to what every row, made and ordered, gives.
@Suite("History panes: the rows made are the top of the whole order")
struct HistoryWindowTests {
    /// Two tenants whose events arrive out of time order, an outage folding six ONU events, and
    /// 60 tickets and subscribers: more than a window.
    static func state() -> AppState {
        var s = AppState(tenants: ["t-01", "t-02"], historyLimit: 100, now: at(1_000))
        s.size = (120, 40)
        var events: [ClientEvent] = []
        for i in 0..<60 {
            // t-02's clock runs behind and jumps: its rows interleave with t-01's, not after them.
            let tenant = i % 2 == 0 ? "t-01" : "t-02"
            let time = at(Double(i % 2 == 0 ? i : 70 - i))
            events.append(
                ev(
                    i % 3 == 0 ? .onuSignalDegraded : .onuOnline, tenant, at: time,
                    .onu(ONUEvent(onuSerial: "HWTC\(i)", status: i % 3 == 0 ? .degraded : .online, oltID: "olt-\(i)", ponPort: 1))
                ))
            events.append(
                ev(
                    .ticketCreated, tenant, at: time,
                    .ticket(
                        TicketEvent(
                            ticketID: "tk-\(i)", ticketNumber: "T-\(i)", title: "ticket \(i)", category: "fault",
                            priority: "low", status: "open"))))
            events.append(
                ev(
                    .subscriberCreated, tenant, at: time,
                    .subscriber(
                        SubscriberEvent(
                            subscriberID: "s-\(i)", accountNumber: "ACC-\(i)", fullName: "Name \(i)", status: "active")
                    )))
        }
        // Six ONUs of one PON offline: an outage, whose events are counted on its row, not listed.
        for k in 0..<6 {
            events.append(
                ev(
                    .onuOffline, "t-01", at: at(Double(80 + k)),
                    .onu(ONUEvent(onuSerial: "OUT\(k)", status: .offline, oltID: "olt-09", ponPort: 1))))
        }
        _ = reduce(&s, .client(events))
        return s
    }

    static let panes: [Pane] = [.onu, .tickets, .subscribers]

    @Test("every window is the top of the order a filter matching every row gives", arguments: panes)
    func windowIsTop(pane: Pane) throws {
        var s = Self.state()
        // A filter that every row matches (its tenant) makes every row: the path before windows.
        s.filters[pane] = "t-0"
        let whole = s.content(for: pane, limit: 1_000)
        s.filters[pane] = nil
        #expect(whole.rows.count >= 60, "the whole set is more than a window")
        for limit in [0, 1, 7, 40, 1_000] {
            let window = s.content(for: pane, limit: limit)
            #expect(window.rows.map(\.id) == Array(whole.rows.prefix(limit)).map(\.id), "limit \(limit)")
            #expect(window.matched == whole.matched, "limit \(limit): every matching row is counted")
            #expect(window.total == whole.total, "limit \(limit)")
        }
        if pane == .onu {
            let outage = try #require(whole.rows.first)
            guard case .outage = outage.item else { throw Expectation("an outage row first, not \(outage.id)") }
            #expect(!whole.rows.contains { $0.idText?.hasPrefix("OUT") == true }, "the outage's events are folded")
        }
    }

    @Test("the selection deep in a pane is in its window, and moving walks every row", arguments: panes)
    func deepSelection(pane: Pane) throws {
        var s = Self.state()
        s.focus = pane
        let all = s.orderedIDs(pane, around: Int.max / 2)
        move(&s, to: .last)
        #expect(s.selection[pane] == all.last, "End selects the last row of the whole order")
        let content = s.content(for: pane, limit: 10)
        let index = try #require(content.selectedIndex, "the last row is in the 10-row window")
        #expect(index == 9 && content.rows[index].id == all.last)
        #expect(content.offset == all.count - 10)
        // Up from the bottom, one row at a time, visits every row in order.
        var seen: [RowID] = [try #require(s.selection[pane])]
        for _ in 1..<all.count {
            move(&s, by: -1)
            seen.append(try #require(s.selection[pane]))
        }
        #expect(seen == all.reversed(), "moving up visits every row once, in order")
    }

    @Test("a ring read newest first, in place and by place, before and after it wraps")
    func ringNewestFirst() {
        var ring = RingBuffer<Int>(capacity: 5)
        for n in 0..<7 {
            ring.append(n)
            var seen: [(Int, UInt64, Int)] = []
            ring.forEachNewestFirst { place, sequence, e in seen.append((place, sequence, e.pointee)) }
            let kept = Array((max(0, n - 4)...n).reversed())
            #expect(seen.map(\.2) == kept, "after \(n + 1) appends")
            #expect(seen.map(\.0) == Array(kept.indices))
            #expect(seen.map(\.1) == kept.map(UInt64.init), "an element's sequence number is its append count")
            #expect(kept.indices.map { ring.element(newest: $0) } == kept)
        }
    }

    struct Expectation: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

@Suite("An alert's OLT")
struct OLTOfTests {
    @Test("read byte by byte, it agrees with splitting and lowercasing")
    func agrees() {
        func slow(_ source: String) -> String? {
            let head = source.split(separator: "/", maxSplits: 1).first.map(String.init) ?? source
            return head.lowercased().hasPrefix("olt") ? head : nil
        }
        let sources = [
            "olt-03", "OLT-03/pon-2", "Olt7/1/2", "olt", "ol", "", "/olt-1", "olt/", "olt//x", "bolt-1", "nas-01",
            "OLT-é/1", "olté", "olt\u{301}-1", "ÖLT-1", "olt-03\r\n/x", "oLt-9 /x", "olt\u{1B}[31m/1", "\u{212A}olt",
        ]
        for source in sources {
            #expect(oltOf(source) == slow(source), "\(source.debugDescription)")
        }
        #expect(oltOf("OLT-03/pon-2") == "OLT-03" && oltOf("bolt-1") == nil)
    }
}
