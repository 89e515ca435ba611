import RealtimeProtocol
import Testing

@testable import DashboardCore

/// Issue 14, item 2: field queries in `/` on every pane.
@Suite("/ queries: parsing")
struct QueryParsingTests {
    func parsed(_ text: String) -> Query? { try? Query.parse(text).get() }
    func error(_ text: String) -> String? {
        if case .failure(let e) = Query.parse(text) { e.message } else { nil }
    }
    /// The query's shape: alternatives of terms, each as `name op value` or `'word'`.
    func shape(_ text: String) -> [[String]]? {
        parsed(text)?.alternatives.map { terms in
            terms.map { t in
                switch t {
                case .word(let w): "'\(String(decoding: w, as: UTF8.self))'"
                case .field(let n, let op, let v, _, _, _): "\(n) \(op.rawValue) \(v)"
                }
            }
        }
    }

    @Test("every operator, with the name before it and the value after it")
    func operators() {
        #expect(shape("pon=11") == [["pon = 11"]])
        #expect(shape("status!=online") == [["status != online"]])
        #expect(shape("source~^olt-0[12]") == [["source ~ ^olt-0[12]"]])
        #expect(shape("sev>=error") == [["sev >= error"]])
        #expect(shape("Progress<=50") == [["progress <= 50"]], "field names are case-insensitive")
        #expect(shape("dbm<-27") == [["dbm < -27"]], "a negative number after <")
        #expect(shape("offline>3") == [["offline > 3"]])
        #expect(shape("olt-03/1") == [["'olt-03/1'"]], "no operator: a bare word, lowercased")
        #expect(shape("CPU") == [["'cpu'"]])
    }

    @Test("spaces are and, 'or' separates alternatives and binds looser, a leading ! inverts the whole")
    func precedence() {
        #expect(shape("a b or c") == [["'a'", "'b'"], ["'c'"]])
        #expect(shape("sev>=error source~olt OR pon=3 x") == [["sev >= error", "source ~ olt"], ["pon = 3", "'x'"]])
        #expect(parsed("!a or b")?.inverted == true && shape("!a or b") == [["'a'"], ["'b'"]])
        #expect(parsed("a !b")?.inverted == false && shape("a !b") == [["'a'", "'!b'"]], "! only at the start inverts")
        #expect(shape("  spaced   out  ") == [["'spaced'", "'out'"]])
        #expect(parsed("")?.isEmpty == true && parsed("!")?.isEmpty == true)
    }

    @Test("quotes keep spaces together, in a value or a bare word; a quoted 'or' is a word")
    func quoting() {
        #expect(shape(#"message="cpu above 90" sev=warn"#) == [["message = cpu above 90", "sev = warn"]])
        #expect(shape(#""no internet""#) == [["'no internet'"]])
        #expect(shape(#"a "or" b"#) == [["'a'", "'or'", "'b'"]])
        #expect(shape(#"title="""#) == [["title = "]], "an empty quoted value is an empty value, on purpose")
    }

    @Test(
        "bad input says what is wrong",
        arguments: [
            (#"message="cpu"#, "a quote is not closed"),
            ("pon=", "'pon=': a value is needed after '='"),
            ("dbm<abc", "'dbm<abc': '<' compares numbers or severities (info, warning, error, critical), not 'abc'"),
            ("source~[", "'source~[': '[' is not a regular expression"),
            ("or a", "'or' needs a condition on each side"),
            ("a or", "'or' needs a condition on each side"),
            ("a or or b", "'or' needs a condition on each side"),
            ("=5", "'=5': a field name is needed before '='"),
            (">3", "'>3': a field name is needed before '>'"),
        ])
    func errors(_ input: String, _ message: String) {
        #expect(error(input) == message)
    }
}

@Suite("/ queries: matching rows")
struct QueryMatchingTests {
    func keyed(_ s: inout AppState, _ keys: Key...) -> [Effect] { keys.flatMap { reduce(&s, .key($0)) } }
    func type(_ s: inout AppState, _ text: String) { for c in text { _ = reduce(&s, .key(.char(c))) } }

    func filtered(_ s: AppState, _ pane: Pane, _ query: String) -> PaneContent {
        var s = s
        s.filters[pane] = query
        s.sessions.keepVerdicts(for: AppState.query(query))
        return s.content(for: pane, limit: 50)
    }

    func onuState() -> AppState {
        var s = AppState(tenants: ["t-01"], historyLimit: 50, now: t0)
        s.size = (120, 40)
        _ = reduce(
            &s,
            .client([
                degradedONU("A", pon: 1, dbm: -26.5, at: 1), degradedONU("B", pon: 11, dbm: -27.5, at: 2),
                degradedONU("C", pon: 110, dbm: -29, at: 3),
                degradedONU("D", pon: 11, dbm: nil, at: 4, status: .online),
            ]))
        return s
    }

    @Test("pon=11 is PON 11 exactly, not 110 or 1; the bare word olt-03/1 stays a substring")
    func exactIDs() {
        let s = onuState()
        var q = s
        q.filters[.onu] = "pon=11"
        #expect(onuSerials(q) == ["D", "B"])
        q.filters[.onu] = "olt-03/1"
        #expect(onuSerials(q) == ["D", "C", "B", "A"], "a bare word matches anywhere, as before")
        q.filters[.onu] = "pon!=11"
        #expect(onuSerials(q) == ["C", "A"])
        let content = filtered(s, .onu, "pon=11")
        #expect(content.matched == 2 && content.total == 4 && content.filter == "pon=11", "the title's N/M")
    }

    @Test("numbers compare as numbers; a row without the field matches nothing but !=")
    func numbers() {
        var s = onuState()
        s.filters[.onu] = "dbm<-27"
        #expect(onuSerials(s) == ["C", "B"], "D has no dBm: not matched")
        s.filters[.onu] = "dbm>=-27.5 dbm<-20"
        #expect(onuSerials(s) == ["B", "A"])
        s.filters[.onu] = "dbm!=-29"
        #expect(onuSerials(s) == ["D", "B", "A"], "no value is not -29")
        s.filters[.onu] = "signal_dbm<-28"
        #expect(onuSerials(s) == ["C"], "a name the table does not know is read from the event's JSON")
        s.filters[.onu] = "!status=degraded"
        #expect(onuSerials(s) == ["D"])
        s.filters[.onu] = "status~^DEG serial~[ab]"
        #expect(onuSerials(s) == ["B", "A"], "regex, case-insensitive")
        s.filters[.onu] = "serial=c or serial=a"
        #expect(onuSerials(s) == ["C", "A"])
    }

    @Test("severities are ordered: sev>=error, sev>=err, sev<warning")
    func severities() {
        var s = state()
        _ = reduce(
            &s,
            .client([
                alert("a", .info), alert("b", .warning, at: at(1)), alert("c", .error, at: at(2)),
                alert("d", .critical, at: at(3), source: "olt-07"),
            ]))
        func sevs(_ q: String) -> [AlertSeverity] { filtered(s, .alerts, q).rows.compactMap(severity) }
        #expect(sevs("sev>=error") == [.critical, .error])
        #expect(sevs("severity>=err") == [.critical, .error], "an alias and the start of a name")
        #expect(sevs("sev<warning") == [.info])
        #expect(sevs("sev=crit or source=dev-a") == [.critical, .info])
        #expect(sevs("sev>=warn message~\"m [bc]\"") == [.error, .warning])
        #expect(sevs("!sev>=error") == [.warning, .info])
    }

    @Test("sessions: a query on counters follows every update (the table's kept verdicts)")
    func sessions() {
        var s = state()
        _ = reduce(&s, .client([session("s1", bytes: 500), session("s2", bytes: 5000), session("s3", bytes: 50)]))
        _ = keyed(&s, .char("5"))  // focus sessions
        _ = keyed(&s, .char("/"))
        type(&s, "in>100")
        _ = keyed(&s, .enter)
        #expect(s.sessions.verdictQuery?.text == "in>100", "the table keeps verdicts for the typed query")
        #expect(s.sessions.rows.allSatisfy { $0.searchKey.isEmpty }, "no words to look for: no search keys made or kept")
        func ids(_ s: AppState) -> Set<String> {
            Set(
                s.content(for: .sessions, limit: 10).rows.compactMap {
                    if case .session(let r) = $0.item { r.sessionID } else { nil }
                })
        }
        #expect(ids(s) == ["s1", "s2"])
        _ = reduce(&s, .client([session("s3", bytes: 900, at: at(1))]))
        #expect(ids(s) == ["s1", "s2", "s3"], "s3's counter passed 100: its verdict changed with the update")
        _ = keyed(&s, .char("/"), .backspace, .backspace, .backspace, .backspace, .backspace, .backspace)
        type(&s, "user=user-s2 or out<=25")
        _ = keyed(&s, .enter)
        #expect(ids(s) == ["s2"], "out is bytes_out: 450 and 2500 and 450")
        // A word: the keys are made for every row, and kept up to date by the updates.
        _ = keyed(&s, .char(":"))
        type(&s, "filter 900")
        _ = keyed(&s, .enter)
        #expect(s.sessions.rows.allSatisfy { !$0.searchKey.isEmpty } && ids(s) == ["s3"], "s3's bytes_in is 900")
        _ = reduce(&s, .client([session("s1", bytes: 900, at: at(2))]))
        #expect(ids(s) == ["s1", "s3"], "an update made s1's key and its verdict")
        _ = keyed(&s, .escape)
        #expect(s.sessions.rows.allSatisfy { $0.searchKey.isEmpty }, "no query: the keys are let go")
    }

    @Test("jobs: progress<50; tickets by their fields, with or")
    func jobsAndHistories() {
        var s = state()
        _ = reduce(&s, .client([job("j1", .running, progress: 20), job("j2", .running, progress: 80)]))
        let jobs = filtered(s, .jobs, "progress<50").rows.compactMap(job).map(\.id)
        #expect(jobs == ["j1"])
        _ = reduce(
            &s,
            .client([
                ev(
                    .ticketCreated, "t-01",
                    .ticket(
                        TicketEvent(
                            ticketID: "1", ticketNumber: "T-1", title: "slow", category: "fault", priority: "high", status: "open"
                        ))),
                ev(
                    .ticketCreated, "t-01", at: at(1),
                    .ticket(
                        TicketEvent(
                            ticketID: "2", ticketNumber: "T-2", title: "down", category: "fault", priority: "low", status: "open")
                    )),
            ]))
        #expect(filtered(s, .tickets, "priority=high").rows.compactMap(ticketNumber) == ["T-1"])
        #expect(filtered(s, .tickets, "number=t-2 or title=slow").rows.compactMap(ticketNumber) == ["T-2", "T-1"])
    }

    @Test("the prompt checks as you type: a bad query is shown with its reason and the last good one stays")
    func validatesAsTyped() {
        var s = onuState()
        _ = keyed(&s, .char("1"))  // focus ONU events
        _ = keyed(&s, .char("/"))
        type(&s, "pon=11")
        _ = keyed(&s, .enter)
        #expect(s.filters[.onu] == "pon=11" && onuSerials(s) == ["D", "B"])
        // Editing it: valid steps apply as typed; an invalid one brings back the filter there was.
        _ = keyed(&s, .char("/"))
        type(&s, " dbm")
        #expect(s.filters[.onu] == "pon=11 dbm" && onuSerials(s) == [], "a word on the way to a condition matches nothing yet")
        type(&s, "<")
        #expect(s.filterError == "'dbm<': a value is needed after '<'")
        #expect(s.filters[.onu] == "pon=11" && onuSerials(s) == ["D", "B"], "the filter from before this edit, not the fragment")
        _ = keyed(&s, .enter)
        #expect(s.editingFilter == nil && s.filterError == nil && s.filters[.onu] == "pon=11")
        #expect(s.flash?.text == "not applied: 'dbm<': a value is needed after '<'; /pon=11 stays")
        _ = keyed(&s, .char("/"))
        type(&s, " dbm<-27")
        _ = keyed(&s, .enter)
        #expect(s.filters[.onu] == "pon=11 dbm<-27" && onuSerials(s) == ["B"])
        _ = keyed(&s, .char("/"), .char("~"), .escape)
        #expect(s.filters[.onu] == "pon=11 dbm<-27" && s.filterError == nil, "Esc puts back the filter that was there")
    }

    @Test("an active outage is critical to a query: sev>=error keeps its row")
    func outageSeverity() {
        var s = state()
        for i in 0..<5 {
            _ = reduce(
                &s,
                .client([
                    ev(
                        .onuOffline, at: at(Double(i)),
                        .onu(
                            ONUEvent(onuSerial: "X\(i)", status: .offline, previousStatus: .online, oltID: "olt-03", ponPort: 11))
                    )
                ]))
        }
        s.filters[.alerts] = "sev>=error"
        let rows = s.content(for: .alerts, limit: 10).rows
        guard case .outage? = rows.first?.item else {
            Issue.record("the outage row stays under sev>=error: \(rows.map(\.id))")
            return
        }
        s.filters[.alerts] = "sev<error"
        #expect(!s.content(for: .alerts, limit: 10).rows.contains { if case .outage = $0.item { true } else { false } })
    }

    @Test("every field and alias in the help's table answers for a row of its pane, with that pane's meaning")
    func tableMatchesLookup() {
        var s = state()
        _ = reduce(
            &s,
            .client([
                degradedONU("C", pon: 110, dbm: -29, at: 1), alert("a-1", .error, source: "olt-01"),
                ev(
                    .ticketCreated, "t-01",
                    .ticket(
                        TicketEvent(
                            ticketID: "1", ticketNumber: "T-1", title: "slow", category: "fault", priority: "high",
                            status: "open",
                            assignedTo: "kemi", subscriberID: "sub-1"))),
                ev(
                    .subscriberCreated, "t-01",
                    .subscriber(
                        SubscriberEvent(
                            subscriberID: "sub-1", accountNumber: "ACC-1", fullName: "Ada", status: "active", plan: "100M",
                            onuSerial: "C"))),
                session("s1", bytes: 10), session("s1", bytes: 20, at: at(1)), job("j-1", .running, progress: 10),
            ]))
        // What each pane has no value for in this fixture (the ONU has no subscriber; outage-only fields).
        let absent: [Pane: Set<String>] = [
            .onu: ["subscriber", "offline"], .alerts: ["olt", "offline"], .sessions: ["ip", "profile", "duration"],
            .jobs: ["failed", "item", "error"],
        ]
        for pane in Pane.allCases {
            guard let row = s.content(for: pane, limit: 5).rows.first else {
                Issue.record("no \(pane) row")
                continue
            }
            for f in RowFields.fields(for: pane) where !(absent[pane]?.contains(f.name) ?? false) {
                let value = RowFields.value(f.name, of: row.item)
                #expect(value != nil, "\(pane) field \(f.name)")
                for a in f.aliases { #expect(RowFields.value(a, of: row.item) == value, "\(pane) alias \(a) of \(f.name)") }
            }
        }
        // `id` is the alert in Alerts and the job in Jobs, the subscriber only in Subscribers.
        let alert = s.content(for: .alerts, limit: 1).rows[0].item
        #expect(RowFields.value("id", of: alert) == .text("a-1"))
        let jobRow = s.content(for: .jobs, limit: 1).rows[0].item
        #expect(RowFields.value("id", of: jobRow) == .text("j-1"))
        // A JSON key that happens to be another pane's alias is read as the JSON's own.
        #expect(RowFields.value("severity", of: alert) == .severity(.error), "Alerts' own alias")
        #expect(RowFields.value("alert_type", of: alert) == .text("x"), "a raw key")
    }
}
