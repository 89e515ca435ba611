import RealtimeProtocol

/// What happened.
public enum Action: Sendable {
    case client([ClientEvent])
    /// The inbox's counters since the last batch.
    case inbox(dropped: Int, coalesced: Int)
    case key(Key)
    case tick(UTCInstant)
    case resized(cols: Int, rows: Int)
    /// Standing warnings (a token about to expire or expired, a token file others can read).
    case notices([Notice])
    /// What the run loop has to say about an effect it carried out (a yank, a profile switch).
    case said(String)
    /// A mouse event (`ui.mouse`), and what the last frame had under it.
    case pointer(MouseTarget?, PointerEvent)
    /// SIGUSR1: read the config and token files again.
    case reloadSignal
    /// Where the replay stands now (the run loop reads it from the replay).
    case replay(ReplayStatus)
}

/// What the run loop should do, as values.
public enum Effect: Sendable, Equatable {
    case send(tenant: String, endpoint: Endpoint, command: ClientCommand)
    /// The acknowledgements and silences changed: keep them (acks.json).
    case saveAcks(AckBook)
    /// The `:` history changed: keep it (the state directory's `history`).
    case saveHistory([String])
    /// Copy `bytes` for the operator: `yank.json` always, the terminal's clipboard (OSC 52)
    /// when allowed. `what` names it in the flash line.
    case yank(bytes: [UInt8], what: String)
    /// `:profile NAME`: close every stream and open the profile's.
    case switchProfile(String)
    /// `:reload`, SIGUSR1: read the config and token files again and reopen the streams.
    case reload
    case reconnectAll
    /// A replay key: pause, speed, seek.
    case replay(ReplayControl)
    case bell
    case quit
}

/// The rows a selection move considers (a generous page).
let selectionWindow = 200

/// Applies an action to the state; returns the effects to carry out.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
    switch action {
    case .client(let events):
        var effects: [Effect] = []
        // A batch is mostly runs of one stream's events: their counters take one lookup per run.
        var run: (id: StreamID, count: Int)? = nil
        // By index: each event is read in place, not first copied out of the batch.
        for i in events.indices {
            guard case .event(let tenant, let endpoint, let event) = events[i] else {
                count(&state, run)
                run = nil
                effects += ingest(&state, events[i])
                continue
            }
            if run?.id.tenant != tenant || run?.id.endpoint != endpoint {
                count(&state, run)
                run = (StreamID(tenant, endpoint), 0)
            }
            run!.count += 1
            effects += apply(&state, tenant: tenant, endpoint: endpoint, event)
        }
        count(&state, run)
        return effects
    case .inbox(let dropped, let coalesced):
        state.dropped += dropped
        state.coalesced += coalesced
        return []
    case .tick(let now):
        state.now = now
        // Rates per second of the clock the state runs on (a replay's is the recording's).
        let elapsed = state.ratesRolledAt.map { Double(now.microseconds - $0.microseconds) / 1e6 } ?? 1
        if elapsed >= 0.9 || elapsed < 0 {
            let seconds = elapsed > 0 ? elapsed : 1
            for id in state.connections.keys {
                let n = state.connections[id]!.eventsThisSecond
                state.connections[id]!.rolled(Int((Double(n) / seconds).rounded()))
            }
            state.ratesRolledAt = now
        }
        if let f = state.flash, f.until <= now { state.flash = nil }
        state.outages.expire(now: now)
        var gone = Set(state.outages.takeGone().map(AckTarget.init))
        let lapsed = state.acks.expire(now: now)
        // Cleared alerts are kept 10 minutes, then go.
        let oldest = now.microseconds - AlertRow.clearedKeptFor * 1_000_000
        let old = { (a: AlertRow) in (a.clearedAt?.microseconds ?? .max) <= oldest }
        if state.alerts.values.contains(where: old) {
            let groups = Set(state.alerts.values.filter(old).map(\.group))
            state.alerts = state.alerts.filter { !old($0.value) }
            let left = Set(state.alerts.values.map(\.group))
            gone.formUnion(groups.subtracting(left).map(AckTarget.init))
        }
        return dropAcks(&state, of: gone) || lapsed ? [.saveAcks(state.acks)] : []
    case .resized(let cols, let rows):
        state.size = (cols, rows)
        return []
    case .notices(let notices):
        state.notices = notices
        return []
    case .said(let text):
        flash(&state, text, seconds: 8)
        return []
    case .replay(let status):
        state.replay = status
        return []
    case .reloadSignal:
        if state.refusedInReplay("reloading") { return [] }
        return Commands.requestReload(&state, why: "SIGUSR1: reading the config and token files again…")
    case .pointer(let target, let event):
        let sorts = Pane.allCases.map { state.sortShown($0).map { ($0.column, $0.descending) } }
        let effects = pointer(&state, target, event)
        releaseChangedHolds(&state, before: sorts)
        state.sessions.keepVerdicts(for: AppState.query(state.filters[.sessions]))
        return effects
    case .key(let key):
        let sorts = Pane.allCases.map { state.sortShown($0).map { ($0.column, $0.descending) } }
        let effects = handleKey(&state, key)
        releaseChangedHolds(&state, before: sorts)
        // The sessions table keeps the filter's verdict per row, so a frame need not re-match 100k rows.
        state.sessions.keepVerdicts(for: AppState.query(state.filters[.sessions]))
        return effects
    }
}

// MARK: - Events

func ingest(_ state: inout AppState, _ e: ClientEvent) -> [Effect] {
    switch e {
    case .event(let tenant, let endpoint, let event):
        count(&state, (StreamID(tenant, endpoint), 1))
        return apply(&state, tenant: tenant, endpoint: endpoint, event)
    case .status(let tenant, let endpoint, let s):
        status(&state, StreamID(tenant, endpoint), s)
    case .latency(let tenant, let endpoint, let ms):
        state.connections[StreamID(tenant, endpoint), default: ConnectionInfo()].measured(ms)
    case .error(let tenant, let endpoint, let message):
        state.connections[StreamID(tenant, endpoint), default: ConnectionInfo()].lastError = message
    case .malformed(let tenant, let endpoint, _, _):
        state.malformed += 1
        state.connections[StreamID(tenant, endpoint), default: ConnectionInfo()].malformed += 1
    case .command(let tenant, let endpoint, let command, let outcome):
        let key: EntityKey
        switch endpoint {
        case .job(let jid), .campaign(let jid): key = .job(tenant, jid)
        default: return []
        }
        state.jobs[key]?.lastCommand = command
        state.jobs[key]?.lastOutcome = outcome
        // The operator asked for this: the answer shows wherever they look, not only in a
        // column a narrow Jobs pane may not have room for.
        if outcome != .sent, let j = state.jobs[key] {
            let what = j.isCampaign ? "campaign \(j.title ?? j.id)" : "job \(j.type) \(j.id.prefix(8))"
            flash(&state, "\(what): \(commandText(j))")
        }
    case .jobSnapshot(let tenant, let jobs):
        for j in jobs {
            let key = EntityKey.job(tenant, j.id)
            var row = state.jobs[key] ?? JobRow(tenant: tenant, id: j.id, type: j.jobType, status: j.status)
            row.title = j.title
            row.merge(
                type: j.jobType, status: j.status, progress: j.progressPercent, total: j.itemsTotal, processed: j.itemsProcessed,
                succeeded: j.itemsSucceeded, failed: j.itemsFailed, currentItem: j.currentItem ?? row.currentItem,
                error: j.errorMessage, movedAt: state.now)
            state.jobs[key] = row
        }
    case .campaigns(let tenant, let campaigns):
        for c in campaigns {
            let key = EntityKey.job(tenant, c.id)
            var row = state.jobs[key] ?? JobRow(tenant: tenant, id: c.id, type: "campaign", status: .running, isCampaign: true)
            row.title = c.name
            row.status = c.isActive ? .running : .other("inactive")
            state.jobs[key] = row
        }
    case .restarted(let r):
        restart(&state, r)
        state.pendingSwitch = nil
    case .notice(let text):
        flash(&state, text, seconds: 10)
        // A switch that could not be made says so in a notice: the old streams stay, and so do commands.
        state.pendingSwitch = nil
    }
    return []
}

/// `run.count` events arrived on one stream: its counters (one lookup), and the frozen view's.
func count(_ state: inout AppState, _ run: (id: StreamID, count: Int)?) {
    guard let run, run.count > 0 else { return }
    state.connections[run.id, default: ConnectionInfo()].counted(run.count, at: state.now)
    if state.frozen != nil { state.frozen!.eventsSince += run.count }
}

/// An acknowledgement lasts as long as what it acknowledges: when this console sees the outage or
/// the alert group go (not merely not yet seen it, after a restart), it goes too. Whether any went.
func dropAcks(_ state: inout AppState, of gone: Set<AckTarget>) -> Bool {
    guard !gone.isEmpty else { return false }
    let before = state.acks.acks.count
    state.acks.acks.removeAll { gone.contains($0.target) }
    return state.acks.acks.count != before
}

/// A stream's new state. Going down starts an outage; coming back ends it with a gap (nothing
/// is replayed), after which the tenant's alerts and RADIUS sessions are unverified until they
/// are heard of again.
func status(_ state: inout AppState, _ id: StreamID, _ s: ConnectionState) {
    var info = state.connections[id] ?? ConnectionInfo()
    let wasLive = info.state.isLive
    if case .backingOff = s { info.retries += 1 }
    if info.state.isLive && !s.isLive { info.downSince = state.now }
    if !info.state.isLive && s.isLive, let since = info.downSince {
        info.gaps.append(Gap(from: since, to: state.now))
        if info.gaps.count > ConnectionInfo.maxGaps { info.gaps.removeFirst() }
        info.downSince = nil
        if Pane.alerts.isFed(by: id.endpoint) {
            for (key, a) in state.alerts where a.tenant == id.tenant { state.alerts[key]!.unverified = true }
        }
        // A session that stopped during the gap would be shown live for ever (seen in tmux after
        // a backend restart): each is unverified until its next update.
        if Pane.sessions.isFed(by: id.endpoint) { state.sessions.markUnverified(tenant: id.tenant) }
        // The same for an outage: its ONUs may have come back meanwhile.
        if Pane.onu.isFed(by: id.endpoint) { state.outages.markUnverified(tenant: id.tenant) }
    }
    info.state = s
    state.connections[id] = info
    switch id.endpoint {
    case .job(let jid), .campaign(let jid):
        let key = EntityKey.job(id.tenant, jid)
        guard let job = state.jobs[key] else { break }
        if case .stopped(let reason) = s, !job.status.isTerminal {
            let why =
                switch reason {
                case .policyViolation: "1008"
                case .noContent: "204"
                case .jobFinished: "job finished"
                }
            state.jobs[key]!.unwatched = "socket closed (\(why))"
        } else if case .gaveUp = s, !job.status.isTerminal {
            state.jobs[key]!.unwatched = "gave up reconnecting"
        } else if case .polled(let why) = s {
            state.jobs[key]!.polled = why
            state.jobs[key]!.unwatched = nil
        } else if s.isLive {
            state.jobs[key]!.polled = nil
            state.jobs[key]!.unwatched = nil
            // Whether it moved while we could not see is unknown: stalled counts from now.
            if !wasLive { state.jobs[key]!.progressMovedAt = state.now }
        }
    default: break
    }
}

func apply(_ state: inout AppState, tenant: String, endpoint: Endpoint, _ event: Event) -> [Effect] {
    let limit = state.historyLimit
    switch event.payload {
    case .onu(let o):
        state.onuHistory[tenant, default: RingBuffer(capacity: limit)].append(event)
        let started = state.outages.onuEvent(tenant: tenant, o, at: event.timestamp)
        // Folded into an OLT's outage, or replaced by a new one: their acknowledgements go.
        var saved: [Effect] = []
        if !state.outages.gone.isEmpty, dropAcks(&state, of: Set(state.outages.takeGone().map(AckTarget.init))) {
            saved = [.saveAcks(state.acks)]
        }
        if let scope = started, let outage = state.outages.outages[scope],
            !state.acks.silenced(tenant: tenant, olt: scope.olt, pon: scope.pon),
            !state.acks.silenced(tenant: tenant, olt: scope.olt)
        {
            let effects = announce(
                &state, "OUTAGE \(tenant) \(scope): \(outage.offlineCount) ONUs offline since \(outage.since.timeOfDay)")
            if !effects.isEmpty || !saved.isEmpty { return saved + effects }
        }
        if !saved.isEmpty { return saved }
    case .alert(let a):
        // Each text field read once: a read makes a String (the payload keeps bytes).
        let (id, type, source) = (a.alertID, a.alertType, a.source)
        let key = EntityKey.alert(tenant, id)
        let group = AlertGroupKey(tenant: tenant, type: type, source: source)
        if event.type == .alertCleared {
            // Kept, marked cleared (the ack of a clear is also an event about it: verified).
            if state.alerts[key]?.isActive == true {
                state.alertsCleared += 1
                state.alerts[key]!.clearedAt = event.timestamp
                state.alerts[key]!.unverified = false
                // Raised and cleared again and again: flapping.
                let floor = event.timestamp.microseconds - Int64(state.flapRule.window * 1e6)
                state.alertClears[group, default: []].append(event.timestamp)
                state.alertClears[group]!.removeAll { $0.microseconds < floor }
            }
        } else {
            let isNewGroup = !state.alerts.values.contains { $0.isActive && $0.group == group }
            let message = a.message
            state.alerts[key] = AlertRow(
                tenant: tenant, id: id, type: type, severity: a.severity, source: source,
                message: message, raisedAt: event.timestamp, raw: event.raw)
            // Only a critical alert of a new group is announced (a repeat of a known one, or one
            // under an outage already announced, is not news), at most once per 10 s.
            if a.severity == .critical, isNewGroup, state.outages.outage(tenant: tenant, olt: oltOf(source), pon: nil) == nil,
                !state.acks.silenced(tenant: tenant, type: type, source: source)
            {
                return announce(&state, "CRITICAL \(tenant) \(source): \(message)")
            }
        }
    case .ticket(let t):
        state.tickets[tenant, default: RingBuffer(capacity: limit)].append(event)
        state.outages.ticket(tenant: tenant, type: event.type, t)
    case .subscriber:
        state.subscribers[tenant, default: RingBuffer(capacity: limit)].append(event)
    case .session(let s):
        let key = EntityKey.session(tenant, s.sessionID)
        if event.type == .sessionStopped {
            state.sessions.removeValue(forKey: key)
            state.outages.sessionStopped(tenant: tenant, s, at: event.timestamp)
            return []
        }
        let bytesIn = max(0, s.bytesIn ?? 0), bytesOut = max(0, s.bytesOut ?? 0)
        // The filter matches every value of the event, as on every pane; the key is made only
        // while a query with words is set (the table makes the others' when one is typed).
        let searchKey = state.sessions.keepsSearchKeys ? SearchKey.make(raw: event.raw, extra: [tenant]) : []
        guard let slot = state.sessions.slot(forKey: key) else {
            var row = SessionRow(
                tenant: tenant, sessionID: s.sessionID, username: s.username, framedIP: s.framedIPAddress, nas: s.nasIPAddress,
                profile: s.bandwidthProfile, bytesIn: bytesIn, bytesOut: bytesOut, rateIn: 0, rateOut: 0,
                samples: 1, sessionTime: s.sessionTime, updatedAt: event.timestamp, raw: event.raw)
            row.searchKey = searchKey
            state.sessions[key] = row
            return []
        }
        // An update: the row changes in place (one lookup, no copy of it).
        state.sessions.update(slot: slot) { row in
            let dt = Double(event.timestamp.microseconds - row.updatedAt.microseconds) / 1e6
            if dt > 0 {
                // Counters are cumulative; a reset (smaller value) gives no rate rather than a negative one.
                row.rateIn = bytesIn >= row.bytesIn ? Double(bytesIn - row.bytesIn) / dt : 0
                row.rateOut = bytesOut >= row.bytesOut ? Double(bytesOut - row.bytesOut) / dt : 0
            }
            row.samples += 1
            row.username = s.username
            row.framedIP = s.framedIPAddress
            row.nas = s.nasIPAddress
            row.profile = s.bandwidthProfile
            row.bytesIn = bytesIn
            row.bytesOut = bytesOut
            row.sessionTime = s.sessionTime
            row.updatedAt = event.timestamp
            row.raw = event.raw
            row.searchKey = searchKey
            row.unverified = false
        }
        if state.sessionTrend?.key == key, let row = state.sessions[key] {
            state.sessionTrend!.add(rateIn: row.rateIn, rateOut: row.rateOut)
        }
    case .job(let j):
        let key = EntityKey.job(tenant, j.jobID)
        var row = state.jobs[key] ?? JobRow(tenant: tenant, id: j.jobID, type: j.jobType, status: j.status)
        row.merge(
            type: j.jobType, status: j.status, progress: j.progressPercent, total: j.itemsTotal, processed: j.itemsProcessed,
            succeeded: j.itemsSucceeded, failed: j.itemsFailed, currentItem: j.currentItem, error: j.errorMessage,
            movedAt: state.now)
        row.raw = event.raw
        state.jobs[key] = row
    case .unknown:
        state.unknownEvents += 1
    }
    return []
}

/// The connections were replaced (a profile switch, a reload). What the state knew came from the
/// old ones: for another backend it is cleared, not kept per profile; for the same one it is kept
/// and re-checked. What the operator set (filters, sorts, focus, acknowledgements, the command
/// history) stays either way.
func restart(_ state: inout AppState, _ r: Restart) {
    // The same backend and tenants (a reload): what is shown is kept, and checked again the way a
    // reconnect checks it: the streams go down and come back, which leaves a gap and marks the
    // alerts, sessions and outages unverified until they are heard of.
    let sameBackend = r.profile == state.profile && r.tenants == state.tenants && r.origin == state.origin
    if !sameBackend || r.clears { clearModels(&state) }
    // Who and what now.
    state.origin = r.origin
    state.tenants = r.tenants
    state.tenantFilter = state.tenantFilter.flatMap { r.tenants.contains($0) ? $0 : nil }
    state.profile = r.profile
    state.accent = r.accent
    state.profiles = r.profiles
    state.insecureTLS = r.insecureTLS
    // Token warnings were about the tokens read before: the next check (within 15 s) says what holds now.
    state.notices = []
    // A read-only the operator asked for stays; one that came with the old profile goes with it.
    if state.readOnly?.hasPrefix("profile ") ?? true {
        state.readOnly = r.readOnly ? r.profile.map { "profile \($0)" } : nil
    }
    let what =
        r.clears
        ? "what was shown is rebuilt from the recording"
        : sameBackend ? "what is shown is kept, and checked again as the streams come back" : "what was shown before is cleared"
    flash(&state, r.note + " (\(what))", seconds: 10)
}

/// Everything under "Models" in AppState, and what points into it; the rest is the operator's.
func clearModels(_ state: inout AppState) {
    state.sessionTrend = nil
    let rules = state.outages.rules
    state.onuHistory = [:]
    state.outages = OutageTracker()
    state.outages.rules = rules
    state.lastAnnounced = nil
    state.alerts = [:]
    state.alertsCleared = 0
    state.alertClears = [:]
    state.jumpBack = nil
    state.tickets = [:]
    state.subscribers = [:]
    state.sessions = SessionTable()
    state.sessions.keepVerdicts(for: AppState.query(state.filters[.sessions]))
    state.jobs = [:]
    state.connections = [:]
    state.unknownEvents = 0
    state.malformed = 0
    state.dropped = 0
    state.coalesced = 0
    state.frozen = nil
    state.selection = [:]
    state.sortHold = [:]
    switch state.overlay {
    case .onuList, .confirmCancel, .detail: state.overlay = .none
    default: break
    }
}

// MARK: - Keys

/// A sort the operator changed takes effect at once: a lazy hold on that pane is let go.
func releaseChangedHolds(_ state: inout AppState, before: [(SortColumn, Bool)?]) {
    for (i, pane) in Pane.allCases.enumerated() {
        let now = state.sortShown(pane).map { ($0.column, $0.descending) }
        if now?.0 != before[i]?.0 || now?.1 != before[i]?.1 { state.sortHold[pane] = nil }
    }
}

func commandKey(_ state: inout AppState, _ prompt: inout CommandPrompt, _ key: Key) -> [Effect] {
    switch key {
    case .escape:
        state.commandLine = nil
        return []
    case .enter:
        state.commandLine = nil
        let text = prompt.text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        var effects: [Effect] = []
        if state.commandHistory.last != text {
            state.commandHistory.append(text)
            if state.commandHistory.count > Commands.historyLimit {
                state.commandHistory.removeFirst(state.commandHistory.count - Commands.historyLimit)
            }
            effects.append(.saveHistory(state.commandHistory))
        }
        return effects + Commands.run(text, &state)
    case .tab:
        Commands.complete(&prompt, state)
    case .up, .down:
        let history = state.commandHistory
        guard !history.isEmpty else { break }
        if prompt.historyIndex == nil { prompt.typed = prompt.text }
        let i: Int? =
            key == .up
            ? max(0, (prompt.historyIndex ?? history.count) - 1)
            : prompt.historyIndex.flatMap { $0 + 1 < history.count ? $0 + 1 : nil }
        prompt.historyIndex = i
        prompt.text = i.map { history[$0] } ?? prompt.typed
        prompt.candidates = []
    case .backspace:
        if prompt.text.isEmpty {
            state.commandLine = nil
            return []
        }
        prompt.text.removeLast()
        prompt.candidates = []
    case .char(let c):
        prompt.text.append(c)
        prompt.candidates = []
    default:
        break
    }
    state.commandLine = prompt
    return []
}

/// `y`: the selected row's JSON exactly as received; `Y`: its id.
func yank(_ state: inout AppState, id: Bool) -> [Effect] {
    let content = state.content(for: state.focus, limit: selectionWindow)
    guard let i = content.selectedIndex ?? (content.rows.isEmpty ? nil : 0) else {
        flash(&state, "nothing to copy: \(state.focus.title) has no row")
        return []
    }
    let row = content.rows[i]
    if id {
        guard let text = row.idText else {
            flash(&state, "this row has no id to copy (y copies its JSON)")
            return []
        }
        return [.yank(bytes: Array(text.utf8), what: "id \(text)")]
    }
    switch row.item {
    case .outage, .gap:
        // Not an event: the console's own summary, said as such.
        return [.yank(bytes: row.detail, what: "\(state.focus.title) row summary (made by the console, not received)")]
    default:
        guard !row.detail.isEmpty else {
            flash(&state, "this row has no event as received yet (it was listed over REST); Y copies its id")
            return []
        }
        return [.yank(bytes: row.detail, what: "\(state.focus.title) row JSON as received (\(row.detail.count) bytes)")]
    }
}

/// The filter being typed is `text`: applied when it parses (or is empty), else its error shown.
func typeFilter(_ state: inout AppState, _ text: String) {
    state.editingFilter = text
    guard !text.isEmpty else {
        state.filters[state.focus] = nil
        state.filterError = nil
        return
    }
    switch Query.parse(text) {
    case .success:
        state.filters[state.focus] = text
        state.filterError = nil
    case .failure(let e):
        // The filter the operator had when they pressed `/` stays, not a fragment of the one
        // being typed (`dbm` on the way to `dbm<-29` matches nothing).
        state.filterError = e.message
        state.filters[state.focus] = state.filterBeforeEdit
    }
}

func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    // Typing an acknowledgement's note: Enter acks, Esc drops it.
    if var prompt = state.ackPrompt {
        switch key {
        case .enter:
            let (note, seconds) = parseAckNote(prompt.text)
            state.acks.acks.removeAll { $0.target == prompt.target }
            state.acks.acks.append(
                Ack(
                    target: prompt.target, who: state.operatorName, at: state.now, note: note,
                    expires: seconds.map { state.now.minus(seconds: -$0) }))
            state.ackPrompt = nil
            flash(&state, "acknowledged \(prompt.target) (local to this console)")
            return [.saveAcks(state.acks)]
        case .escape:
            state.ackPrompt = nil
        case .backspace:
            if !prompt.text.isEmpty { prompt.text.removeLast() }
            state.ackPrompt = prompt
        case .char(let c):
            prompt.text.append(c)
            state.ackPrompt = prompt
        default:
            break
        }
        return []
    }
    // Typing a filter: keys are text until Enter (keep) or Esc (drop). Each key re-reads the
    // query; one that does not parse is shown as such and the last good one stays applied.
    if var text = state.editingFilter {
        switch key {
        case .enter:
            if let error = state.filterError {
                let kept = state.filters[state.focus].map { "/\($0) stays" } ?? "no filter"
                flash(&state, "not applied: \(error); \(kept)")
            }
            state.editingFilter = nil
            state.filterError = nil
        case .escape:
            // The prompt says "Esc drops": the filter that was there before comes back.
            state.filters[state.focus] = state.filterBeforeEdit
            state.editingFilter = nil
            state.filterError = nil
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            typeFilter(&state, text)
        case .char(let c):
            text.append(c)
            typeFilter(&state, text)
        default:
            break
        }
        return []
    }
    // Typing a `:` command: Tab completes, ↑↓ browse the history, Enter runs, Esc drops.
    if var prompt = state.commandLine {
        return commandKey(&state, &prompt, key)
    }
    // A cancel confirmation takes y / n / Esc only.
    if case .confirmCancel(let tenant, let endpoint, _, _) = state.overlay {
        switch key {
        case .char("y"), .char("Y"):
            state.overlay = .none
            if let pending = state.pendingSwitch {
                flash(&state, "\(pending) under way: cancel not sent; the job belongs to the streams being closed")
                return []
            }
            if let why = state.readOnly {
                flash(&state, "read-only (\(why)): cancel refused, nothing was sent")
                return []
            }
            return [.send(tenant: tenant, endpoint: endpoint, command: endpoint.isCampaign ? .cancelCampaign : .cancelJob)]
        case .char("n"), .char("N"), .escape:
            state.overlay = .none
        default:
            break
        }
        return []
    }
    // A replay's own keys come before their live meaning (not inside an overlay).
    if state.replay != nil, state.overlay == .none, let control = ReplayControl.forKey(key) { return [.replay(control)] }
    guard let command = Keymap.command(for: key) else { return [] }
    // An outage's ONU list: move, sort, jump to a subscriber; Esc closes.
    if case .onuList(let scope, let sort, let selected) = state.overlay {
        let rows = state.onuList(scope, sort: sort)
        let page = max(1, state.size.rows - 7)
        func select(_ i: Int) {
            let i = min(max(0, i), max(0, rows.count - 1))
            state.overlay = .onuList(scope: scope, sort: sort, selected: i)
            // Keep it in sight (the first line is the header).
            if i + 1 < state.overlayScroll + 1 { state.overlayScroll = i }
            if i + 1 >= state.overlayScroll + page { state.overlayScroll = i + 2 - page }
        }
        switch command {
        case .quit: return [.quit]
        case .moveUp: select(selected - 1)
        case .moveDown: select(selected + 1)
        case .pageUp: select(selected - page)
        case .pageDown: select(selected + page)
        case .first: select(0)
        case .last: select(rows.count - 1)
        case .nextSortColumn:
            let next = ONUListSort(rawValue: (sort.rawValue + 1) % ONUListSort.allCases.count)!
            state.overlay = .onuList(scope: scope, sort: next, selected: 0)
        case .detail:
            guard selected < rows.count, let sub = rows[selected].onu.subscriber else {
                flash(&state, "no subscriber known for this ONU")
                return []
            }
            state.jumpBack = JumpBack(
                focus: state.focus, sessionsFilter: state.filters[.sessions], ticketsFilter: state.filters[.tickets],
                list: state.overlay)
            // The id as a literal word: network text is never read as query syntax.
            let literal = sub.contains("\"") ? sub : "\"\(sub)\""
            state.filters[.sessions] = literal
            state.filters[.tickets] = literal
            state.overlay = .none
            state.focus = .sessions
            flash(&state, "sessions and tickets of \(sub) (\(rows[selected].serial)); b goes back to \(scope)")
        case .close, .help, .connections: state.overlay = .none
        default: break
        }
        return []
    }
    if state.overlay != .none {
        switch command {
        case .quit: return [.quit]
        case .help: state.overlay = state.overlay == .help ? .none : .help
        case .connections: state.overlay = state.overlay == .connections ? .none : .connections
        case .close, .detail: state.overlay = .none
        case .moveUp: scrollOverlay(&state, by: -1)
        case .moveDown: scrollOverlay(&state, by: 1)
        case .pageUp: scrollOverlay(&state, by: -max(1, state.size.rows - 6))
        case .pageDown: scrollOverlay(&state, by: max(1, state.size.rows - 6))
        case .first: scrollOverlay(&state, by: Int.min / 2)
        case .last: scrollOverlay(&state, by: Int.max / 2)
        case .reconnectAll:
            if state.refusedInReplay("reconnecting") { return [] }
            flash(&state, "reconnecting every stream (token files read again)")
            return [.reconnectAll]
        default: break
        }
        return []
    }
    return handleKeyCommand(&state, command)
}

/// What a key's command does on the panes (no overlay open, no prompt): keys and `:` commands
/// both come here.
func handleKeyCommand(_ state: inout AppState, _ command: KeyCommand) -> [Effect] {
    switch command {
    case .focusNext, .focusPrevious:
        // In the order the panes are read on this screen: left to right, top to bottom.
        let order = Pane.readingOrder(cols: state.size.cols, rows: state.size.rows)
        let i = order.firstIndex(of: state.focus) ?? 0
        state.focus = order[(i + (command == .focusNext ? 1 : order.count - 1)) % order.count]
    case .focus(let p): state.focus = p
    case .moveUp: move(&state, by: -1)
    case .moveDown: move(&state, by: 1)
    case .pageUp: move(&state, by: -max(1, state.size.rows - 6))
    case .pageDown: move(&state, by: max(1, state.size.rows - 6))
    case .first: move(&state, to: .first)
    case .last: move(&state, to: .last)
    case .zoom: state.zoomed.toggle()
    case .detail:
        let content = state.content(for: state.focus, limit: selectionWindow)
        if let i = content.selectedIndex ?? (content.rows.isEmpty ? nil : 0) {
            let row = content.rows[i]
            if case .outage(let o, _, _) = row.item {
                state.overlay = .onuList(scope: o.scope, sort: .status, selected: 0)
                return []
            }
            let text = (try? JSONValue.parse(row.detail))?.prettyText ?? String(decoding: row.detail, as: UTF8.self)
            state.overlay = .detail(title: "\(state.focus.title): \(row.summary)", text: text)
            // A session's bit rate is followed from now on (the detail view draws it); what came
            // before was not kept for every session.
            if case .entity(let key) = row.id, key.kind == .session, state.sessionTrend?.key != key {
                state.sessionTrend = SessionTrend(key: key, since: state.now)
                if let r = state.sessions[key] { state.sessionTrend!.add(rateIn: r.rateIn, rateOut: r.rateOut) }
            }
        }
    case .close:
        // Esc undoes the nearest thing: the zoom, else the focused pane's filter.
        if state.zoomed {
            state.zoomed = false
        } else if let f = state.filters[state.focus] {
            state.filters[state.focus] = nil
            flash(&state, "filter /\(f) cleared")
        }
    case .startFilter:
        state.filterBeforeEdit = state.filters[state.focus]
        state.editingFilter = state.filters[state.focus] ?? ""
    case .cycleTenant:
        if let current = state.tenantFilter, let i = state.tenants.firstIndex(of: current) {
            state.tenantFilter = i + 1 < state.tenants.count ? state.tenants[i + 1] : nil
        } else {
            state.tenantFilter = state.tenants.first
        }
    case .freeze:
        state.frozen = state.frozen == nil ? AppState.FrozenView(state: state.snapshot) : nil
    case .nextSortColumn where state.focus == .sessions:
        state.sessionSort = SessionSort(rawValue: (state.sessionSort.rawValue + 1) % SessionSort.allCases.count)!
    case .flipSortDirection where state.focus == .sessions:
        state.sessionSortDescending.toggle()
    case .nextSortColumn:
        // None, then each column, then none again: the pane's own order is one of the choices.
        let columns = AppState.sortColumns(state.focus)
        let next = state.sorts[state.focus].map { $0.column + 1 } ?? 0
        if next < columns.count {
            state.sorts[state.focus] = PaneSort(column: next, descending: columns[next].descendingFirst)
        } else {
            state.sorts[state.focus] = nil
            flash(&state, "\(state.focus.title): its own order again")
        }
    case .flipSortDirection:
        if var sort = state.sorts[state.focus] {
            sort.descending.toggle()
            state.sorts[state.focus] = sort
        } else {
            // Its own order reversed, where it has one (oldest first); else the first column, the other way.
            let first = AppState.sortColumns(state.focus)[0]
            state.sorts[state.focus] = PaneSort(column: 0, descending: !first.descendingFirst)
        }
    case .lazySort:
        state.lazySort.toggle()
        state.sortHold = [:]
        flash(
            &state,
            state.lazySort
                ? "lazy sort: rows stay still while you move the selection (\(AppState.lazyHoldSeconds) s after the last move)"
                : "live sort: rows move as their values change")
    case .cancel, .pause, .resume:
        guard state.focus == .jobs, let sel = selectedJob(state) else { return [] }
        if let pending = state.pendingSwitch {
            // The job on screen belongs to the streams being closed; the new ones may be read-only.
            flash(&state, "\(pending) under way: commands wait until the new streams are open; nothing was sent")
            return []
        }
        if state.refusedInReplay(command == .cancel ? "cancel" : command == .pause ? "pause" : "resume") { return [] }
        if let why = state.readOnly {
            // Refused before anything else: no dialog, no request.
            let verb = command == .cancel ? "cancel" : command == .pause ? "pause" : "resume"
            flash(&state, "read-only (\(why)): \(verb) refused, nothing was sent")
            return []
        }
        let endpoint: Endpoint = sel.isCampaign ? .campaign(sel.id) : .job(sel.id)
        // A finished job takes no command: said at once, and nothing is sent.
        let verb = command == .cancel ? "cancel" : command == .pause ? "pause" : "resume"
        if !sel.isCampaign, sel.status.isTerminal {
            flash(&state, "job \(sel.type) \(sel.id.prefix(8)) is \(sel.status.rawValue): nothing to \(verb)")
            return []
        }
        // Pause and resume exist only on the socket; a job's cancel goes over REST instead.
        if let why = sel.polled, command != .cancel {
            flash(&state, "\(verb) is not available: \(why), and the backend has \(verb) only on the WebSocket")
            return []
        }
        switch command {
        case .cancel:
            state.overlay = .confirmCancel(
                tenant: sel.tenant, endpoint: endpoint, id: sel.id, type: sel.isCampaign ? "campaign" : sel.type)
            return []
        case .pause:
            return [.send(tenant: sel.tenant, endpoint: endpoint, command: sel.isCampaign ? .pauseCampaign : .pauseJob)]
        default:
            return [.send(tenant: sel.tenant, endpoint: endpoint, command: sel.isCampaign ? .resumeCampaign : .resumeJob)]
        }
    case .reconnectAll:
        if state.refusedInReplay("reconnecting") { return [] }
        flash(&state, "reconnecting every stream (token files read again)")
        return [.reconnectAll]
    case .connections: state.overlay = .connections
    case .clearPane:
        switch state.focus {
        case .onu: state.onuHistory.removeAll()
        case .alerts:
            // Only what the backend already cleared: an active alert cannot be hidden by a key.
            // Of the tenants shown, like everything else a key does.
            let cleared = state.alerts.values.filter { !$0.isActive && state.shows($0.tenant) }.count
            state.alerts = state.alerts.filter { $0.value.isActive || !state.shows($0.value.tenant) }
            let active = state.alerts.values.filter { state.shows($0.tenant) }.count
            flash(
                &state,
                "\(cleared) cleared alert\(cleared == 1 ? "" : "s") removed; \(active) active stay until the backend clears them")
        case .tickets: state.tickets.removeAll()
        case .subscribers: state.subscribers.removeAll()
        case .jobs:
            state.hideFinishedJobs.toggle()
            flash(&state, state.hideFinishedJobs ? "finished jobs hidden (x shows them)" : "finished jobs shown")
        case .sessions:
            flash(&state, "RADIUS sessions are live state, not history: nothing to clear")
        }
    case .help: state.overlay = .help
    case .commandLine: state.commandLine = CommandPrompt()
    case .yank, .yankID: return yank(&state, id: command == .yankID)
    case .quit: return [.quit]
    case .back:
        guard let back = state.jumpBack else {
            flash(&state, "nothing to go back to (b returns from a jump to a subscriber)")
            return []
        }
        state.filters[.sessions] = back.sessionsFilter
        state.filters[.tickets] = back.ticketsFilter
        state.focus = back.focus
        state.overlay = back.list
        state.jumpBack = nil
    case .acknowledge, .silence:
        guard state.focus == .alerts || state.focus == .onu else {
            flash(&state, "a and m act on alert groups and outages (Alerts and ONU panes)")
            return []
        }
        let content = state.content(for: state.focus, limit: selectionWindow)
        guard let i = content.selectedIndex ?? (content.rows.isEmpty ? nil : 0), let target = ackTarget(content.rows[i]) else {
            flash(&state, "nothing here to acknowledge: select an alert or an outage")
            return []
        }
        if command == .acknowledge {
            if state.acks.ack(for: target) != nil {
                state.acks.acks.removeAll { $0.target == target }
                flash(&state, "acknowledgement of \(target) removed")
                return [.saveAcks(state.acks)]
            }
            state.ackPrompt = (target, "")
            return []
        }
        if state.acks.silences.contains(where: { $0.isFor(target) }) {
            state.acks.silences.removeAll { $0.isFor(target) }
            flash(&state, "silence of \(target) lifted")
        } else {
            state.acks.silences.append(Silence(matching: target, who: state.operatorName, until: state.now.minus(seconds: -3600)))
            flash(&state, "\(target) silenced for 1 h: no bell, no flash (local to this console)")
        }
        return [.saveAcks(state.acks)]
    default: break
    }
    return []
}

/// What `a` and `m` act on in a row: its alert group, or its outage.
func ackTarget(_ row: Row) -> AckTarget? {
    switch row.item {
    case .alert(let a): AckTarget(a.group)
    case .alertGroup(let g): AckTarget(g.key)
    case .outage(let o, _, _): AckTarget(o.scope)
    default: nil
    }
}

/// Says news in the flash line (and rings the bell when configured), at most once per 10 s: a
/// storm must not become a stream of flashes.
func announce(_ state: inout AppState, _ text: String) -> [Effect] {
    if let last = state.lastAnnounced, state.now.microseconds - last.microseconds < 10_000_000 { return [] }
    state.lastAnnounced = state.now
    flash(&state, text, seconds: 8)
    return state.bellOnCritical ? [.bell] : []
}

/// The OLT an alert's source names (`olt-03`, `olt-03/11`), if it names one.
public func oltOf(_ source: String) -> String? {
    // Asked of every active alert several times a frame: printable ASCII is read byte by byte
    // (no split, no lowercased copy); other text (and a leading `/`, which `split` skips) takes
    // the Character path, which it agrees with.
    let bytes = source.utf8
    if bytes.first != UInt8(ascii: "/"), bytes.allSatisfy({ $0 < 0x80 }) {
        guard bytes.starts(with: "olt".utf8, by: { $0 | 0x20 == $1 }) else { return nil }
        return String(source[..<(bytes.firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex)])
    }
    let head = source.split(separator: "/", maxSplits: 1).first.map(String.init) ?? source
    return head.lowercased().hasPrefix("olt") ? head : nil
}

/// Says something in the message line for a few seconds.
func flash(_ state: inout AppState, _ text: String, seconds: Int64 = 5) {
    state.flash = (text, UTCInstant(microseconds: state.now.microseconds + seconds * 1_000_000))
}

/// Scrolls the overlay, never past its last page (the renderer shows the same window).
func scrollOverlay(_ state: inout AppState, by delta: Int) {
    let visible = max(1, state.size.rows - 4)
    let lines: Int =
        switch state.overlay {
        case .none, .confirmCancel, .onuList: 0
        case .help: state.helpLines.count
        // The session's bit rate lines come first (the renderer adds them).
        case .detail(_, let text):
            text.split(separator: "\n", omittingEmptySubsequences: false).count + (state.sessionTrend == nil ? 0 : 4)
        // An upper bound: a line per socket, one more for a stopped one, the totals and notices.
        case .connections: 2 * state.connections.count + state.notices.count + 4
        }
    state.overlayScroll = min(max(0, state.overlayScroll + delta), max(0, lines - visible))
}

/// The job row under the selection in the jobs pane (the first row when none is selected).
func selectedJob(_ state: AppState) -> JobRow? {
    if case .entity(let key)? = state.selection[.jobs], let j = state.jobs[key] { return j }
    guard case .job(let j)? = state.content(for: .jobs, limit: 1).rows.first?.item else { return nil }
    return j
}

enum Edge { case first, last }

/// A lazy sort: the first move of a burst takes the order the rows have now, and every move
/// keeps it for ``AppState/lazyHoldSeconds`` more.
func holdOrder(_ state: inout AppState, _ ids: [RowID]) {
    guard state.lazySort else { return }
    let pane = state.focus
    var hold =
        state.activeHold(pane)
        ?? SortHold(
            ranks: Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { a, _ in a }),
            lastMove: state.now)
    hold.lastMove = state.now
    state.sortHold[pane] = hold
}

func move(_ state: inout AppState, by delta: Int) {
    let ids = state.orderedIDs(state.focus, around: selectionWindow + abs(delta))
    guard !ids.isEmpty else { return }
    holdOrder(&state, ids)
    let current = state.selection[state.focus].flatMap { ids.firstIndex(of: $0) }
    let target = current.map { min(max(0, $0 + delta), ids.count - 1) } ?? (delta > 0 ? 0 : 0)
    state.selection[state.focus] = ids[target]
}

func move(_ state: inout AppState, to edge: Edge) {
    let ids = state.orderedIDs(state.focus, around: edge == .last ? Int.max / 2 : selectionWindow)
    guard !ids.isEmpty else { return }
    holdOrder(&state, ids)
    state.selection[state.focus] = edge == .first ? ids.first : ids.last
}

extension Endpoint {
    var isCampaign: Bool {
        if case .campaign = self { return true }
        return false
    }
}
