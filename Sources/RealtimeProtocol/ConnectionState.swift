/// The life of one stream (tenant × endpoint), as the status bar shows it.
///
/// Times are wall-clock instants (`retryAt`), so a UI can count down against its own clock.
/// Why a stream ended for good (``ConnectionState/stopped(reason:)``): not retried on its own.
public enum StopReason: Sendable, Hashable, CustomStringConvertible {
    /// The server answered 204 No Content: the endpoint is switched off there.
    case noContent
    /// WebSocket close 1008 with the server's reason (e.g. "Job not found or access denied").
    case policyViolation(reason: String)
    /// The job reached a terminal state and the server closed its socket.
    case jobFinished

    /// The stream ended the way the protocol ends it when all is well (a finished job, an
    /// endpoint that is off), not because something is wrong.
    public var isNormal: Bool {
        switch self {
        case .noContent, .jobFinished: true
        case .policyViolation: false
        }
    }

    public var description: String {
        switch self {
        case .noContent: "the server answered 204 No Content"
        case .policyViolation(let reason): (reason.isEmpty ? "policy violation" : reason) + " (1008)"
        case .jobFinished: "job finished"
        }
    }
}

public enum ConnectionState: Sendable, Equatable, CustomStringConvertible {
    /// Opening (attempt 1 is the first try).
    case connecting(attempt: Int)
    /// Subscribed: the `connected` frame (SSE) or `subscribed` (WebSocket) arrived.
    case live
    /// No bytes for longer than the stale limit; about to reconnect.
    case stale
    /// Waiting to retry after a failure.
    case backingOff(attempt: Int, retryAt: UTCInstant, reason: String)
    /// 401/403: not retried at the network pace. `retryAt` is the slow re-check, nil = manual only.
    case authFailed(status: Int, retryAt: UTCInstant?)
    /// `max_attempts` reached: manual retry only.
    case gaveUp(reason: String)
    /// Ended for good by the server (204, close 1008, a finished job), with its reason.
    case stopped(reason: StopReason)
    /// A job or campaign socket whose upgrade the backend refuses (the current release answers
    /// 500): its state comes from REST polling instead, and `reason` says why.
    case polled(reason: String)

    /// One word for narrow status bars.
    public var word: String {
        switch self {
        case .connecting: "connecting"
        case .live: "live"
        case .stale: "stale"
        case .backingOff: "retry"
        case .authFailed: "auth"
        case .gaveUp: "gave up"
        case .stopped: "stopped"
        case .polled: "polled"
        }
    }

    public var isLive: Bool { self == .live }

    /// Live, or followed over REST instead: what it shows is current either way.
    public var isCurrent: Bool {
        switch self {
        case .live, .polled: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .connecting(let a): a > 1 ? "connecting (attempt \(a))" : "connecting"
        case .live: "live"
        case .stale: "stale (no data), reconnecting"
        case .backingOff(let a, let at, let reason): "retry #\(a) at \(at.timeOfDay) UTC (\(reason))"
        case .authFailed(let status, let at):
            "auth failed (HTTP \(status))" + (at.map { ", re-check at \($0.timeOfDay) UTC" } ?? ", manual retry only")
        case .gaveUp(let reason): "gave up (\(reason)); press R to retry"
        case .stopped(let reason): "stopped: \(reason)"
        case .polled(let reason): "polled over REST (\(reason))"
        }
    }
}

/// Where a command sent to a job or campaign stands.
public enum CommandOutcome: Sendable, Equatable, CustomStringConvertible {
    case sent
    /// The server acknowledged: queued, not yet done.
    case acknowledged
    case rejected(String)
    case rateLimited(until: UTCInstant)
    /// No answer within the timeout (the current backend never answers `resume_job`).
    case noAnswer
    /// A later event confirmed the outcome (e.g. `job.cancelled`).
    case confirmed
    /// Done through the REST fallback (`POST /jobs/{id}/cancel`).
    case confirmedViaREST
    case failed(String)

    public var description: String {
        switch self {
        case .sent: "sent"
        case .acknowledged: "acknowledged"
        case .rejected(let m): "rejected: \(m)"
        case .rateLimited(let t): "rate-limited until \(t.timeOfDay) UTC"
        case .noAnswer: "no answer"
        case .confirmed: "confirmed"
        case .confirmedViaREST: "confirmed via REST"
        case .failed(let m): "failed: \(m)"
        }
    }
}

/// What the ConnectionManager tells its consumer, in order.
public enum ClientEvent: Sendable {
    case event(tenant: String, endpoint: Endpoint, event: Event)
    case status(tenant: String, endpoint: Endpoint, state: ConnectionState)
    /// Time to response headers (SSE) or ping round trip (WebSocket), in milliseconds.
    case latency(tenant: String, endpoint: Endpoint, milliseconds: Double)
    case command(tenant: String, endpoint: Endpoint, command: ClientCommand, outcome: CommandOutcome)
    case malformed(tenant: String, endpoint: Endpoint, reason: String, raw: [UInt8])
    /// An error worth showing (last error text of a stream), not a state change.
    case error(tenant: String, endpoint: Endpoint, message: String)
    /// Jobs and campaigns the manager discovered (REST), to seed the jobs pane.
    case jobSnapshot(tenant: String, jobs: [JobSummary])
    case campaigns(tenant: String, campaigns: [CampaignSummary])
    /// The connections were closed and opened again under another configuration (a profile
    /// switch, a reload): everything before this belongs to the old one.
    case restarted(Restart)
    /// Something the client has to say that belongs to no stream (a reload that failed).
    case notice(String)
}

/// What the connections were restarted with.
public struct Restart: Sendable, Equatable {
    public var tenants: [String]
    /// The profile now in use (nil: none), its accent colour, and whether it is read-only.
    public var profile: String?
    public var accent: String?
    public var readOnly: Bool
    /// TLS verification is off for these connections.
    public var insecureTLS: Bool
    /// The profiles the configuration now has (a reload may add or remove some).
    public var profiles: [String]
    /// The backend now (`http://host:port`): a reload that keeps it keeps what is shown.
    public var origin: String
    /// What happened, for the flash line (`profile lab: 2 tenants, http://lab:8000`).
    public var note: String
    /// Clear what is shown even for the same backend (a replay that goes back in time).
    public var clears = false

    public init(
        tenants: [String], profile: String? = nil, accent: String? = nil, readOnly: Bool = false, insecureTLS: Bool = false,
        profiles: [String] = [], origin: String = "", note: String, clears: Bool = false
    ) {
        self.clears = clears
        self.origin = origin
        self.tenants = tenants
        self.profile = profile
        self.accent = accent
        self.readOnly = readOnly
        self.insecureTLS = insecureTLS
        self.profiles = profiles
        self.note = note
    }
}

/// A job as `GET /jobs` lists it.
public struct JobSummary: Sendable, Equatable {
    public var id: String
    public var jobType: String
    public var status: JobStatus
    public var title: String
    public var progressPercent: Double?
    public var itemsTotal: Int64?
    public var itemsProcessed: Int64?
    public var itemsSucceeded: Int64?
    public var itemsFailed: Int64?
    public var currentItem: String?
    public var errorMessage: String?

    public init(
        id: String, jobType: String, status: JobStatus, title: String, progressPercent: Double? = nil, itemsTotal: Int64? = nil,
        itemsProcessed: Int64? = nil, itemsSucceeded: Int64? = nil, itemsFailed: Int64? = nil, currentItem: String? = nil,
        errorMessage: String? = nil
    ) {
        self.id = id
        self.jobType = jobType
        self.status = status
        self.title = title
        self.progressPercent = progressPercent
        self.itemsTotal = itemsTotal
        self.itemsProcessed = itemsProcessed
        self.itemsSucceeded = itemsSucceeded
        self.itemsFailed = itemsFailed
        self.currentItem = currentItem
        self.errorMessage = errorMessage
    }

    /// Reads a JobSummary/JobDetail object; nil when `id`, `job_type` or `status` is missing.
    public init?(json v: JSONValue) {
        func int(_ k: String) -> Int64? { v[k]?.intValue.map(Int64.init) }
        guard let id = v["id"]?.stringValue ?? v["id"].flatMap({ if case .number(let n) = $0 { n } else { nil } }),
            let type = v["job_type"]?.stringValue, let status = v["status"]?.stringValue
        else { return nil }
        self.init(
            id: id, jobType: type, status: JobStatus(rawValue: status), title: v["title"]?.stringValue ?? type,
            progressPercent: v["progress_percent"]?.doubleValue, itemsTotal: int("items_total"),
            itemsProcessed: int("items_processed"),
            itemsSucceeded: int("items_succeeded"), itemsFailed: int("items_failed"), currentItem: v["current_item"]?.stringValue,
            errorMessage: v["error_message"]?.stringValue)
    }
}

public struct CampaignSummary: Sendable, Equatable {
    public var id: String
    public var name: String
    public var isActive: Bool
    public var priority: Int?

    public init(id: String, name: String, isActive: Bool, priority: Int? = nil) {
        self.id = id
        self.name = name
        self.isActive = isActive
        self.priority = priority
    }

    public init?(json v: JSONValue) {
        guard let id = v["id"]?.stringValue else { return nil }
        self.init(
            id: id, name: v["name"]?.stringValue ?? id, isActive: v["is_active"] == .bool(true), priority: v["priority"]?.intValue
        )
    }
}
