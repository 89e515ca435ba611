import Testing
@testable import DashboardCore
import RealtimeProtocol

let t0 = UTCInstant(iso8601: "2025-12-08T10:30:00")!
func at(_ s: Double) -> UTCInstant { UTCInstant(microseconds: t0.microseconds + Int64(s * 1e6)) }

// What a typed row holds (cells are the renderer's business, tested there).
func eventTime(_ r: Row) -> UTCInstant? {
    switch r.item {
    case .onu(_, let e, _), .ticket(_, let e, _), .subscriber(_, let e, _): e.timestamp
    default: nil
    }
}
func severity(_ r: Row) -> AlertSeverity? { if case .alert(let a) = r.item { a.severity } else { nil } }
func ticketNumber(_ r: Row) -> String? { if case .ticket(_, _, let t) = r.item { t.ticketNumber } else { nil } }
func job(_ r: Row) -> JobRow? { if case .job(let j) = r.item { j } else { nil } }

func ev(_ type: EventType, _ tenant: String = "t-01", at time: UTCInstant = t0, _ payload: EventPayload) -> ClientEvent {
    let e = Event(
        type: type, tenantID: tenant, timestamp: time, payload: payload,
        raw: Array(EventEncoder.json(type: type, tenantID: tenant, timestamp: time, payload: payload).utf8))
    let endpoint: Endpoint =
        switch type.family {
        case .onu: .onuStatus
        case .alert: .alerts
        case .ticket: .tickets
        case .subscriber: .subscribers
        case .session: .radiusSessions
        case .job: .job("j-1")
        case nil: .events
        }
    return .event(tenant: tenant, endpoint: endpoint, event: e)
}

/// An alert from a source of its own (`dev-<id>`) unless told: alerts of one type and source
/// are one group, which the grouping tests ask for by name.
func alert(
    _ id: String, _ sev: AlertSeverity, tenant: String = "t-01", cleared: Bool = false, at time: UTCInstant = t0,
    type: String = "x", source: String? = nil
) -> ClientEvent {
    ev(
        cleared ? .alertCleared : .alertRaised, tenant, at: time,
        .alert(AlertEvent(alertID: id, alertType: type, severity: sev, source: source ?? "dev-\(id)", message: "m \(id)")))
}

func session(
    _ id: String, _ type: EventType = .sessionUpdated, bytes: Int64?, tenant: String = "t-01", at time: UTCInstant = t0
) -> ClientEvent {
    ev(
        type, tenant, at: time,
        .session(
            SessionEvent(
                username: "user-\(id)", sessionID: id, nasIPAddress: "10.0.0.1", bytesIn: bytes, bytesOut: bytes.map { $0 / 2 })))
}

func job(_ id: String, _ status: JobStatus, progress: Double?, tenant: String = "t-01") -> ClientEvent {
    ev(
        .jobProgress, tenant,
        .job(
            JobEvent(
                jobID: id, jobType: "bulk_provision", status: status, progressPercent: progress, itemsTotal: 100,
                itemsProcessed: 10)))
}

/// An ONU event of olt-03 (degraded unless told), for the query and sort tests.
func degradedONU(_ serial: String, pon: Int, dbm: Double?, at time: Double, status: ONUStatus = .degraded) -> ClientEvent {
    ev(
        .onuSignalDegraded, at: at(time),
        .onu(ONUEvent(onuSerial: serial, status: status, signalDBm: dbm, previousStatus: .online, oltID: "olt-03", ponPort: pon)))
}

/// The ONU serials the ONU pane shows, in order.
func onuSerials(_ s: AppState) -> [String] {
    s.content(for: .onu, limit: 50).rows.compactMap { if case .onu(_, _, let o) = $0.item { o.onuSerial } else { nil } }
}

func state(_ tenants: [String] = ["t-01", "t-02"]) -> AppState {
    var s = AppState(tenants: tenants, historyLimit: 3, now: t0)
    s.size = (120, 40)
    return s
}

@Suite("reduce: events")
struct EventReductionTests {
    @Test("ONU events: a bounded history per tenant and the latest state per ONU")
    func onu() {
        var s = state()
        for i in 0..<5 {
            _ = reduce(
                &s,
                .client([
                    ev(
                        .onuOffline, at: at(Double(i)),
                        .onu(ONUEvent(onuSerial: "S\(i % 2)", status: i % 2 == 0 ? .offline : .online, signalDBm: -20)))
                ]))
        }
        #expect(s.onuHistory["t-01"]?.count == 3, "history limit 3")
        #expect(
            s.outages.onu(tenant: "t-01", serial: "S0")?.status == .offline
                && s.outages.onu(tenant: "t-01", serial: "S1")?.status == .online)
        #expect(s.connections[StreamID("t-01", .onuStatus)]?.events == 5)
        let rows = s.content(for: .onu, limit: 10).rows
        #expect(rows.count == 3 && rows.first.flatMap(eventTime) == at(4), "newest first")
    }

    @Test("alerts: raised adds, cleared removes; most severe first; counts in the title; a critical one flashes")
    func alerts() {
        var s = state()
        _ = reduce(
            &s,
            .client([
                alert("a", .warning), alert("b", .critical, at: at(1)), alert("c", .info, at: at(2)),
                alert("d", .critical, tenant: "t-02", at: at(3)),
            ]))
        #expect(s.alerts.count == 4)
        #expect(s.flash?.text == "CRITICAL t-01 dev-b: m b", "the first critical is news; others within 10 s are not flashed")
        let content = s.content(for: .alerts, limit: 10)
        #expect(content.rows.compactMap(severity) == [.critical, .critical, .warning, .info])
        #expect(content.severities.map { [$0.critical, $0.error, $0.warning, $0.info] } == [2, 0, 1, 1])
        _ = reduce(&s, .client([alert("b", .info, cleared: true)]))
        #expect(s.alerts[.alert("t-01", "b")]?.clearedAt == t0 && s.alertsCleared == 1, "kept, marked cleared")
        // The bell only when configured.
        _ = reduce(&s, .tick(at(11)))
        #expect(reduce(&s, .client([alert("e", .critical)])) == [])
        s.bellOnCritical = true
        #expect(reduce(&s, .client([alert("f", .critical)])) == [], "at most one announcement per 10 s")
        _ = reduce(&s, .tick(at(22)))
        #expect(reduce(&s, .client([alert("g", .critical)])) == [.bell])
    }

    @Test("tickets and subscribers: bounded histories")
    func histories() {
        var s = state()
        for i in 0..<4 {
            _ = reduce(
                &s,
                .client([
                    ev(
                        .ticketCreated, at: at(Double(i)),
                        .ticket(
                            TicketEvent(
                                ticketID: "k\(i)", ticketNumber: "T-\(i)", title: "t", category: "c", priority: "high",
                                status: "open")))
                ]))
            _ = reduce(
                &s,
                .client([
                    ev(
                        .subscriberSuspended, at: at(Double(i)),
                        .subscriber(
                            SubscriberEvent(subscriberID: "s\(i)", accountNumber: "A\(i)", fullName: "F", status: "suspended")))
                ]))
        }
        #expect(s.content(for: .tickets, limit: 10).rows.compactMap(ticketNumber) == ["T-3", "T-2", "T-1"])
        #expect(s.content(for: .subscribers, limit: 10).rows.first?.tone == .warning)
    }

    @Test("sessions: started adds, updated updates counters and rates (updates of unseen sessions add them), stopped removes")
    func sessions() {
        var s = state()
        _ = reduce(&s, .client([session("s1", .sessionStarted, bytes: nil)]))
        #expect(s.sessions[.session("t-01", "s1")]?.bytesIn == 0)
        _ = reduce(&s, .client([session("s1", bytes: 1_000_000, at: at(10))]))
        _ = reduce(&s, .client([session("s1", bytes: 3_000_000, at: at(20))]))
        #expect(s.sessions[.session("t-01", "s1")]?.rateIn == 200_000, "2 MB in 10 s")
        _ = reduce(&s, .client([session("s1", bytes: 100, at: at(30))]))
        #expect(s.sessions[.session("t-01", "s1")]?.rateIn == 0, "a counter reset gives no rate, never a negative one")
        _ = reduce(&s, .client([session("s2", bytes: 5, at: at(30))]))
        #expect(s.sessions.count == 2, "an update for a session started before we connected adds it")
        _ = reduce(&s, .client([session("s1", .sessionStopped, bytes: 100, at: at(40))]))
        #expect(s.sessions.keys == [.session("t-01", "s2")])
        _ = reduce(&s, .client([session("s3", bytes: -50, at: at(41))]))
        #expect(s.sessions[.session("t-01", "s3")]?.bytesIn == 0, "negative counters are clamped")
    }

    @Test("jobs: one row per job; progress clamped on screen; command outcomes recorded on the row")
    func jobs() {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .running, progress: 150)]))
        #expect(s.jobs[.job("t-01", "j-1")]?.status == .running)
        #expect(s.content(for: .jobs, limit: 5).rows.first.flatMap(job)?.progress == 150, "kept as received; clamped on screen")
        _ = reduce(&s, .client([.command(tenant: "t-01", endpoint: .job("j-1"), command: .pauseJob, outcome: .acknowledged)]))
        #expect(s.jobs[.job("t-01", "j-1")]?.lastOutcome == .acknowledged)
        #expect(
            s.content(for: .jobs, limit: 5).rows.first.flatMap(job).map(commandText)
                == "pause acknowledged (the backend has no paused state: watch progress)")
        _ = reduce(
            &s,
            .client([
                .jobSnapshot(
                    tenant: "t-02", jobs: [JobSummary(id: "j-9", jobType: "data_import", status: .pending, title: "Import")])
            ]))
        _ = reduce(
            &s, .client([.campaigns(tenant: "t-02", campaigns: [CampaignSummary(id: "c-1", name: "Dunning", isActive: true)])]))
        #expect(s.jobs.count == 3 && s.jobs[.job("t-02", "c-1")]?.isCampaign == true)
    }

    @Test("connection states, latency, errors, malformed, inbox counters, ticks")
    func connections() {
        var s = state()
        let id = StreamID("t-01", .alerts)
        _ = reduce(
            &s,
            .client([
                .status(tenant: "t-01", endpoint: .alerts, state: .live),
                .latency(tenant: "t-01", endpoint: .alerts, milliseconds: 12),
            ]))
        _ = reduce(
            &s,
            .client([
                .status(tenant: "t-01", endpoint: .alerts, state: .backingOff(attempt: 1, retryAt: at(2), reason: "x")),
                .error(tenant: "t-01", endpoint: .alerts, message: "connection refused"),
                .malformed(tenant: "t-01", endpoint: .alerts, reason: "bad", raw: []),
            ]))
        #expect(
            s.connections[id]?.retries == 1 && s.connections[id]?.latencyMs == 12
                && s.connections[id]?.lastError == "connection refused")
        #expect(s.malformed == 1 && s.connections[id]?.malformed == 1)
        _ = reduce(&s, .inbox(dropped: 3, coalesced: 4))
        #expect(s.dropped == 3 && s.coalesced == 4)
        _ = reduce(&s, .client([alert("a", .info), alert("b", .info)]))
        _ = reduce(&s, .tick(at(1)))
        #expect(s.connections[id]?.eventsPerSecond == 2 && s.connections[id]?.eventsThisSecond == 0)
        _ = reduce(&s, .client([alert("z", .critical)]))
        _ = reduce(&s, .tick(at(20)))
        #expect(s.flash == nil, "the flash line expires")
    }

    @Test("unknown event types are counted, not dropped silently")
    func unknown() {
        var s = state()
        _ = reduce(&s, .client([ev(.unknown("olt.rebooted"), "t-01", .unknown(.object([])))]))
        #expect(s.unknownEvents == 1)
    }
}

@Suite("reduce: keys")
struct KeyTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] {
        var effects: [Effect] = []
        for k in keys { effects += reduce(&s, .key(k)) }
        return effects
    }

    @Test("Tab and Shift-Tab follow the screen (left to right, top to bottom); 1–6 move the focus")
    func focus() {
        var s = state()
        #expect(s.focus == .alerts)
        // 120x40: alerts | onu, sessions | jobs, tickets | subscribers.
        _ = keyed(&s, .tab)
        #expect(s.focus == .onu)
        _ = keyed(&s, .tab)
        #expect(s.focus == .sessions)
        _ = keyed(&s, .backTab, .backTab, .backTab)
        #expect(s.focus == .subscribers, "Shift-Tab wraps to the last pane on screen")
        // 200x60: alerts | onu | tickets over subscribers, then sessions | jobs.
        s.size = (200, 60)
        s.focus = .onu
        _ = keyed(&s, .tab)
        #expect(s.focus == .tickets)
        _ = keyed(&s, .tab, .tab)
        #expect(s.focus == .sessions)
        for p in Pane.allCases {
            _ = keyed(&s, .char(Character(String(p.rawValue + 1))))
            #expect(s.focus == p)
        }
    }

    @Test("the selection moves with arrows, j/k, PgUp/PgDn, Home/End, g/G, and follows the entity when rows reorder")
    func selection() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .info), alert("b", .warning, at: at(1)), alert("c", .error, at: at(2))]))
        _ = keyed(&s, .down)
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-c")))
        _ = keyed(&s, .char("j"))
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-b")))
        _ = keyed(&s, .char("k"), .up, .up)
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-c")))
        _ = keyed(&s, .end)
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-a")))
        _ = keyed(&s, .char("g"))
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-c")))
        _ = keyed(&s, .char("G"), .home, .pageDown)
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-a")))
        _ = keyed(&s, .pageUp)
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-c")))
        // A new critical alert goes above: the selection stays on c.
        _ = reduce(&s, .client([alert("d", .critical, at: at(3))]))
        #expect(s.selection[.alerts] == .group(AlertGroupKey(tenant: "t-01", type: "x", source: "dev-c")))
        #expect(s.content(for: .alerts, limit: 10).selectedIndex == 1)
    }

    @Test("z zooms, Enter opens the detail as pretty JSON, Esc closes")
    func zoomDetail() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .critical)]))
        _ = keyed(&s, .char("z"))
        #expect(s.zoomed)
        _ = keyed(&s, .enter)
        guard case .detail(_, let text) = s.overlay else { Issue.record("no detail"); return }
        #expect(text.contains("\n  \"alert_id\": \"a\","))
        _ = keyed(&s, .escape)
        #expect(s.overlay == .none && s.zoomed)
        _ = keyed(&s, .escape)
        #expect(!s.zoomed)
    }

    @Test("/ filters the focused pane (case-insensitive, ! inverts), with matched/total in the title")
    func filter() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .info), alert("b", .critical, at: at(1))]))
        _ = keyed(&s, .char("/"), .char("C"), .char("R"), .char("I"), .char("T"))
        #expect(s.editingFilter == "CRIT")
        _ = keyed(&s, .enter)
        #expect(s.filters[.alerts] == "CRIT" && s.editingFilter == nil)
        var content = s.content(for: .alerts, limit: 10)
        #expect(content.rows.count == 1 && content.filter == "CRIT" && content.matched == 1 && content.total == 2)
        _ = keyed(&s, .char("/"), .backspace, .backspace, .backspace, .backspace, .char("!"), .char("c"), .char("r"), .enter)
        content = s.content(for: .alerts, limit: 10)
        #expect(content.rows.compactMap(severity) == [.info])
        _ = keyed(&s, .char("/"), .char("x"), .escape)
        #expect(s.filters[.alerts] == "!cr", "Esc drops the edit: the filter that was there comes back")
        _ = keyed(&s, .escape)
        #expect(s.filters[.alerts] == nil, "Esc outside the prompt clears the focused pane's filter")
        #expect(s.flash?.text == "filter /!cr cleared")
        _ = keyed(&s, .char("/"), .char("z"), .escape)
        #expect(s.filters[.alerts] == nil, "no filter before, none after Esc")
    }

    @Test("t cycles the tenant filter over every pane: all, t-01, t-02, all")
    func tenant() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .info), alert("b", .info, tenant: "t-02")]))
        _ = keyed(&s, .char("t"))
        #expect(s.tenantFilter == "t-01" && s.content(for: .alerts, limit: 10).rows.count == 1)
        _ = keyed(&s, .char("t"))
        #expect(s.tenantFilter == "t-02")
        _ = keyed(&s, .char("t"))
        #expect(s.tenantFilter == nil && s.content(for: .alerts, limit: 10).rows.count == 2)
    }

    @Test("space freezes the view while ingest continues, counting what arrived")
    func freeze() {
        var s = state()
        _ = reduce(&s, .client([alert("a", .info)]))
        _ = keyed(&s, .char(" "))
        _ = reduce(&s, .client([alert("b", .info), alert("c", .info)]))
        #expect(s.frozen?.eventsSince == 2 && s.alerts.count == 3)
        #expect(s.content(for: .alerts, limit: 10).rows.count == 1, "the view is frozen")
        _ = keyed(&s, .char(" "))
        #expect(s.frozen == nil && s.content(for: .alerts, limit: 10).rows.count == 3)
    }

    @Test("a session update changes its row in place: rates from the last update, the filter follows a changed value")
    func sessionUpdateInPlace() {
        var s = state()
        func update(_ nas: String, bytes: Int64, after seconds: Int64) -> ClientEvent {
            ev(
                .sessionUpdated, "t-01", at: UTCInstant(microseconds: t0.microseconds + seconds * 1_000_000),
                .session(SessionEvent(username: "u", sessionID: "s-1", nasIPAddress: nas, bytesIn: bytes, bytesOut: bytes / 2)))
        }
        _ = reduce(&s, .client([update("10.0.0.1", bytes: 1000, after: 0)]))
        // Typed as an operator does, so the table keeps its per-row verdicts for this filter.
        _ = keyed(&s, .char("5"), .char("/"))
        for c in "10.9.9.9" { _ = keyed(&s, .char(c)) }
        _ = keyed(&s, .enter)
        #expect(s.filters[.sessions] == "10.9.9.9" && s.sessions.verdictQuery != nil)
        #expect(s.content(for: .sessions, limit: 10).rows.isEmpty, "not on 10.9.9.9 yet")
        _ = reduce(&s, .client([update("10.9.9.9", bytes: 3000, after: 2)]))
        #expect(s.content(for: .sessions, limit: 10).rows.count == 1, "moved to 10.9.9.9: matches now")
        let row = s.sessions[.session("t-01", "s-1")]
        #expect(row?.rateIn == 1000 && row?.rateOut == 500 && row?.samples == 2 && row?.nas == "10.9.9.9")
        _ = reduce(&s, .client([update("10.0.0.1", bytes: 500, after: 3)]))
        #expect(s.content(for: .sessions, limit: 10).rows.isEmpty, "moved back: no longer matches")
        #expect(s.sessions[.session("t-01", "s-1")]?.rateIn == 0, "a counter reset gives no rate, not a negative one")
        #expect(s.sessions.count == 1)
    }

    @Test("s and S choose the sessions sort column and direction")
    func sort() {
        var s = state()
        _ = reduce(&s, .client([session("a", bytes: 10), session("b", bytes: 30), session("c", bytes: 20)]))
        _ = keyed(&s, .char("5"))
        #expect(
            s.content(for: .sessions, limit: 10).rows.map(\.id) == ["b", "c", "a"].map { RowID.entity(.session("t-01", $0)) })
        _ = keyed(&s, .char("S"))
        #expect(
            s.content(for: .sessions, limit: 10).rows.map(\.id) == ["a", "c", "b"].map { RowID.entity(.session("t-01", $0)) })
        _ = keyed(&s, .char("s"), .char("s"), .char("s"), .char("s"))
        #expect(s.sessionSort == .user)
        #expect(
            s.content(for: .sessions, limit: 10).rows.map(\.id) == ["a", "b", "c"].map { RowID.entity(.session("t-01", $0)) })
        _ = keyed(&s, .char("s"))
        #expect(s.sessionSort == .bytesIn, "wraps around")
    }

    @Test("jobs: c asks, captures the job, y sends the cancel; n keeps it; p and r send at once")
    func jobCommands() {
        var s = state()
        _ = reduce(&s, .client([job("j-1", .running, progress: 10), job("j-2", .running, progress: 20, tenant: "t-02")]))
        #expect(keyed(&s, .char("p")) == [], "job keys act only in the jobs pane")
        _ = keyed(&s, .char("6"), .down)
        let first = s.selection[.jobs]!
        guard case .entity(let key) = first else {
            Issue.record("a job row is named by its entity, not \(first)")
            return
        }
        let (tenant, id) = (key.tenant, key.id)
        #expect(keyed(&s, .char("p")) == [.send(tenant: tenant, endpoint: .job(id), command: .pauseJob)])
        #expect(keyed(&s, .char("r")) == [.send(tenant: tenant, endpoint: .job(id), command: .resumeJob)])
        #expect(keyed(&s, .char("c")) == [])
        #expect(s.overlay == .confirmCancel(tenant: tenant, endpoint: .job(id), id: id, type: "bulk_provision"))
        // The selection moving after the dialog opened does not change its target.
        s.selection[.jobs] = .entity(.job("t-02", "j-2"))
        #expect(keyed(&s, .char("q")) == [], "the dialog takes y/n/Esc only")
        #expect(keyed(&s, .char("y")) == [.send(tenant: tenant, endpoint: .job(id), command: .cancelJob)])
        #expect(s.overlay == .none)
        _ = keyed(&s, .char("c"))
        #expect(keyed(&s, .char("n")) == [] && s.overlay == .none)
        // Campaigns get campaign commands.
        _ = reduce(
            &s, .client([.campaigns(tenant: "t-01", campaigns: [CampaignSummary(id: "c-1", name: "Dunning", isActive: true)])]))
        s.selection[.jobs] = .entity(.job("t-01", "c-1"))
        #expect(keyed(&s, .char("p")) == [.send(tenant: "t-01", endpoint: .campaign("c-1"), command: .pauseCampaign)])
        _ = keyed(&s, .char("c"))
        #expect(keyed(&s, .char("y")) == [.send(tenant: "t-01", endpoint: .campaign("c-1"), command: .cancelCampaign)])
    }

    @Test("R reconnects all, C toggles the connections panel, ? the help, x clears a history, q quits")
    func misc() {
        var s = state()
        #expect(keyed(&s, .char("R")) == [.reconnectAll])
        _ = keyed(&s, .char("C"))
        #expect(s.overlay == .connections)
        _ = keyed(&s, .char("C"))
        #expect(s.overlay == .none)
        _ = keyed(&s, .char("?"))
        #expect(s.overlay == .help)
        #expect(keyed(&s, .char("q")) == [.quit], "q quits from an overlay too")
        _ = keyed(&s, .escape)
        _ = reduce(&s, .client([ev(.onuOffline, "t-01", .onu(ONUEvent(onuSerial: "S", status: .offline)))]))
        _ = keyed(&s, .char("1"), .char("x"))
        #expect(s.onuHistory.isEmpty)
        #expect(keyed(&s, .char("q")) == [.quit])
    }

    @Test("every binding in the help table dispatches")
    func keymapComplete() {
        for b in Keymap.bindings {
            for k in b.keys { #expect(Keymap.command(for: k) == b.command, "\(b.label)") }
        }
        #expect(Keymap.bindings.count >= 25)
    }

    @Test("100,000 sessions: the visible top rows come from a bounded selection, selection rank included")
    func manySessions() {
        var s = state()
        var batch: [ClientEvent] = []
        for i in 0..<100_000 { batch.append(session("s\(i)", bytes: Int64((i * 7919) % 100_003))) }
        _ = reduce(&s, .client(batch))
        _ = reduce(&s, .key(.char("5")))
        let content = s.content(for: .sessions, limit: 20)
        #expect(content.rows.count == 20 && content.matched == 100_000 && content.total == 100_000)
        let values = content.rows.map { row -> Int64 in
            guard case .entity(let key) = row.id else { return -1 }
            return s.sessions[key]!.bytesIn
        }
        #expect(values == values.sorted(by: >) && values.first == 100_002)
        _ = reduce(&s, .key(.pageDown))
        #expect(s.content(for: .sessions, limit: 20).selectedIndex != nil)
    }
}
