import Testing
@testable import DashboardCore
import RealtimeProtocol

/// The screen never claims more than it knows: what each pane says while its streams are down,
/// and what a reconnect leaves behind.
@Suite("reduce: stale data and gaps")
struct FreshnessTests {
    func status(_ s: inout AppState, _ tenant: String, _ e: Endpoint, _ c: ConnectionState, at time: UTCInstant) {
        _ = reduce(&s, .tick(time))
        _ = reduce(&s, .client([.status(tenant: tenant, endpoint: e, state: c)]))
    }
    func ticket(_ number: String) -> EventPayload {
        .ticket(TicketEvent(ticketID: number, ticketNumber: number, title: "t", category: "c", priority: "low", status: "open"))
    }
    let down = ConnectionState.backingOff(attempt: 1, retryAt: at(100), reason: "connection refused")

    @Test("the one-pass freshness and gaps of every tenant agree with the per-tenant ones, in every pane")
    func onePassAgrees() {
        var s = state(["t-01", "t-02", "t-03", "t-04"])
        let states: [ConnectionState] = [
            .live, down, .connecting(attempt: 1), .stopped(reason: .noContent), .stopped(reason: .jobFinished),
            .polled(reason: "WebSocket refused: HTTP 500"),
        ]
        var i = 0
        for (n, t) in s.tenants.enumerated() {
            for e in Endpoint.defaultSSE + [.job("j-\(t)"), .wsSessions] {
                // Live first, then down for some: gaps and stale times to compare.
                status(&s, t, e, .live, at: at(Double(i)))
                status(&s, t, e, states[(i + n) % states.count], at: at(Double(i) + 1))
                if i % 3 == 0 { status(&s, t, e, .live, at: at(Double(i) + 2)) }
                i += 1
            }
        }
        for pane in Pane.allCases {
            let all = s.freshnessByTenant(pane), gaps = s.gapsByTenant(pane)
            for t in s.tenants {
                #expect((all[t] ?? .noConnection) == s.freshness(pane, tenant: t), "\(pane) \(t)")
                #expect((gaps[t] ?? []) == s.gaps(pane, tenant: t), "\(pane) \(t)")
            }
        }
    }

    @Test("RADIUS sessions seen before a gap in their stream are unverified until their next update")
    func sessionsAfterGap() {
        var s = state(["t-01", "t-02"])
        status(&s, "t-01", .radiusSessions, .live, at: at(0))
        _ = reduce(
            &s,
            .client([
                session("a", bytes: 1, at: at(1)), session("b", bytes: 1, at: at(1)),
                session("c", bytes: 1, tenant: "t-02", at: at(1)),
            ]))
        status(&s, "t-01", .radiusSessions, down, at: at(10))
        #expect(s.sessions.values.allSatisfy { !$0.unverified }, "down is stale, not yet unverified")
        status(&s, "t-01", .radiusSessions, .live, at: at(20))
        let after = Dictionary(uniqueKeysWithValues: s.sessions.values.map { ($0.sessionID, $0.unverified) })
        #expect(after == ["a": true, "b": true, "c": false], "only the tenant whose stream had the gap: \(after)")
        _ = reduce(&s, .client([session("a", bytes: 5, at: at(21))]))
        #expect(s.sessions[.session("t-01", "a")]?.unverified == false, "its update verifies it")
        #expect(s.sessions[.session("t-01", "b")]?.unverified == true)
    }

    @Test("a pane whose streams never went live says no connection; once live, stale since when it went down")
    func staleSince() {
        var s = state(["t-01"])
        #expect(s.freshness(.alerts).overall == .noConnection, "no stream at all is not live")
        status(&s, "t-01", .alerts, .connecting(attempt: 1), at: at(0))
        #expect(s.freshness(.alerts).overall == .noConnection)
        status(&s, "t-01", .alerts, .live, at: at(1))
        #expect(s.freshness(.alerts).overall == .live)
        #expect(s.freshness(.onu).overall == .noConnection, "another pane's stream does not make this one live")
        status(&s, "t-01", .alerts, down, at: at(10))
        status(&s, "t-01", .alerts, .connecting(attempt: 2), at: at(12))
        #expect(s.freshness(.alerts).overall == .stale(since: at(10)), "since it was last live, not since the last retry")
        #expect(s.freshness(.alerts).down == ["t-01"])
        status(&s, "t-01", .events, .live, at: at(13))
        #expect(s.freshness(.alerts).overall == .live, "the combined stream feeds every pane")
    }

    @Test("only the tenants that are down are named; a tenant filter judges that tenant alone")
    func perTenant() {
        var s = state(["t-01", "t-02"])
        status(&s, "t-01", .alerts, .live, at: at(0))
        status(&s, "t-02", .alerts, .live, at: at(0))
        status(&s, "t-02", .alerts, down, at: at(5))
        let f = s.freshness(.alerts)
        #expect(f.overall == .stale(since: at(5)) && f.down == ["t-02"])
        _ = reduce(&s, .client([alert("a1", .critical, tenant: "t-01"), alert("a2", .critical, tenant: "t-02")]))
        let rows = s.content(for: .alerts, limit: 10).rows
        #expect(rows.first { $0.tenant == "t-02" }?.stale == true, "t-02's alert may no longer be true")
        #expect(rows.first { $0.tenant == "t-01" }?.stale == false)
        s.tenantFilter = "t-01"
        #expect(s.freshness(.alerts).overall == .live)
        #expect(s.content(for: .alerts, limit: 10).freshness == .live)
    }

    @Test("a stream switched off by the server (204) reads off, not stale")
    func off() {
        var s = state(["t-01"])
        status(&s, "t-01", .radiusSessions, .stopped(reason: .noContent), at: at(0))
        #expect(s.freshness(.sessions).overall == .off)
    }

    @Test("a reconnect leaves one gap row per history pane, shown whatever the filter, not counted as a match")
    func gapRows() {
        var s = state(["t-01"])
        status(&s, "t-01", .tickets, .live, at: at(0))
        _ = reduce(&s, .client([ev(.ticketCreated, "t-01", at: at(1), ticket("T-1"))]))
        status(&s, "t-01", .tickets, down, at: at(10))
        #expect(s.content(for: .tickets, limit: 10).rows.count == 1, "no gap row while still down: the title says it")
        status(&s, "t-01", .tickets, .live, at: at(40))
        _ = reduce(&s, .client([ev(.ticketCreated, "t-01", at: at(41), ticket("T-2"))]))
        let c = s.content(for: .tickets, limit: 10)
        #expect(c.rows.count == 3)
        guard c.rows.count == 3, case .gap(_, let g) = c.rows[1].item else {
            Issue.record("the gap row belongs between the events after and before the outage: \(c.rows.map(\.id))")
            return
        }
        #expect(g == Gap(from: at(10), to: at(40)))
        #expect(ticketNumber(c.rows[0]) == "T-2" && ticketNumber(c.rows[2]) == "T-1")
        #expect(c.matched == 2 && c.total == 2)
        s.filters[.tickets] = "T-2"
        let filtered = s.content(for: .tickets, limit: 10)
        #expect(filtered.rows.count == 2 && filtered.matched == 1, "the filtered view is missing that time too")
        #expect(s.content(for: .onu, limit: 10).rows.isEmpty, "another pane's stream leaves no gap here")
    }

    @Test("gaps are bounded per stream")
    func gapBound() {
        var s = state(["t-01"])
        for i in 0..<(ConnectionInfo.maxGaps + 5) {
            status(&s, "t-01", .onuStatus, .live, at: at(Double(i * 10)))
            status(&s, "t-01", .onuStatus, down, at: at(Double(i * 10 + 5)))
        }
        #expect(s.connections[StreamID("t-01", .onuStatus)]?.gaps.count == ConnectionInfo.maxGaps)
    }

    @Test("after a gap, the tenant's alerts are unverified until an event about them arrives")
    func unverified() {
        var s = state(["t-01", "t-02"])
        status(&s, "t-01", .alerts, .live, at: at(0))
        _ = reduce(&s, .client([alert("a1", .critical), alert("a2", .warning), alert("b1", .error, tenant: "t-02")]))
        status(&s, "t-01", .alerts, down, at: at(10))
        #expect(s.alerts.values.allSatisfy { !$0.unverified }, "while down the title says stale; the rows are not yet marked")
        status(&s, "t-01", .alerts, .live, at: at(20))
        #expect(s.alerts[.alert("t-01", "a1")]?.unverified == true && s.alerts[.alert("t-01", "a2")]?.unverified == true)
        #expect(s.alerts[.alert("t-02", "b1")]?.unverified == false, "another tenant's stream did not go away")
        _ = reduce(&s, .client([alert("a1", .critical, at: at(21))]))
        #expect(s.alerts[.alert("t-01", "a1")]?.unverified == false, "heard of again: current")
        _ = reduce(&s, .client([alert("a2", .warning, cleared: true, at: at(22))]))
        #expect(s.alerts[.alert("t-01", "a2")]?.isActive == false)
        #expect(s.alerts[.alert("t-01", "a2")]?.unverified == false, "its clear is news about it")
    }

    @Test("a job whose socket closed for good before it finished says it is unwatched; it is stale while its socket is down")
    func unwatched() {
        var s = state(["t-01"])
        status(&s, "t-01", .alerts, .live, at: at(0))
        status(&s, "t-01", .job("j-1"), .live, at: at(0))
        _ = reduce(&s, .client([job("j-1", .running, progress: 39)]))
        status(&s, "t-01", .job("j-1"), down, at: at(5))
        #expect(
            s.content(for: .jobs, limit: 10).rows.first?.stale == true, "its progress is not moving because we are not watching")
        status(&s, "t-01", .job("j-1"), .stopped(reason: .policyViolation(reason: "Job not found or access denied")), at: at(6))
        #expect(s.jobs[.job("t-01", "j-1")]?.unwatched == "socket closed (1008)")
        status(&s, "t-01", .job("j-1"), .live, at: at(7))
        #expect(s.jobs[.job("t-01", "j-1")]?.unwatched == nil)
        // A finished job's socket closing is the normal end: nothing to say.
        _ = reduce(&s, .client([job("j-1", .completed, progress: 100)]))
        status(&s, "t-01", .job("j-1"), .stopped(reason: .jobFinished), at: at(8))
        #expect(s.jobs[.job("t-01", "j-1")]?.unwatched == nil)
        #expect(s.content(for: .jobs, limit: 10).rows.first?.stale == false)
    }

    @Test("the header's verdict: connecting at start, disconnected once everything that was live is down")
    func connectivity() {
        var s = state(["t-01"])
        status(&s, "t-01", .alerts, .connecting(attempt: 1), at: at(0))
        #expect(s.connectivity == (anyLive: false, everLive: false))
        status(&s, "t-01", .alerts, .live, at: at(1))
        status(&s, "t-01", .onuStatus, down, at: at(1))
        #expect(s.connectivity.anyLive)
        status(&s, "t-01", .alerts, down, at: at(2))
        #expect(s.connectivity == (anyLive: false, everLive: true))
        status(&s, "t-01", .job("j-9"), .stopped(reason: .jobFinished), at: at(3))
        #expect(!s.connectivity.anyLive, "a finished job's socket is neither live nor a reason to be alarmed")
    }
}
