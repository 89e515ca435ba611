import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 12: outages grouped by OLT and PON with their customer impact, alert groups, flapping.
@Suite("Outages and alert groups")
struct OutageTests {
    func onu(
        _ serial: String, _ status: ONUStatus, olt: String = "olt-03", pon: Int = 11, subscriber: String? = nil,
        previous: ONUStatus? = .online, at time: Double, tenant: String = "t-01"
    ) -> ClientEvent {
        let type: EventType = status == .offline ? .onuOffline : .onuOnline
        return ev(
            type, tenant, at: at(time),
            .onu(
                ONUEvent(
                    onuSerial: serial, subscriberID: subscriber, status: status, previousStatus: previous, oltID: olt,
                    ponPort: pon)))
    }

    func stop(_ session: String, subscriber: String, at time: Double) -> ClientEvent {
        ev(
            .sessionStopped, "t-01", at: at(time),
            .session(
                SessionEvent(
                    username: "u", sessionID: session, nasIPAddress: "10.0.0.1", subscriberID: subscriber,
                    terminateCause: "Lost-Carrier")))
    }

    func ticket(_ id: String, subscriber: String, resolved: Bool = false) -> ClientEvent {
        ev(
            resolved ? .ticketResolved : .ticketCreated, "t-01",
            .ticket(
                TicketEvent(
                    ticketID: id, ticketNumber: "T-\(id)", title: "no internet", category: "fault", priority: "high",
                    status: resolved ? "resolved" : "open", subscriberID: subscriber)))
    }

    /// Every tenant's ONU and alert streams live (the summary says nothing of a feed that is down).
    func live(_ s: inout AppState) {
        _ = reduce(
            &s,
            .client(
                s.tenants.flatMap { t in
                    [Endpoint.onuStatus, .alerts].map { ClientEvent.status(tenant: t, endpoint: $0, state: .live) }
                }
            ))
    }

    func scope(_ olt: String = "olt-03", _ pon: Int? = 11) -> OutageScope { OutageScope(tenant: "t-01", olt: olt, pon: pon) }

    @Test("a PON is in outage at the 5th ONU offline within 120 s, not at the 4th, and not when spread wider")
    func thresholds() {
        var s = state()
        _ = reduce(&s, .client((0..<4).map { onu("S\($0)", .offline, at: Double($0)) }))
        #expect(s.outages.outages.isEmpty, "4 is below the threshold")
        _ = reduce(&s, .client([onu("S4", .offline, at: 10)]))
        let o = s.outages.outages[scope()]
        #expect(o?.offlineCount == 5 && o?.since == at(0), "5 within the window: an outage since the first")
        #expect(o?.causes["online"] == 5)
        // Another PON, the same five, but 200 s apart: never 5 within 120 s.
        _ = reduce(&s, .client((0..<5).map { onu("P\($0)", .offline, pon: 2, at: Double($0) * 50) }))
        #expect(s.outages.outages[scope("olt-03", 2)] == nil)
        // A sixth on the first PON joins its outage.
        _ = reduce(&s, .client([onu("S5", .offline, at: 20)]))
        #expect(s.outages.outages[scope()]?.offlineCount == 6)
    }

    @Test("an OLT rolls up when 3 of its PONs are in outage; its PON outages become part of it")
    func oltRollUp() {
        var s = state()
        for pon in 1...3 {
            _ = reduce(&s, .client((0..<5).map { onu("O\(pon)-\($0)", .offline, pon: pon, at: Double(pon * 10 + $0)) }))
        }
        let olt = s.outages.outages[scope("olt-03", nil)]
        #expect(olt?.offlineCount == 15 && olt?.pons == 3 && olt?.since == at(10))
        #expect(s.outages.outages.count == 1, "the PONs' outages are folded into the OLT's")
        // Later ONUs of that OLT join it, whatever their PON, and its PONs are counted again.
        _ = reduce(&s, .client([onu("late", .offline, pon: 9, at: 60)]))
        #expect(s.outages.outages[scope("olt-03", nil)]?.offlineCount == 16)
        #expect(s.outages.outages[scope("olt-03", nil)]?.pons == 4, "seen in tmux: an OLT said 8 PONs while its 16 were down")
    }

    @Test("a big cut on one PON stays that PON's outage; 20 ONUs across many PONs are the OLT's (a power failure)")
    func oltBySpread() {
        var s = state()
        _ = reduce(&s, .client((0..<32).map { onu("cut-\($0)", .offline, pon: 4, at: Double($0) / 10) }))
        #expect(s.outages.outages.keys.map(\.description) == ["olt-03/4"])
        // A few ONUs elsewhere on that OLT at the same time do not make the cut an OLT's.
        _ = reduce(&s, .client((0..<4).map { onu("stray-\($0)", .offline, pon: 5 + $0, at: 4) }))
        #expect(s.outages.outages.keys.map(\.description) == ["olt-03/4"], "seen in tmux: a PON cut plus stray ONUs")
        _ = reduce(
            &s, .client((0..<20).map { onu("gasp-\($0)", .offline, olt: "olt-07", pon: $0 % 10, previous: .online, at: 10) }))
        let olt = s.outages.outages[scope("olt-07", nil)]
        #expect(olt?.offlineCount == 20 && olt?.pons == 10, "\(s.outages.outages.keys.map(\.description))")
    }

    @Test("an ONU that comes back and drops again during the outage is one of its ONUs, counted offline once")
    func rejoin() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, subscriber: "sub-\($0)", at: Double($0)) }))
        _ = reduce(&s, .client([onu("S0", .online, previous: .offline, at: 10)]))
        #expect(s.outages.outages[scope()]?.offlineCount == 4 && s.outages.outages[scope()]?.recovered == 1)
        _ = reduce(&s, .client([onu("S0", .offline, subscriber: "sub-0", at: 12), onu("S0", .offline, at: 13)]))
        let o = s.outages.outages[scope()]!
        #expect(o.offlineCount == 5 && o.hitCount == 5 && o.recovered == 0, "S0 once, offline again")
        #expect(o.subscriberCount == 5, "its subscriber once")
        #expect(s.outages.members(of: o).map(\.serial).sorted() == ["S0", "S1", "S2", "S3", "S4"])
        // Rolled up into its OLT: the members move with it, each once.
        _ = reduce(
            &s,
            .client(
                (1...2).flatMap { p in (0..<5).map { onu("P\(p)-\($0)", .offline, pon: p, at: 20 + Double($0)) } }))
        let olt = s.outages.outages[scope("olt-03", nil)]!
        #expect(olt.hitCount == 15 && olt.offlineCount == 15 && olt.subscriberCount == 5)
        #expect(Set(s.outages.members(of: olt).map(\.serial)).count == 15)
        _ = reduce(&s, .client([onu("S0", .online, previous: .offline, at: 40)]))
        #expect(s.outages.outages[scope("olt-03", nil)]?.offlineCount == 14, "counted back on the OLT's outage")
    }

    @Test("two tenants with the same serials, OLT and subscriber ids: two outages that never share an ONU or a subscriber")
    func tenantsApart() {
        var s = state()
        _ = reduce(
            &s,
            .client(
                ["t-01", "t-02"].flatMap { t in
                    (0..<5).map { onu("S\($0)", .offline, subscriber: "sub-\($0)", at: Double($0), tenant: t) }
                }))
        let a = s.outages.outages[OutageScope(tenant: "t-01", olt: "olt-03", pon: 11)]
        let b = s.outages.outages[OutageScope(tenant: "t-02", olt: "olt-03", pon: 11)]
        #expect(a?.offlineCount == 5 && b?.offlineCount == 5 && a?.subscriberCount == 5 && b?.subscriberCount == 5)
        #expect(s.outages.onuCount == 10)
        // One tenant's ONU back is that tenant's.
        _ = reduce(&s, .client([onu("S0", .online, previous: .offline, at: 10, tenant: "t-02")]))
        #expect(s.outages.onu(tenant: "t-01", serial: "S0")?.status == .offline)
        #expect(s.outages.outages[OutageScope(tenant: "t-02", olt: "olt-03", pon: 11)]?.offlineCount == 4)
        #expect(s.outages.outages[OutageScope(tenant: "t-01", olt: "olt-03", pon: 11)]?.offlineCount == 5)
        #expect(s.outages.openTickets(tenant: "t-02", subscriber: "sub-1").isEmpty)
    }

    @Test(
        "two PON cuts that recovered, then stray ONUs on other PONs: no OLT outage (seen in tmux: 3 ONUs 'since' the first cut)")
    func recoveredCutsAreNotASpread() {
        var s = state()
        for pon in [2, 11] {
            _ = reduce(&s, .client((0..<12).map { onu("P\(pon)-\($0)", .offline, pon: pon, at: Double($0)) }))
        }
        #expect(s.outages.outages.count == 2)
        for pon in [2, 11] {
            _ = reduce(&s, .client((0..<12).map { onu("P\(pon)-\($0)", .online, pon: pon, previous: .offline, at: 30) }))
        }
        #expect(s.outages.outages.values.allSatisfy { !$0.isActive }, "both resolved")
        // Three stray ONUs on three other PONs, within the same 2 minutes.
        _ = reduce(&s, .client([3, 5, 7].map { onu("stray-\($0)", .offline, pon: $0, at: 40) }))
        #expect(s.outages.outages[scope("olt-03", nil)] == nil, "\(s.outages.outages.keys.map(\.description))")
        // A real spread still rolls up: 20 more ONUs offline now, 4 on each of 5 PONs (none in an
        // outage of its own), with the strays: from the first of them still offline.
        _ = reduce(&s, .client((0..<20).map { onu("spread-\($0)", .offline, pon: 20 + $0 % 5, at: 50 + Double($0) / 10) }))
        let olt = s.outages.outages[scope("olt-03", nil)]
        #expect(
            olt?.isActive == true && olt?.since == at(40), "from the first ONU still offline: \(String(describing: olt?.since))")
    }

    @Test(
        "once recovery began, an unrelated ONU dropping is its own event, listed, not taken into the outage; a member dropping again is"
    )
    func noAbsorbingAfterRecovery() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        _ = reduce(&s, .client([onu("S0", .online, previous: .offline, at: 20)]))
        _ = reduce(&s, .client([onu("stranger", .offline, at: 30), onu("S0", .offline, at: 31)]))
        let o = s.outages.outages[scope()]!
        #expect(o.hitCount == 5 && o.offlineCount == 5, "S0 again, not the stranger: \(o.hitCount)/\(o.offlineCount)")
        let listed = s.content(for: .onu, limit: 20).rows.compactMap { row -> String? in
            if case .onu(_, _, let e) = row.item { e.onuSerial } else { nil }
        }
        #expect(listed.contains("stranger"), "its event is listed in the ONU pane: \(listed)")
        #expect(!listed.contains("S0"), "the outage's own ONUs are folded into its row")
        // The rest come back: resolved, the stranger not holding it open.
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .online, previous: .offline, at: 40) }))
        #expect(s.outages.outages[scope()]?.resolvedAt == at(40))
    }

    @Test("a new cut on a PON whose outage is still recovering (one ONU never came back) is taken in, not left as rows")
    func newWaveAfterRecovery() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        // Four come back; S4 is a dead CPE and never will.
        _ = reduce(&s, .client((0..<4).map { onu("S\($0)", .online, previous: .offline, at: 20) }))
        #expect(s.outages.outages[scope()]?.recoveryBegan == at(20) && s.outages.outages[scope()]?.isActive == true)
        // A stray drop is its own event; five new ones in the window are a new wave of it.
        _ = reduce(&s, .client([onu("stray", .offline, at: 30)]))
        #expect(s.outages.outages[scope()]?.hitCount == 5)
        _ = reduce(&s, .client((0..<5).map { onu("W\($0)", .offline, at: 40 + Double($0)) }))
        let o = s.outages.outages[scope()]!
        #expect(o.offlineCount >= 5 + 1 && o.hitCount >= 10, "the new wave joined: \(o.hitCount) hit, \(o.offlineCount) offline")
    }

    @Test("an acknowledgement goes with its outage when that is folded into its OLT's, or replaced by a new cut")
    func ackGoesWhenFoldedOrReplaced() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        s.acks.acks = [Ack(target: AckTarget(scope()), who: "bob", at: at(5), note: "crew", expires: nil)]
        // Resolved, then cut again within its 10 minutes: a new outage, not the acknowledged one.
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .online, previous: .offline, at: 10) }))
        let effects = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: 200 + Double($0)) }))
        #expect(s.outages.outages[scope()]?.isActive == true && s.acks.acks.isEmpty, "\(s.acks.acks)")
        #expect(effects.contains(.saveAcks(AckBook())), "and the book is kept: \(effects)")
        // Acknowledged, then folded into its OLT's outage (two more PONs cut): the ack goes too.
        s.acks.acks = [Ack(target: AckTarget(scope()), who: "bob", at: at(205), note: "", expires: nil)]
        for pon in [1, 2] {
            _ = reduce(&s, .client((0..<5).map { onu("P\(pon)-\($0)", .offline, pon: pon, at: 210 + Double($0)) }))
        }
        #expect(s.outages.outages[scope("olt-03", nil)]?.isActive == true)
        #expect(s.acks.acks.isEmpty, "the PON's outage is the OLT's now: \(s.acks.acks)")
    }

    @Test(
        "an outage seen before a gap in the ONU stream reads OUTAGE? until one of its ONUs is heard of (seen in tmux after a backend restart)"
    )
    func unverifiedAfterGap() {
        var s = state()
        live(&s)
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .onuStatus, state: .stale)]))
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .onuStatus, state: .live)]))
        let o = s.outages.outages[scope()]!
        #expect(o.unverified)
        #expect(s.summary == "1 outage (olt-03/11 5 ONUs) (unverified)", "\(String(describing: s.summary))")
        #expect(s.summary(naming: false) == "1 outage?", "the narrow header's form")
        _ = reduce(&s, .client([onu("S0", .offline, at: 12)]))
        #expect(s.outages.outages[scope()]?.unverified == false, "one of its ONUs heard of again")
        #expect(s.summary == "1 outage (olt-03/11 5 ONUs)")
    }

    @Test("recovery counts back, the last ONU resolves it, and a resolved outage goes after 10 minutes")
    func recovery() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        _ = reduce(&s, .client([onu("S0", .online, previous: .offline, at: 30), onu("S1", .online, previous: .offline, at: 31)]))
        var o = s.outages.outages[scope()]!
        #expect(o.recovered == 2 && o.offlineCount == 3 && o.isActive)
        _ = reduce(&s, .client((2..<5).map { onu("S\($0)", .online, previous: .offline, at: 40) }))
        o = s.outages.outages[scope()]!
        #expect(o.resolvedAt == at(40) && !o.isActive)
        _ = reduce(&s, .tick(at(40 + 599)))
        #expect(s.outages.outages[scope()] != nil, "kept 10 minutes")
        _ = reduce(&s, .tick(at(40 + 601)))
        #expect(s.outages.outages[scope()] == nil)
    }

    @Test("impact: subscribers, their sessions dropped since it began (in any order), their open tickets")
    func impact() {
        var s = state()
        // One session stops before its ONU's offline event arrives, one after; one ONU has no subscriber.
        _ = reduce(&s, .client([stop("sess-0", subscriber: "sub-0", at: 0)]))
        _ = reduce(
            &s,
            .client(
                (0..<4).map { onu("S\($0)", .offline, subscriber: "sub-\($0)", at: Double($0)) } + [
                    onu("S4", .offline, subscriber: nil, at: 4)
                ]))
        _ = reduce(&s, .client([stop("sess-1", subscriber: "sub-1", at: 5), stop("sess-1", subscriber: "sub-1", at: 6)]))
        _ = reduce(
            &s,
            .client([ticket("k1", subscriber: "sub-2"), ticket("k2", subscriber: "sub-3"), ticket("k3", subscriber: "nobody")]))
        let o = s.outages.outages[scope()]!
        #expect(s.outages.subscribers(of: o) == ["sub-0", "sub-1", "sub-2", "sub-3"] && o.subscriberCount == 4)
        #expect(o.stoppedSessions == ["sess-0", "sess-1"], "before or after the ONU event, counted once")
        #expect(o.stopCauses["Lost-Carrier"] == 2)
        #expect(s.outages.tickets(of: o) == 2)
        _ = reduce(&s, .client([ticket("k1", subscriber: "sub-2", resolved: true)]))
        #expect(s.outages.tickets(of: s.outages.outages[scope()]!) == 1, "a resolved ticket is not open")
    }

    @Test("the ONU pane: the outage first, its events folded into it, other PONs' events still listed")
    func onuPane() {
        var s = state()
        s.historyLimit = 100
        _ = reduce(&s, .client((0..<8).map { onu("S\($0)", .offline, at: Double($0)) }))
        _ = reduce(&s, .client([onu("other", .offline, olt: "olt-01", pon: 2, at: 9)]))
        let rows = s.content(for: .onu, limit: 20).rows
        guard case .outage(let o, _, _) = rows.first?.item else {
            Issue.record("the first row is the outage: \(rows.map(\.summary))")
            return
        }
        #expect(o.offlineCount == 8 && o.events >= 3)
        let listed = rows.compactMap { if case .onu(_, _, let e) = $0.item { e.onuSerial } else { nil } }
        #expect(listed.contains("other"), "another PON's event stays visible")
        #expect(!listed.contains("S7"), "an event of the outage is folded, not listed")
        #expect(rows.first?.id == .outage(scope()))
        #expect(s.flash?.text.hasPrefix("OUTAGE t-01 olt-03/11: 5 ONUs offline") == true, "a new outage is announced once")
    }

    @Test("Enter on an outage lists its ONUs; s sorts; Enter jumps to a subscriber's sessions and tickets; b comes back")
    func onuListAndJump() {
        var s = state()
        _ = reduce(&s, .client([ticket("k1", subscriber: "sub-3")]))
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, subscriber: "sub-\(4 - $0)", at: Double(4 - $0)) }))
        s.filters[.sessions] = "before"
        _ = reduce(&s, .key(.char("1")))
        _ = reduce(&s, .key(.enter))
        guard case .onuList(let scope, .status, 0) = s.overlay else {
            Issue.record("the list opens: \(s.overlay)")
            return
        }
        #expect(s.onuList(scope, sort: .status).map(\.serial) == ["S0", "S1", "S2", "S3", "S4"], "offline first, then by serial")
        _ = reduce(&s, .key(.char("s")))
        _ = reduce(&s, .key(.char("s")))
        #expect(s.overlay == .onuList(scope: scope, sort: .since, selected: 0), "s cycles the sort")
        #expect(s.onuList(scope, sort: .since).map(\.serial) == ["S4", "S3", "S2", "S1", "S0"], "the first offline first")
        _ = reduce(&s, .key(.down))
        _ = reduce(&s, .key(.enter))
        #expect(s.overlay == .none && s.focus == .sessions)
        #expect(s.filters[.sessions] == "\"sub-1\"" && s.filters[.tickets] == "\"sub-1\"", "S3 is sub-1's, as a literal word")
        _ = reduce(&s, .key(.char("b")))
        #expect(s.filters[.sessions] == "before" && s.filters[.tickets] == nil && s.focus == .onu)
        #expect(s.overlay == .onuList(scope: scope, sort: .since, selected: 1), "back in the list where it was")
    }

    @Test("alerts of one tenant, type and source are one row ×N; raised and cleared 3 times in 10 minutes it flaps")
    func groupsAndFlapping() {
        var s = state()
        live(&s)
        _ = reduce(
            &s,
            .client([
                alert("b1", .warning, type: "bgp_down", source: "transit-2"),
                alert("b2", .critical, at: at(5), type: "bgp_down", source: "transit-2"),
                alert("b3", .warning, at: at(9), type: "bgp_down", source: "transit-2"),
                alert("other", .info, type: "cpu", source: "edge-1"),
            ]))
        var rows = s.content(for: .alerts, limit: 10).rows
        guard case .alertGroup(let g) = rows.first?.item else {
            Issue.record("the group first: \(rows.map(\.summary))")
            return
        }
        #expect(g.count == 3 && g.severity == .critical && g.firstSeen == at(0) && g.lastSeen == at(9) && !g.flapping)
        #expect(rows.count == 2 && rows.first?.id == .group(AlertGroupKey(tenant: "t-01", type: "bgp_down", source: "transit-2")))
        // One alert that comes and goes.
        for k in 0..<3 {
            _ = reduce(
                &s,
                .client([
                    alert("f", .error, at: at(Double(100 + 20 * k)), type: "link", source: "olt-09"),
                    alert("f", .error, cleared: true, at: at(Double(110 + 20 * k)), type: "link", source: "olt-09"),
                ]))
        }
        rows = s.content(for: .alerts, limit: 10).rows
        let flapping = rows.compactMap { if case .alertGroup(let g) = $0.item, g.flapping { g.key.source } else { nil } }
        #expect(flapping == ["olt-09"])
        #expect(s.summary?.contains("1 flapping") == true, "\(String(describing: s.summary))")
    }

    @Test("alerts whose source is an OLT in outage fold under it; the Alerts pane shows the outage instead")
    func foldUnderOutage() {
        var s = state()
        live(&s)
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        _ = reduce(
            &s,
            .client([
                alert("los", .critical, at: at(6), type: "pon_los", source: "olt-03"),
                alert("temp", .error, at: at(7), type: "temp", source: "olt-03"),
                alert("elsewhere", .warning, at: at(8), type: "cpu", source: "core-1"),
            ]))
        let rows = s.content(for: .alerts, limit: 10).rows
        guard case .outage(_, _, let alerts) = rows.first?.item else {
            Issue.record("the outage first: \(rows.map(\.summary))")
            return
        }
        #expect(alerts.count == 2 && alerts.types == ["pon_los": 1, "temp": 1], "the cause mix the equipment reports")
        #expect(alerts.text == "+2 alerts (pon_los 1, temp 1)")
        #expect(rows.count == 2, "the outage and the unrelated alert: \(rows.map(\.summary))")
        #expect(
            s.summary == "1 outage (olt-03/11 5 ONUs)", "the folded critical is the outage's: \(String(describing: s.summary))")
        _ = reduce(&s, .client([alert("core", .critical, at: at(9), type: "bgp", source: "core-1")]))
        #expect(s.summary == "1 outage (olt-03/11 5 ONUs) · 1 critical", "\(String(describing: s.summary))")
        #expect(s.summary(naming: false) == "1 outage · 1 critical", "the narrow header's form")
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .alerts, state: .stale)]))
        #expect(s.summary == "1 outage (olt-03/11 5 ONUs)", "no count of a feed that is down")
        _ = reduce(&s, .client([.status(tenant: "t-01", endpoint: .onuStatus, state: .stale)]))
        #expect(s.summary == "1 outage (olt-03/11 5 ONUs) (stale)")
    }

    @Test("an acknowledgement goes with what it acknowledges, once this console saw it go; a fresh console keeps it")
    func ackGoesWithItsItem() {
        var s = state()
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .offline, at: Double($0)) }))
        let outage = AckTarget(scope())
        let group = AckTarget(AlertGroupKey(tenant: "t-01", type: "cpu", source: "edge-1"))
        _ = reduce(&s, .client([alert("c", .warning, at: at(5), type: "cpu", source: "edge-1")]))
        s.acks.acks = [
            Ack(target: outage, who: "bob", at: at(6), note: "crew", expires: nil),
            Ack(target: group, who: "bob", at: at(6), note: "", expires: nil),
        ]
        // A console that has not seen them (just started): the acknowledgements stay.
        var fresh = state()
        fresh.acks = s.acks
        #expect(reduce(&fresh, .tick(at(3600))) == [] && fresh.acks.acks.count == 2, "not seen go, so kept")
        #expect(
            fresh.acks.keptSummary == "kept from earlier: 2 acknowledgements (outage olt-03/11 by bob, …) (local to this console)"
        )
        // Resolved and the alert cleared: still there while the rows are (10 minutes).
        _ = reduce(&s, .client((0..<5).map { onu("S\($0)", .online, previous: .offline, at: 10) }))
        _ = reduce(&s, .client([alert("c", .warning, cleared: true, at: at(10), type: "cpu", source: "edge-1")]))
        #expect(reduce(&s, .tick(at(600))) == [] && s.acks.acks.count == 2)
        // Gone from the screen: their acknowledgements go too, and the book is kept.
        let effects = reduce(&s, .tick(at(611)))
        #expect(s.acks.acks.isEmpty, "\(s.acks.acks)")
        #expect(effects == [.saveAcks(AckBook())])
        #expect(AckBook().keptSummary == nil)
    }
}

@Suite("Local acknowledgements and silences")
struct AckTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }
    func type(_ s: inout AppState, _ text: String) { for c in text { _ = reduce(&s, .key(.char(c))) } }

    func withGroups() -> AppState {
        var s = state()
        s.operatorName = "bob"
        _ = reduce(
            &s,
            .client([
                alert("b1", .critical, type: "bgp_down", source: "transit-2"),
                alert("b2", .critical, at: at(1), type: "bgp_down", source: "transit-2"),
                alert("w", .warning, at: at(2), type: "cpu", source: "edge-1"),
            ]))
        return s
    }

    @Test("a acknowledges the selected group with a note and an expiry; it sinks below the rest; a again removes it")
    func acknowledge() {
        var s = withGroups()
        _ = keyed(&s, .char("2"), .down, .char("a"))
        #expect(s.ackPrompt?.target == AckTarget(AlertGroupKey(tenant: "t-01", type: "bgp_down", source: "transit-2")))
        type(&s, "crew on site for 2h")
        let effects = keyed(&s, .enter)
        let ack = s.acks.acks.first
        #expect(ack?.who == "bob" && ack?.note == "crew on site" && ack?.expires == t0.microseconds + 7_200_000_000)
        #expect(effects == [.saveAcks(s.acks)], "kept at once")
        let rows = s.content(for: .alerts, limit: 10).rows
        #expect(
            rows.first.map { if case .alert(let a) = $0.item { a.id } else { "" } } == "w",
            "the unacknowledged warning comes first")
        #expect(rows.last?.ack?.note == "crew on site")
        // Lapses after 2 hours.
        #expect(reduce(&s, .tick(at(7199))) == [])
        #expect(reduce(&s, .tick(at(7201))) == [.saveAcks(AckBook())])
        #expect(s.acks.acks.isEmpty)
        // a, Enter with no note; a again removes it.
        _ = keyed(&s, .char("g"), .char("a"), .enter)
        #expect(s.acks.acks.count == 1 && s.acks.acks[0].note == "" && s.acks.acks[0].expires == nil)
        _ = keyed(&s, .char("G"), .char("a"))
        #expect(s.acks.acks.isEmpty, "a on an acknowledged row removes the acknowledgement")
    }

    @Test("m silences a group: no flash or bell for it for an hour; m again lifts it")
    func silence() {
        var s = withGroups()
        s.bellOnCritical = true
        _ = keyed(&s, .char("2"), .char("g"), .char("m"))
        #expect(s.acks.silences.count == 1 && s.acks.silences[0].type == "bgp_down")
        _ = reduce(&s, .tick(at(30)))
        // The group clears and comes back: a new critical group, but silenced.
        _ = reduce(
            &s,
            .client([
                alert("b1", .critical, cleared: true, at: at(31), type: "bgp_down", source: "transit-2"),
                alert("b2", .critical, cleared: true, at: at(31), type: "bgp_down", source: "transit-2"),
            ]))
        s.flash = nil
        #expect(reduce(&s, .client([alert("b3", .critical, at: at(32), type: "bgp_down", source: "transit-2")])) == [])
        #expect(s.flash == nil, "silenced: no flash")
        // Another source is not silenced.
        #expect(reduce(&s, .client([alert("x", .critical, at: at(33), type: "bgp_down", source: "transit-9")])) == [.bell])
        // The selection stayed on the transit-2 group (rows are named by their group): m lifts it.
        _ = keyed(&s, .char("m"))
        #expect(s.acks.silences.isEmpty, "\(s.acks.silences)")
    }

    @Test("an outage can be acknowledged too, and a loaded book marks its row")
    func outage() {
        var s = state()
        _ = reduce(
            &s,
            .client(
                (0..<5).map {
                    ev(
                        .onuOffline, "t-01", at: at(Double($0)),
                        .onu(
                            ONUEvent(onuSerial: "S\($0)", status: .offline, previousStatus: .online, oltID: "olt-03", ponPort: 11)
                        ))
                }))
        var book = AckBook()
        book.acks.append(
            Ack(
                target: AckTarget(OutageScope(tenant: "t-01", olt: "olt-03", pon: 11)), who: "ann", at: at(10), note: "known",
                expires: nil))
        s.acks = book
        let row = s.content(for: .onu, limit: 5).rows.first
        #expect(row?.ack?.who == "ann")
        _ = keyed(&s, .char("1"), .char("a"))
        #expect(s.acks.acks.isEmpty, "a on it removes the acknowledgement")
    }

    @Test("a note ending in 'for N[mhd]' lapses; anything else is just a note")
    func notes() {
        #expect(parseAckNote("crew on site for 4h") == ("crew on site", 14_400))
        #expect(parseAckNote("for 30m") == ("", 1_800))
        #expect(parseAckNote("waiting for the vendor").seconds == nil)
        #expect(parseAckNote("for 2x").seconds == nil)
    }
}
