import Foundation
import RealtimeProtocol

/// How a row should look, by meaning (the renderer maps tones to colours and marks).
public enum Tone: Sendable, Equatable {
    case normal, dim, good, info, warning, error, critical
}

public struct Column: Sendable, Equatable {
    public var title: String
    /// Minimum width; flexible columns share what is left.
    public var width: Int
    public var flexible: Bool
    public var rightAligned: Bool
    public init(_ title: String, _ width: Int, flexible: Bool = false, right: Bool = false) {
        self.title = title
        self.width = width
        self.flexible = flexible
        self.rightAligned = right
    }
}

public struct Row: Sendable, Equatable {
    /// Stable: it names the entity, not the row's position, so the selection follows the entity
    /// as rows arrive above it. `tenant|alert id`, `tenant|session id`, `tenant|job id`; a
    /// history row (ONU, ticket, subscriber events) is `tenant|ingest sequence number`.
    public var id: String
    public var cells: [String]
    public var tone: Tone
    /// The JSON shown by the detail view.
    public var detail: [UInt8]
}

/// What a pane shows: its columns, the visible window of rows, and the counts for its title.
public struct PaneContent: Sendable, Equatable {
    public var pane: Pane
    public var title: String
    public var columns: [Column]
    /// The rows in the visible window, in order.
    public var rows: [Row]
    /// Index of the selected row within `rows`, if visible.
    public var selectedIndex: Int?
    /// Rows matching the filter, and rows before filtering.
    public var matched: Int
    public var total: Int
    /// Position of the window's first row among the matched rows.
    public var offset: Int
}

extension AppState {
    /// The rows of `pane`, filtered and ordered, windowed around the selection to `limit` rows.
    ///
    /// - Complexity: O(n) to filter; ordering touches only what is shown: the history panes are
    ///   already in time order, and the sessions table selects its top rows with a bounded heap,
    ///   O(n log k) for k visible rows, instead of sorting 100,000 sessions each frame.
    public func content(for pane: Pane, limit: Int) -> PaneContent {
        let view = self.view
        let filter = filters[pane] ?? ""
        let (columns, all) = rows(for: pane, view: view, filterText: filter, limit: limit)
        let total = all.total
        let matched = all.rows.count
        var offset = 0
        var selectedIndex: Int? = nil
        if let sel = selection[pane], let i = all.rows.firstIndex(where: { $0.id == sel }) {
            if i >= limit { offset = i - limit + 1 }
            selectedIndex = i - offset
        }
        let window = Array(all.rows.dropFirst(offset).prefix(max(0, limit)))
        var title = pane.title
        if pane == .alerts {
            let counts = Dictionary(grouping: view.alerts.values.filter { shows($0.tenant) }, by: { $0.severity.rank }).mapValues(
                \.count)
            title +=
                " "
                + [(4, "crit"), (3, "err"), (2, "warn"), (0, "info")].map { "\($0.1) \(counts[$0.0, default: 0])" }.joined(
                    separator: " ")
        }
        if pane == .sessions { title += " (\(sessionSortDescending ? "▼" : "▲") \(sessionSort.title))" }
        if !filter.isEmpty { title += " /\(filter) \(matched)/\(total)" }
        return PaneContent(
            pane: pane, title: title, columns: columns, rows: window, selectedIndex: selectedIndex,
            matched: all.matchedCount ?? matched, total: total, offset: offset)
    }

    struct RowSet {
        var rows: [Row]
        var total: Int
        /// Set when `rows` is only the top of a larger matched set.
        var matchedCount: Int?
    }

    /// Ordered row ids of a pane (for moving the selection).
    public func orderedIDs(_ pane: Pane, around limit: Int) -> [String] {
        rows(for: pane, view: view, filterText: filters[pane] ?? "", limit: limit).1.rows.map(\.id)
    }

    func rows(for pane: Pane, view: Snapshot, filterText: String, limit: Int) -> ([Column], RowSet) {
        let matcher = TextFilter(filterText)
        switch pane {
        case .onu:
            // Most useful first: narrow panes drop columns from the right.
            let cols = [
                Column("time", 8), Column("ONU", 12), Column("status", 9), Column("tenant", 6), Column("dBm", 6, right: true),
                Column("OLT/PON", 9),
                Column("event", 15, flexible: true),
            ]
            var total = 0
            var rows: [Row] = []
            for (tenant, ring) in view.onuHistory where shows(tenant) {
                for (sequence, e) in ring.newestFirstNumbered {
                    total += 1
                    guard case .onu(let o) = e.payload else { continue }
                    let cells = [
                        e.timestamp.timeOfDay, o.onuSerial, o.status.rawValue, tenant, o.signalDBm.map { format1($0) } ?? "-",
                        [o.oltID, o.ponPort.map(String.init)].compactMap { $0 }.joined(separator: "/"), e.type.rawValue,
                    ]
                    guard matcher.matches(cells) else { continue }
                    let tone: Tone =
                        o.status == .offline ? .error : o.status == .degraded ? .warning : o.status == .online ? .good : .normal
                    rows.append(
                        Row(
                            id: "\(tenant)|\(sequence)", cells: cells, tone: tone,
                            detail: e.raw))
                }
            }
            rows.sort { $0.cells[0] > $1.cells[0] }
            return (cols, RowSet(rows: rows, total: total))
        case .alerts:
            let cols = [
                Column("sev", 8), Column("time", 8), Column("message", 14, flexible: true), Column("source", 8),
                Column("tenant", 6), Column("type", 14),
            ]
            var total = 0
            var rows: [(AlertRow, Row)] = []
            for a in view.alerts.values where shows(a.tenant) {
                total += 1
                let cells = [a.severity.rawValue.uppercased(), a.raisedAt.timeOfDay, a.message, a.source, a.tenant, a.type]
                guard matcher.matches(cells) else { continue }
                let tone: Tone =
                    switch a.severity {
                    case .critical: .critical
                    case .error: .error
                    case .warning: .warning
                    default: .info
                    }
                rows.append((a, Row(id: "\(a.tenant)|\(a.id)", cells: cells, tone: tone, detail: a.raw)))
            }
            rows.sort { ($0.0.severity.rank, $0.0.raisedAt) > ($1.0.severity.rank, $1.0.raisedAt) }
            return (cols, RowSet(rows: rows.map(\.1), total: total))
        case .tickets:
            let cols = [
                Column("time", 8), Column("number", 14), Column("title", 10, flexible: true), Column("prio", 6),
                Column("status", 11),
                Column("assignee", 13), Column("tenant", 6), Column("event", 16),
            ]
            return history(view.tickets, cols, matcher) { e in
                guard case .ticket(let t) = e.payload else { return nil }
                let tone: Tone =
                    ["urgent", "critical", "high"].contains(t.priority.lowercased())
                    ? .warning : e.type == .ticketResolved ? .dim : .normal
                return ([t.ticketNumber, t.title, t.priority, t.status, t.assignedTo ?? "-"], tone)
            }
        case .subscribers:
            let cols = [
                Column("time", 8), Column("name", 16, flexible: true), Column("status", 10), Column("account", 11),
                Column("plan", 10),
                Column("tenant", 6), Column("event", 21),
            ]
            return history(view.subscribers, cols, matcher) { e in
                guard case .subscriber(let s) = e.payload else { return nil }
                let tone: Tone = e.type == .subscriberTerminated ? .error : e.type == .subscriberSuspended ? .warning : .normal
                return ([s.fullName, s.status, s.accountNumber, s.plan ?? "-"], tone)
            }
        case .sessions:
            return sessionRows(view.sessions, matcher: matcher, limit: limit)
        case .jobs:
            let cols = [
                Column("type", 12), Column("status", 9), Column("progress", 14), Column("last command", 14, flexible: true),
                Column("done/total", 9, right: true), Column("ok/fail", 8, right: true), Column("tenant", 6),
                Column("current item", 14),
            ]
            var total = 0
            var rows: [Row] = []
            for j in view.jobs.values.sorted(by: {
                ($0.isCampaign ? 1 : 0, $0.tenant, $0.id) < ($1.isCampaign ? 1 : 0, $1.tenant, $1.id)
            }) where shows(j.tenant) {
                total += 1
                let cells: [String]
                if j.isCampaign {
                    cells = [
                        "campaign", j.status == .running ? "active" : "inactive", j.title ?? j.id, commandText(j), "", "",
                        j.tenant, "",
                    ]
                } else {
                    let done = "\(j.processed.map(String.init) ?? "-")/\(j.total.map(String.init) ?? "-")"
                    let okfail = "\(j.succeeded.map(String.init) ?? "-")/\(j.failed.map(String.init) ?? "-")"
                    cells = [
                        j.type, j.status.rawValue, progressBar(j.progress, width: 8), commandText(j), done, okfail, j.tenant,
                        j.errorMessage ?? j.currentItem ?? "",
                    ]
                }
                guard matcher.matches(cells + [j.id]) else { continue }
                let tone: Tone =
                    switch j.status {
                    case .failed: .error
                    case .cancelled: .warning
                    case .completed: .good
                    default: .normal
                    }
                rows.append(Row(id: "\(j.tenant)|\(j.id)", cells: cells, tone: tone, detail: j.raw))
            }
            return (cols, RowSet(rows: rows, total: total))
        }
    }

    private func history(
        _ rings: [String: RingBuffer<Event>], _ cols: [Column], _ matcher: TextFilter,
        _ make: (Event) -> ([String], Tone)?
    ) -> ([Column], RowSet) {
        var total = 0
        var rows: [(Int64, Row)] = []
        for (tenant, ring) in rings where shows(tenant) {
            for (sequence, e) in ring.newestFirstNumbered {
                total += 1
                guard let (cells, tone) = make(e) else { continue }
                let all = [e.timestamp.timeOfDay] + cells + [tenant, e.type.rawValue]
                guard matcher.matches(all) else { continue }
                rows.append(
                    (
                        e.timestamp.microseconds,
                        Row(id: "\(tenant)|\(sequence)", cells: all, tone: tone, detail: e.raw)
                    ))
            }
        }
        rows.sort { $0.0 > $1.0 }
        return (cols, RowSet(rows: rows.map(\.1), total: total))
    }

    private func sessionRows(_ table: SessionTable, matcher: TextFilter, limit: Int) -> ([Column], RowSet) {
        // Most useful first: narrow panes drop columns from the right.
        let cols = [
            Column("user", 14, flexible: true), Column("tenant", 6), Column("in", 7, right: true), Column("out", 7, right: true),
            Column("rate in", 9, right: true), Column("rate out", 9, right: true), Column("time", 8, right: true),
            Column("framed IP", 15), Column("NAS", 11), Column("profile", 7),
        ]
        let sort = sessionSort, descending = sessionSortDescending
        let tenant = tenantFilter
        // Row positions only: the scan reads each row in place and copies none.
        var matching: [Int32] = []
        var total = 0
        var selectedSlot: Int32? = nil
        let top: [Int32] = table.rows.withUnsafeBufferPointer { rows in
            let useVerdicts = !matcher.isEmpty && table.verdictNeedle == matcher.needleBytes
            let selected = selection[.sessions].flatMap { table.slot(forKey: $0) }
            table.verdicts.withUnsafeBufferPointer { verdicts in
                matching.reserveCapacity(min(rows.count, 1 << 16))
                for i in 0..<rows.count {
                    if let tenant, rows[i].tenant != tenant { continue }
                    total += 1
                    let hit: Bool
                    if matcher.isEmpty {
                        hit = true
                    } else if useVerdicts {
                        hit = verdicts[i] != matcher.inverted
                    } else {
                        hit = matcher.matches(key: rows[i].searchKey)
                    }
                    if hit {
                        matching.append(Int32(i))
                        if i == selected { selectedSlot = Int32(i) }
                    }
                }
            }
            // Fields are read in place (rows[i].field), never as whole-row copies.
            func before(_ x: Int32, _ y: Int32) -> Bool {
                let a = Int(x), b = Int(y)
                let ordered: Bool
                var tie = false
                switch sort {
                case .bytesIn:
                    let p = rows[a].bytesIn, q = rows[b].bytesIn
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .bytesOut:
                    let p = rows[a].bytesOut, q = rows[b].bytesOut
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .rateIn:
                    let p = rows[a].rateIn, q = rows[b].rateIn
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .duration:
                    let p = rows[a].sessionTime ?? 0, q = rows[b].sessionTime ?? 0
                    if p != q { ordered = p < q } else { tie = true; ordered = false }
                case .user:
                    if rows[a].username != rows[b].username {
                        ordered = rows[a].username < rows[b].username
                    } else {
                        tie = true; ordered = false
                    }
                }
                if tie {
                    let less = rows[a].sessionID < rows[b].sessionID
                    return descending ? !less && rows[a].sessionID != rows[b].sessionID : less
                }
                return descending ? !ordered : ordered
            }
            // Only the rows that can be on screen are ordered: the selection's rank plus a window.
            var k = max(limit, 1)
            if let si = selectedSlot {
                let rank = matching.reduce(0) { $0 + (before($1, si) ? 1 : 0) }
                k = max(k, rank + limit)
            }
            return topK(matching, k, by: before)
        }
        let rows = top.map { i -> Row in
            let s = table.rows[Int(i)]
            return Row(
                id: "\(s.tenant)|\(s.sessionID)",
                cells: [
                    s.username, s.tenant, bytes(s.bytesIn), bytes(s.bytesOut), s.samples < 2 ? "-" : bits(s.rateIn),
                    s.samples < 2 ? "-" : bits(s.rateOut),
                    duration(s.sessionTime), s.framedIP ?? "-", s.nas, s.profile ?? "-",
                ], tone: .normal, detail: s.raw)
        }
        return (cols, RowSet(rows: rows, total: total, matchedCount: matching.count))
    }

    private func commandText(_ j: JobRow) -> String {
        guard let c = j.lastCommand, let o = j.lastOutcome else { return "" }
        // The verb is enough in the jobs pane: "pause acknowledged", "cancel confirmed via REST".
        return "\(c.verb) \(o)"
    }
}

/// `/` filter: case-insensitive substring; a leading `!` inverts.
struct TextFilter {
    let needle: String
    let needleBytes: [UInt8]
    let inverted: Bool
    init(_ text: String) {
        inverted = text.hasPrefix("!")
        needle = (inverted ? String(text.dropFirst()) : text).lowercased()
        needleBytes = Array(needle.utf8)
    }
    var isEmpty: Bool { needle.isEmpty }

    /// Matches a precomputed lowercased key byte by byte: no bridging, no allocation.
    func matches(key: [UInt8]) -> Bool {
        guard !needleBytes.isEmpty else { return true }
        let hit = containsBytes(key, needleBytes)
        return hit != inverted
    }
    func matches(_ cells: [String]) -> Bool {
        guard !needle.isEmpty else { return true }
        let hit = cells.contains { $0.lowercased().contains(needle) }
        return hit != inverted
    }
}

/// The first `k` elements in `before` order, without sorting the rest.
///
/// - Complexity: O(n log k).
func topK<T>(_ items: [T], _ k: Int, by before: (T, T) -> Bool) -> [T] {
    guard k > 0, !items.isEmpty else { return [] }
    if items.count <= k { return items.sorted(by: before) }
    // A max-heap (by `before`) of the best k seen so far: its root is the worst of them.
    var heap: [T] = []
    heap.reserveCapacity(k)
    func siftUp(_ i0: Int) {
        var i = i0
        while i > 0 {
            let p = (i - 1) / 2
            if before(heap[p], heap[i]) { heap.swapAt(p, i); i = p } else { return }
        }
    }
    func siftDown(_ i0: Int) {
        var i = i0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && before(heap[m], heap[l]) { m = l }
            if r < heap.count && before(heap[m], heap[r]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
    for x in items {
        if heap.count < k {
            heap.append(x)
            siftUp(heap.count - 1)
        } else if before(x, heap[0]) {
            heap[0] = x
            siftDown(0)
        }
    }
    return heap.sorted(by: before)
}

func format1(_ v: Double) -> String {
    let r = (v * 10).rounded() / 10
    let s = String(r)
    return s.hasSuffix(".0") || s.contains(".") ? s : s + ".0"
}

/// 1.2G, 340M, 12k, 999.
public func bytes(_ v: Int64) -> String {
    let d = Double(v)
    if v < 0 { return "-" + bytes(-v) }
    if d >= 1e12 { return String(format: "%.1fT", d / 1e12) }
    if d >= 1e9 { return String(format: "%.1fG", d / 1e9) }
    if d >= 1e6 { return String(format: "%.1fM", d / 1e6) }
    if d >= 1e4 { return String(format: "%.0fk", d / 1e3) }
    return String(v)
}

/// A byte rate as bits per second: 12.3Mb/s.
public func bits(_ bytesPerSecond: Double) -> String {
    let b = max(0, bytesPerSecond) * 8
    if b >= 1e9 { return String(format: "%.1fGb/s", b / 1e9) }
    if b >= 1e6 { return String(format: "%.1fMb/s", b / 1e6) }
    if b >= 1e3 { return String(format: "%.0fkb/s", b / 1e3) }
    return String(format: "%.0fb/s", b)
}

public func duration(_ seconds: Int64?) -> String {
    guard let s = seconds, s >= 0 else { return "-" }
    if s >= 86_400 { return "\(s / 86_400)d\(s % 86_400 / 3600)h" }
    return String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
}

/// `[#####     ] 52%`, clamped to 0–100 (the backend's value may be absurd).
public func progressBar(_ percent: Double?, width: Int) -> String {
    guard let p = percent, p.isFinite else { return String(repeating: " ", count: width + 2) + "  -" }
    let c = min(100, max(0, p))
    let filled = Int((c / 100 * Double(width)).rounded())
    return "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "]"
        + String(format: "%3.0f%%", c)
}
