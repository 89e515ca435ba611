import RealtimeProtocol

/// The commands sent on one job or campaign socket, and what their answers mean.
///
/// sent → acknowledged | rejected | rate-limited | no answer (after `commandTimeout`) →
/// confirmed by a later event. A cancel of a job that is acknowledged but not followed by
/// `job.cancelled` within `cancelConfirm`, or that gets no answer, falls back to REST. The
/// backend answers in order, so a command that timed out is kept to take its late answer, and an
/// answer goes to the oldest unanswered command of its kind. `resume_job` is never answered by
/// the current backend: once timed out it is forgotten.
///
/// A value: every method takes the time and returns what to do; the manager carries it out and
/// calls ``expire(now:)`` at ``nextDeadline``.
struct CommandTracker: Sendable {
    enum Action: Sendable, Equatable {
        case report(ClientCommand, CommandOutcome)
        /// `POST /jobs/{id}/cancel`.
        case cancelViaREST
    }

    struct Entry: Sendable, Equatable {
        var command: ClientCommand
        var acknowledged = false
        /// Reported as "no answer", but kept for a late answer.
        var timedOut = false
        /// When to give up waiting: for the answer, or (an acknowledged cancel) for its confirmation.
        var deadline: Double?
    }

    let commandTimeout: Double
    let cancelConfirm: Double
    /// A job socket (REST fallback for cancel) rather than a campaign socket.
    let isJob: Bool
    private(set) var entries: [Entry] = []
    /// Bound on remembered commands; the oldest that already timed out go first.
    static let capacity = 64

    init(commandTimeout: Double, cancelConfirm: Double, isJob: Bool) {
        self.commandTimeout = commandTimeout
        self.cancelConfirm = cancelConfirm
        self.isJob = isJob
    }

    var nextDeadline: Double? { entries.compactMap(\.deadline).min() }

    /// A command is about to be written to an open socket.
    mutating func sent(_ command: ClientCommand, now: Double) -> [Action] {
        entries.append(Entry(command: command, deadline: now + commandTimeout))
        while entries.count > Self.capacity, let i = entries.firstIndex(where: \.timedOut) { entries.remove(at: i) }
        return [.report(command, .sent)]
    }

    /// A command for a socket that is not open: a job cancel goes through REST, the rest fail.
    func notConnected(_ command: ClientCommand) -> [Action] {
        if isJob && command == .cancelJob { return [.report(command, .sent), .cancelViaREST] }
        return [.report(command, .failed("the socket is not connected"))]
    }

    /// An ack answers the oldest unanswered command of its kind.
    mutating func acknowledged(_ kind: AckKind, now: Double) -> [Action] {
        guard let i = entries.firstIndex(where: { !$0.acknowledged && $0.command.expectedAck == kind }) else { return [] }
        let command = entries[i].command
        if isJob && command == .cancelJob {
            // Now wait for job.cancelled; without it, fall back to REST.
            entries[i].acknowledged = true
            entries[i].deadline = now + cancelConfirm
        } else {
            entries.remove(at: i)
        }
        return [.report(command, .acknowledged)]
    }

    /// An error frame answers the oldest unanswered command (late answers included; never a
    /// resume_job, which the backend ignores).
    mutating func rejected(_ error: ServerError, now: Moment) -> [Action] {
        guard let i = entries.firstIndex(where: { !$0.acknowledged && $0.command != .resumeJob }) else { return [] }
        let command = entries.remove(at: i).command
        let outcome: CommandOutcome =
            error.isRateLimit
            ? .rateLimited(until: now.adding(Double(error.retryAfter ?? 60)))
            : .rejected(error.message)
        return [.report(command, outcome)]
    }

    /// A later event confirmed a command (`job.cancelled` for a cancel).
    mutating func confirmed(_ command: ClientCommand) -> [Action] {
        guard let i = entries.firstIndex(where: { $0.command == command }) else { return [] }
        entries.remove(at: i)
        return [.report(command, .confirmed)]
    }

    /// Deadlines that passed by `now`: no answer (a job cancel then goes through REST), or an
    /// acknowledged cancel that was never confirmed.
    mutating func expire(now: Double) -> [Action] {
        var actions: [Action] = []
        var i = 0
        while i < entries.count {
            guard let due = entries[i].deadline, due <= now else {
                i += 1
                continue
            }
            let e = entries[i]
            if e.acknowledged {
                entries.remove(at: i)
                if isJob && e.command == .cancelJob { actions.append(.cancelViaREST) }
                continue
            }
            actions.append(.report(e.command, .noAnswer))
            if isJob && e.command == .cancelJob { actions.append(.cancelViaREST) }
            if e.command == .resumeJob {
                entries.remove(at: i)
                continue
            }
            entries[i].timedOut = true
            entries[i].deadline = nil
            i += 1
        }
        return actions
    }
}
