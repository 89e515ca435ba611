import RealtimeProtocol

extension AppState {
    /// Events a second over every shown stream for the last minute, oldest first, aligned at the
    /// newest second; nil for a second none of them was current.
    public var totalRateTrend: [Double?] {
        var total: [Double?] = Array(repeating: nil, count: ConnectionInfo.trendLength)
        var longest = 0
        for (id, c) in connections where shows(id.tenant) && !c.rateTrend.isEmpty {
            longest = max(longest, c.rateTrend.count)
            let offset = total.count - c.rateTrend.count
            for (i, v) in c.rateTrend.enumerated() {
                guard let v else { continue }
                total[offset + i] = (total[offset + i] ?? 0) + Double(v)
            }
        }
        return Array(total.suffix(longest))
    }
}
