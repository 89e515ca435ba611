/// The six families of realtime events (PROTOCOL.md §7).
public enum EventFamily: String, Sendable, CaseIterable, Hashable {
    case onu, session, job, ticket, alert, subscriber
}

/// The 23 event types of PROTOCOL.md §7, plus ``unknown(_:)`` for types the backend adds later.
public enum EventType: Sendable, Hashable, CustomStringConvertible {
    case onuOnline, onuOffline, onuSignalDegraded, onuProvisioned, onuDeprovisioned
    case sessionStarted, sessionUpdated, sessionStopped
    case jobCreated, jobProgress, jobCompleted, jobFailed, jobCancelled
    case ticketCreated, ticketUpdated, ticketAssigned, ticketResolved
    case alertRaised, alertCleared
    case subscriberCreated, subscriberActivated, subscriberSuspended, subscriberTerminated
    /// A type this client does not know; kept and shown raw, never dropped.
    case unknown(String)

    /// Every known type, in the order of PROTOCOL.md §7.
    public static let known: [EventType] = [
        .onuOnline, .onuOffline, .onuSignalDegraded, .onuProvisioned, .onuDeprovisioned,
        .sessionStarted, .sessionUpdated, .sessionStopped,
        .jobCreated, .jobProgress, .jobCompleted, .jobFailed, .jobCancelled,
        .ticketCreated, .ticketUpdated, .ticketAssigned, .ticketResolved,
        .alertRaised, .alertCleared,
        .subscriberCreated, .subscriberActivated, .subscriberSuspended, .subscriberTerminated,
    ]

    public init(rawValue: String) {
        switch rawValue {
        case "onu.online": self = .onuOnline
        case "onu.offline": self = .onuOffline
        case "onu.signal_degraded": self = .onuSignalDegraded
        case "onu.provisioned": self = .onuProvisioned
        case "onu.deprovisioned": self = .onuDeprovisioned
        case "session.started": self = .sessionStarted
        case "session.updated": self = .sessionUpdated
        case "session.stopped": self = .sessionStopped
        case "job.created": self = .jobCreated
        case "job.progress": self = .jobProgress
        case "job.completed": self = .jobCompleted
        case "job.failed": self = .jobFailed
        case "job.cancelled": self = .jobCancelled
        case "ticket.created": self = .ticketCreated
        case "ticket.updated": self = .ticketUpdated
        case "ticket.assigned": self = .ticketAssigned
        case "ticket.resolved": self = .ticketResolved
        case "alert.raised": self = .alertRaised
        case "alert.cleared": self = .alertCleared
        case "subscriber.created": self = .subscriberCreated
        case "subscriber.activated": self = .subscriberActivated
        case "subscriber.suspended": self = .subscriberSuspended
        case "subscriber.terminated": self = .subscriberTerminated
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .onuOnline: "onu.online"
        case .onuOffline: "onu.offline"
        case .onuSignalDegraded: "onu.signal_degraded"
        case .onuProvisioned: "onu.provisioned"
        case .onuDeprovisioned: "onu.deprovisioned"
        case .sessionStarted: "session.started"
        case .sessionUpdated: "session.updated"
        case .sessionStopped: "session.stopped"
        case .jobCreated: "job.created"
        case .jobProgress: "job.progress"
        case .jobCompleted: "job.completed"
        case .jobFailed: "job.failed"
        case .jobCancelled: "job.cancelled"
        case .ticketCreated: "ticket.created"
        case .ticketUpdated: "ticket.updated"
        case .ticketAssigned: "ticket.assigned"
        case .ticketResolved: "ticket.resolved"
        case .alertRaised: "alert.raised"
        case .alertCleared: "alert.cleared"
        case .subscriberCreated: "subscriber.created"
        case .subscriberActivated: "subscriber.activated"
        case .subscriberSuspended: "subscriber.suspended"
        case .subscriberTerminated: "subscriber.terminated"
        case .unknown(let s): s
        }
    }

    /// The family of a known type; `nil` for ``unknown(_:)``.
    public var family: EventFamily? {
        switch self {
        case .onuOnline, .onuOffline, .onuSignalDegraded, .onuProvisioned, .onuDeprovisioned: .onu
        case .sessionStarted, .sessionUpdated, .sessionStopped: .session
        case .jobCreated, .jobProgress, .jobCompleted, .jobFailed, .jobCancelled: .job
        case .ticketCreated, .ticketUpdated, .ticketAssigned, .ticketResolved: .ticket
        case .alertRaised, .alertCleared: .alert
        case .subscriberCreated, .subscriberActivated, .subscriberSuspended, .subscriberTerminated: .subscriber
        case .unknown: nil
        }
    }

    public var description: String { rawValue }
}
