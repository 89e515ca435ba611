import RealtimeProtocol

/// The live sessions, keyed by ``EntityKey`` (tenant × session id): a dictionary's interface over contiguous rows.
///
/// A frame reads every session to filter and rank it. Kept in one array, that scan touches each
/// row in place (no hashing, no copies, no reference counting), and the `/` query's verdict is
/// kept per row: recomputed for one row when it changes, for all rows only when the query
/// text changes. Removal swaps the last row into the gap.
public struct SessionTable: Sendable, Equatable {
    public private(set) var rows: [SessionRow] = []
    private var slots: [EntityKey: Int] = [:]
    /// The `/` query the verdicts were made for (nil: none kept).
    public private(set) var verdictQuery: Query? = nil
    /// Per row: does it match `verdictQuery`?
    public private(set) var verdicts: [Bool] = []

    public init() {}

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }
    public var values: [SessionRow] { rows }
    public var keys: [EntityKey] { rows.map(Self.key) }

    /// The row's position in `rows`, for a key.
    public func slot(forKey key: EntityKey) -> Int? { slots[key] }

    static func key(_ row: SessionRow) -> EntityKey { .session(row.tenant, row.sessionID) }

    public subscript(key: EntityKey) -> SessionRow? {
        get { slots[key].map { rows[$0] } }
        set {
            guard let row = newValue else {
                removeValue(forKey: key)
                return
            }
            if let i = slots[key] {
                let keyChanged = rows[i].searchKey != row.searchKey
                rows[i] = row
                if let query = verdictQuery, keyChanged || query.usesFields { verdicts[i] = Self.verdict(query, row) }
            } else {
                slots[key] = rows.count
                rows.append(row)
                if let query = verdictQuery { verdicts.append(Self.verdict(query, row)) }
            }
        }
    }

    /// Changes the row in `slot` in place (one lookup for an update, no copy of the row);
    /// the filter's verdict follows a changed search key (or any change, for a query on fields:
    /// `rate_in>1000000` changes its mind with the counters).
    public mutating func update(slot i: Int, _ body: (inout SessionRow) -> Void) {
        let old = rows[i].searchKey
        body(&rows[i])
        if let query = verdictQuery, query.usesFields || old != rows[i].searchKey {
            verdicts[i] = Self.verdict(query, rows[i])
        }
    }

    /// Marks every session of `tenant` as seen before a gap in its stream (in place).
    public mutating func markUnverified(tenant: String) {
        for i in rows.indices where rows[i].tenant == tenant { rows[i].unverified = true }
    }

    @discardableResult
    public mutating func removeValue(forKey key: EntityKey) -> SessionRow? {
        guard let i = slots.removeValue(forKey: key) else { return nil }
        let removed = rows[i]
        let last = rows.count - 1
        if i != last {
            rows.swapAt(i, last)
            slots[Self.key(rows[i])] = i
            if verdictQuery != nil { verdicts.swapAt(i, last) }
        }
        rows.removeLast()
        if verdictQuery != nil { verdicts.removeLast() }
        return removed
    }

    /// Whether rows keep their search key: only while the query has words to look for. A
    /// session update is most of a busy console's ingest, and making the key of every value of
    /// every update was a fifth of it, for a filter that is mostly not set.
    public var keepsSearchKeys: Bool { verdictQuery?.usesWords ?? false }

    /// Keeps a verdict per row for `query` (nil or empty keeps none); makes the rows' search keys
    /// when its words need them, and lets them go when no query does.
    public mutating func keepVerdicts(for query: Query?) {
        let wanted = query.flatMap { $0.isEmpty ? nil : $0 }
        guard wanted?.text != verdictQuery?.text else { return }
        verdictQuery = wanted
        if keepsSearchKeys {
            for i in rows.indices where rows[i].searchKey.isEmpty { rows[i].searchKey = Self.makeKey(rows[i]) }
        } else {
            for i in rows.indices where !rows[i].searchKey.isEmpty { rows[i].searchKey = [] }
        }
        guard let wanted else {
            verdicts = []
            return
        }
        verdicts = rows.map { Self.verdict(wanted, $0) }
    }

    /// A row's search key: every value of its event, and its tenant.
    static func makeKey(_ row: SessionRow) -> [UInt8] { SearchKey.make(raw: row.raw, extra: [row.tenant]) }

    static func verdict(_ query: Query, _ row: SessionRow) -> Bool {
        query.matches(key: { row.searchKey.isEmpty ? makeKey(row) : row.searchKey }, field: { RowFields.sessionField($0, row) })
    }

    public static func == (a: SessionTable, b: SessionTable) -> Bool {
        a.count == b.count && a.rows.allSatisfy { b[key($0)] == $0 }
    }
}
