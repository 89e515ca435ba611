import RealtimeProtocol

/// A pane's sort: which of its ``SortColumn``s, and which way.
public struct PaneSort: Sendable, Equatable {
    public var column: Int
    public var descending: Bool
    public init(column: Int, descending: Bool) {
        self.column = column
        self.descending = descending
    }
}

/// A column a pane can be sorted by: its title as the pane's table shows it (so the renderer can
/// mark it), the field it reads, its name in `:sort`, and the way it first sorts.
public struct SortColumn: Sendable, Equatable {
    public var title: String
    public var field: String
    public var name: String
    /// Newest, most severe, largest first; text A to Z.
    public var descendingFirst: Bool
    /// How the pane's title names it (`bytes in` for the sessions' `in`).
    public var label: String
}

/// The order rows had when the operator started moving the selection (lazy sort): they keep it
/// while the operator moves, ``AppState/lazyHoldSeconds`` after the last move at most.
public struct SortHold: Sendable, Equatable {
    public var ranks: [RowID: Int]
    public var lastMove: UTCInstant
}

extension AppState {
    /// How long a lazy sort keeps rows still after the last selection move.
    public static let lazyHoldSeconds: Int64 = 10

    /// The columns each pane sorts by, in the order `s` steps through them. Sessions have their
    /// own (``SessionSort``): their 100,000 rows are ranked in place.
    public static func sortColumns(_ pane: Pane) -> [SortColumn] {
        func c(_ title: String, _ field: String, _ name: String? = nil, desc: Bool = false) -> SortColumn {
            SortColumn(title: title, field: field, name: name ?? field, descendingFirst: desc, label: title)
        }
        switch pane {
        case .onu:
            return [
                c("time", "time", desc: true), c("ONU", "serial"), c("status", "status"), c("OLT/PON", "olt/pon", "pon"),
                c("dBm", "dbm", desc: false), c("tenant", "tenant"),
            ]
        case .alerts:
            return [
                c("sev", "sev", desc: true), c("time", "time", desc: true), c("source", "source"), c("message", "message"),
                c("tenant", "tenant"), c("type", "type"),
            ]
        case .tickets:
            return [
                c("time", "time", desc: true), c("number", "number"), c("title", "title"), c("prio", "priority"),
                c("status", "status"), c("assignee", "assigned"), c("tenant", "tenant"),
            ]
        case .subscribers:
            return [
                c("time", "time", desc: true), c("name", "name"), c("status", "status"), c("account", "account"),
                c("plan", "plan"), c("tenant", "tenant"),
            ]
        case .jobs:
            return [
                c("type", "type"), c("id", "id"), c("status", "status"), c("progress", "progress", desc: true),
                c("done/total", "processed", "done", desc: true), c("ok/fail", "failed", desc: true), c("tenant", "tenant"),
            ]
        case .sessions:
            return SessionSort.allCases.map { s in
                var column = c(sessionColumnTitle(s), s.commandName, s.commandName, desc: s != .user)
                column.label = s.title
                return column
            }
        }
    }

    /// The sessions table's column for a ``SessionSort``.
    public static func sessionColumnTitle(_ s: SessionSort) -> String {
        switch s {
        case .user: "user"
        case .bytesIn: "in"
        case .bytesOut: "out"
        case .rateIn: "rate in"
        case .duration: "time"
        }
    }

    /// The focused sort of a pane as the title and the table header show it.
    public func sortShown(_ pane: Pane) -> (column: SortColumn, descending: Bool)? {
        if pane == .sessions {
            return (Self.sortColumns(.sessions)[sessionSort.rawValue], sessionSortDescending)
        }
        guard let s = sorts[pane] else { return nil }
        let columns = Self.sortColumns(pane)
        guard columns.indices.contains(s.column) else { return nil }
        return (columns[s.column], s.descending)
    }

    /// Sorts `pane` by its column `index` of ``sortColumns(_:)`` (the sessions table keeps its
    /// sort in `sessionSort`, whose cases are those columns in order).
    mutating func setSort(_ pane: Pane, column index: Int, descending: Bool) {
        if pane == .sessions {
            sessionSort = SessionSort(rawValue: index)!
            sessionSortDescending = descending
        } else {
            sorts[pane] = PaneSort(column: index, descending: descending)
        }
    }

    /// The hold a lazy sort keeps for `pane` now, if any.
    func activeHold(_ pane: Pane) -> SortHold? {
        guard lazySort, let hold = sortHold[pane] else { return nil }
        return now.microseconds - hold.lastMove.microseconds < Self.lazyHoldSeconds * 1_000_000 ? hold : nil
    }

    /// `rows` in the pane's chosen order. Outages and gaps stay first, in their own order: they are
    /// what an operator acts on, and a gap has no value to sort by. With a lazy sort held, rows
    /// keep the place they had when the operator started moving; rows new since go below them.
    func sortedRows(_ pane: Pane, _ rows: [Row]) -> [Row] {
        guard pane != .sessions, let (column, descending) = sortShown(pane) else { return rows }
        var pinned: [Row] = []
        var keyed: [(row: Row, key: FieldValue?, held: Int)] = []
        let hold = activeHold(pane)
        for r in rows {
            switch r.item {
            case .outage, .gap: pinned.append(r)
            default: keyed.append((r, RowFields.sortValue(column.field, of: r.item), hold?.ranks[r.id] ?? Int.max))
            }
        }
        // Stable: equal keys keep the pane's own order.
        let indexed = keyed.enumerated().map { ($0.offset, $0.element) }
        let sorted = indexed.sorted { a, b in
            if a.1.held != b.1.held { return a.1.held < b.1.held }
            switch (a.1.key, b.1.key) {
            case (nil, nil): return a.0 < b.0
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                let o = Self.order(x, y)
                return o != 0 ? (descending ? o > 0 : o < 0) : a.0 < b.0
            }
        }
        return pinned + sorted.map(\.1.row)
    }

    /// -1, 0, 1, a total order: severities by rank, numbers as numbers (IEEE total order, so even
    /// a NaN has one place), text as lowercased text; values of different kinds by kind (severity,
    /// number, text), never a number against text (`20 < 100`, `100 < 1G`, `1G < 20` is a cycle).
    static func order(_ a: FieldValue, _ b: FieldValue) -> Int {
        switch (a, b) {
        case (.severity(let x), .severity(let y)): return x.rank == y.rank ? 0 : x.rank < y.rank ? -1 : 1
        case (.number(let x), .number(let y)):
            if x == y || (x.isNaN && y.isNaN) { return 0 }
            return x.isTotallyOrdered(belowOrEqualTo: y) ? -1 : 1
        case (.text(let x), .text(let y)):
            let p = x.lowercased(), q = y.lowercased()
            return p == q ? 0 : p < q ? -1 : 1
        default:
            func kind(_ v: FieldValue) -> Int {
                switch v {
                case .severity: 0
                case .number: 1
                case .text: 2
                }
            }
            return kind(a) < kind(b) ? -1 : 1
        }
    }
}

extension RowFields {
    /// The value a row sorts by: its field, or for `time` its event's time and for `olt/pon` the
    /// OLT and PON as one (`olt-03/2` before `olt-03/11`).
    static func sortValue(_ field: String, of item: RowItem) -> FieldValue? {
        switch field {
        case "time":
            switch item {
            case .onu(_, let e, _), .ticket(_, let e, _), .subscriber(_, let e, _):
                return .number(Double(e.timestamp.microseconds))
            case .alert(let a): return .number(Double(a.raisedAt.microseconds))
            case .alertGroup(let g): return .number(Double(g.lastSeen.microseconds))
            default: return nil
            }
        case "olt/pon":
            guard case .onu(_, _, let o) = item, let olt = o.oltID else { return nil }
            let pon = o.ponPort.map { String(repeating: "0", count: max(0, 6 - String($0).count)) + String($0) } ?? ""
            return .text(olt + "/" + pon)
        default:
            return value(field, of: item)
        }
    }
}
