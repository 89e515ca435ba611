/// One realtime event, decoded, with the bytes it came from.
///
/// `raw` is the event's JSON exactly as received (the SSE `data` or the WebSocket text
/// frame): the detail view and `tail --format jsonl` show it unchanged, unknown fields included.
public struct Event: Sendable {
    public var type: EventType
    public var tenantID: String
    public var timestamp: UTCInstant
    public var payload: EventPayload
    public var raw: [UInt8]

    public init(type: EventType, tenantID: String, timestamp: UTCInstant, payload: EventPayload, raw: [UInt8]) {
        self.type = type
        self.tenantID = tenantID
        self.timestamp = timestamp
        self.payload = payload
        self.raw = raw
    }

    /// `raw` as text (invalid UTF-8 shown as U+FFFD).
    public var rawText: String { String(decoding: raw, as: UTF8.self) }
}

/// The typed body of an event, by family.
public enum EventPayload: Sendable, Equatable {
    case onu(ONUEvent)
    case session(SessionEvent)
    case job(JobEvent)
    case ticket(TicketEvent)
    case alert(AlertEvent)
    case subscriber(SubscriberEvent)
    /// An event of an unknown type: the whole JSON object, kept for display.
    case unknown(JSONValue)
}

/// The result of decoding one event payload: an event, or the reason it could not be one
/// (with its bytes, so nothing is lost). Decoding never throws out of a stream.
public enum DecodedEvent: Sendable {
    case event(Event)
    case malformed(MalformedEvent)

    public var event: Event? {
        if case .event(let e) = self { return e }
        return nil
    }
}

public struct MalformedEvent: Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var raw: [UInt8]
    public init(reason: String, raw: [UInt8]) {
        self.reason = reason
        self.raw = raw
    }
    public var description: String { "malformed event: \(reason)" }
}

// MARK: - Open enumerations

/// A value set the backend documents but may grow; unknown values are kept as text.
public protocol OpenEnumeration: Sendable, Hashable, CustomStringConvertible {
    init(rawValue: String)
    var rawValue: String { get }
}

extension OpenEnumeration {
    public var description: String { rawValue }
}

public enum ONUStatus: OpenEnumeration {
    case online, offline, rebooting, degraded
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "online": self = .online
        case "offline": self = .offline
        case "rebooting": self = .rebooting
        case "degraded": self = .degraded
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .online: "online"
        case .offline: "offline"
        case .rebooting: "rebooting"
        case .degraded: "degraded"
        case .other(let s): s
        }
    }
}

/// Job status. The current backend has no `paused`: a pause is shown as a command state.
public enum JobStatus: OpenEnumeration {
    case pending, running, completed, failed, cancelled
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "pending": self = .pending
        case "running": self = .running
        case "completed": self = .completed
        case "failed": self = .failed
        case "cancelled": self = .cancelled
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .other(let s): s
        }
    }

    /// Completed, failed or cancelled: no further progress will come.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        default: false
        }
    }
}

public enum AlertSeverity: OpenEnumeration, Comparable {
    case info, warning, error, critical
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "info": self = .info
        case "warning": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        case .other(let s): s
        }
    }

    /// Higher is more severe; unknown severities rank just above info.
    public var rank: Int {
        switch self {
        case .info: 0
        case .other: 1
        case .warning: 2
        case .error: 3
        case .critical: 4
        }
    }

    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rank < b.rank }
}

// MARK: - Family payloads (PROTOCOL.md §7; `?` fields are optionals)

public struct ONUEvent: Sendable, Equatable {
    public var onuSerial: String
    public var subscriberID: String?
    public var status: ONUStatus
    public var signalDBm: Double?
    public var previousStatus: ONUStatus?
    public var oltID: String?
    public var ponPort: Int?

    public init(
        onuSerial: String, subscriberID: String? = nil, status: ONUStatus, signalDBm: Double? = nil,
        previousStatus: ONUStatus? = nil, oltID: String? = nil, ponPort: Int? = nil
    ) {
        self.onuSerial = onuSerial
        self.subscriberID = subscriberID
        self.status = status
        self.signalDBm = signalDBm
        self.previousStatus = previousStatus
        self.oltID = oltID
        self.ponPort = ponPort
    }
}

public struct SessionEvent: Sendable, Equatable {
    public var username: String
    public var sessionID: String
    public var nasIPAddress: String
    public var framedIPAddress: String?
    public var subscriberID: String?
    public var bandwidthProfile: String?
    public var bytesIn: Int64?
    public var bytesOut: Int64?
    /// Seconds.
    public var sessionTime: Int64?
    public var terminateCause: String?

    public init(
        username: String, sessionID: String, nasIPAddress: String, framedIPAddress: String? = nil,
        subscriberID: String? = nil, bandwidthProfile: String? = nil, bytesIn: Int64? = nil,
        bytesOut: Int64? = nil, sessionTime: Int64? = nil, terminateCause: String? = nil
    ) {
        self.username = username
        self.sessionID = sessionID
        self.nasIPAddress = nasIPAddress
        self.framedIPAddress = framedIPAddress
        self.subscriberID = subscriberID
        self.bandwidthProfile = bandwidthProfile
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.sessionTime = sessionTime
        self.terminateCause = terminateCause
    }
}

public struct JobEvent: Sendable, Equatable {
    public var jobID: String
    public var jobType: String
    public var status: JobStatus
    public var progressPercent: Double?
    public var itemsTotal: Int64?
    public var itemsProcessed: Int64?
    public var itemsSucceeded: Int64?
    public var itemsFailed: Int64?
    public var currentItem: String?
    public var errorMessage: String?

    public init(
        jobID: String, jobType: String, status: JobStatus, progressPercent: Double? = nil,
        itemsTotal: Int64? = nil, itemsProcessed: Int64? = nil, itemsSucceeded: Int64? = nil,
        itemsFailed: Int64? = nil, currentItem: String? = nil, errorMessage: String? = nil
    ) {
        self.jobID = jobID
        self.jobType = jobType
        self.status = status
        self.progressPercent = progressPercent
        self.itemsTotal = itemsTotal
        self.itemsProcessed = itemsProcessed
        self.itemsSucceeded = itemsSucceeded
        self.itemsFailed = itemsFailed
        self.currentItem = currentItem
        self.errorMessage = errorMessage
    }
}

public struct TicketEvent: Sendable, Equatable {
    public var ticketID: String
    public var ticketNumber: String
    public var title: String
    public var category: String
    /// Free text in the backend.
    public var priority: String
    /// Free text in the backend.
    public var status: String
    public var assignedTo: String?
    public var subscriberID: String?

    public init(
        ticketID: String, ticketNumber: String, title: String, category: String, priority: String,
        status: String, assignedTo: String? = nil, subscriberID: String? = nil
    ) {
        self.ticketID = ticketID
        self.ticketNumber = ticketNumber
        self.title = title
        self.category = category
        self.priority = priority
        self.status = status
        self.assignedTo = assignedTo
        self.subscriberID = subscriberID
    }
}

public struct AlertEvent: Sendable, Equatable {
    public var alertID: String
    public var alertType: String
    public var severity: AlertSeverity
    public var source: String
    public var message: String
    public var details: JSONValue?

    public init(
        alertID: String, alertType: String, severity: AlertSeverity, source: String, message: String,
        details: JSONValue? = nil
    ) {
        self.alertID = alertID
        self.alertType = alertType
        self.severity = severity
        self.source = source
        self.message = message
        self.details = details
    }
}

public struct SubscriberEvent: Sendable, Equatable {
    public var subscriberID: String
    public var accountNumber: String
    public var fullName: String
    /// Free text in the backend.
    public var status: String
    public var plan: String?
    public var onuSerial: String?

    public init(
        subscriberID: String, accountNumber: String, fullName: String, status: String,
        plan: String? = nil, onuSerial: String? = nil
    ) {
        self.subscriberID = subscriberID
        self.accountNumber = accountNumber
        self.fullName = fullName
        self.status = status
        self.plan = plan
        self.onuSerial = onuSerial
    }
}
