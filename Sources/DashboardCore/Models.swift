import RealtimeProtocol

/// The six panes, in focus order (keys 1–6).
public enum Pane: Int, CaseIterable, Sendable, Hashable {
    case onu, alerts, tickets, subscribers, sessions, jobs

    public var title: String {
        switch self {
        case .onu: "ONU events"
        case .alerts: "Alerts"
        case .tickets: "Tickets"
        case .subscribers: "Subscribers"
        case .sessions: "RADIUS sessions"
        case .jobs: "Jobs"
        }
    }
}

extension Pane {
    /// A pane's name in a few letters, for a narrow title and the help's field table.
    public var shortTitle: String {
        switch self {
        case .onu: "ONU"
        case .sessions: "Sessions"
        case .subscribers: "Subs"
        default: title
        }
    }

    /// The panes in the order they are read on a terminal of this size (left to right, top to
    /// bottom), as the screen lays them out; the panes a small screen leaves out come last. Tab
    /// follows it.
    public static func readingOrder(cols: Int, rows: Int) -> [Pane] {
        if cols >= 160 && rows >= 24 { return [.alerts, .onu, .tickets, .subscribers, .sessions, .jobs] }
        if cols >= 80 && rows >= 24 { return [.alerts, .onu, .sessions, .jobs, .tickets, .subscribers] }
        if cols >= 60 && rows >= 16 { return [.alerts, .sessions, .jobs, .onu, .tickets, .subscribers] }
        return allCases
    }
}

/// What the console knows about one stream.
public struct ConnectionInfo: Sendable, Equatable {
    public var state: ConnectionState = .connecting(attempt: 1)
    public var latencyMs: Double? = nil
    public var lastEventAt: UTCInstant? = nil
    public var events = 0
    /// Events in the current second, and the rate of the last whole second.
    public var eventsThisSecond = 0
    public var eventsPerSecond = 0
    public var retries = 0
    public var lastError: String? = nil
    public var malformed = 0
    /// When this stream stopped being live (nil while live, or if it never was).
    public var downSince: UTCInstant? = nil
    /// Times without data after it had been live, oldest first (the last ``maxGaps``).
    public var gaps: [Gap] = []
    public static let maxGaps = 16
    /// Events per second over the last ``trendLength`` seconds, oldest first; nil for a second
    /// the stream was not current (nothing is known of it).
    public var rateTrend: [Int?] = []
    /// The last ``trendLength`` latencies reported: WebSocket ping round trips (one a heartbeat),
    /// or, for SSE, the time to the first byte of each connect.
    public var latencyTrend: [Double] = []
    public static let trendLength = 60
    public init() {}

    /// The second just ended: its rate joins the trend.
    mutating func rolled(_ rate: Int) {
        eventsPerSecond = rate
        eventsThisSecond = 0
        rateTrend.append(state.isCurrent ? rate : nil)
        if rateTrend.count > Self.trendLength { rateTrend.removeFirst(rateTrend.count - Self.trendLength) }
    }

    mutating func measured(_ ms: Double) {
        latencyMs = ms
        latencyTrend.append(ms)
        if latencyTrend.count > Self.trendLength { latencyTrend.removeFirst(latencyTrend.count - Self.trendLength) }
    }

    /// `n` events arrived.
    mutating func counted(_ n: Int = 1, at now: UTCInstant) {
        events += n
        eventsThisSecond += n
        lastEventAt = now
    }
}

/// The bit rate of the RADIUS session whose detail was opened, update by update, from then on.
public struct SessionTrend: Sendable, Equatable {
    public var key: EntityKey
    public var since: UTCInstant
    /// Bits per second in and out, oldest first (the last ``ConnectionInfo/trendLength``).
    public var bitsIn: [Double] = []
    public var bitsOut: [Double] = []

    mutating func add(rateIn: Double, rateOut: Double) {
        bitsIn.append(rateIn * 8)
        bitsOut.append(rateOut * 8)
        let n = ConnectionInfo.trendLength
        if bitsIn.count > n { bitsIn.removeFirst(bitsIn.count - n) }
        if bitsOut.count > n { bitsOut.removeFirst(bitsOut.count - n) }
    }
}

/// Alerts that are the same problem: one tenant, one alert type, one source.
public struct AlertGroupKey: Hashable, Sendable {
    public var tenant: String
    public var type: String
    public var source: String
    public init(tenant: String, type: String, source: String) {
        self.tenant = tenant
        self.type = type
        self.source = source
    }
}

/// When a group is flapping: raised and cleared `count` times within `window` seconds.
public struct FlapRule: Sendable, Equatable {
    public var count = 3
    public var window = 600.0
    public init() {}
}

/// The alerts of one group, as the Alerts pane shows them: one row.
public struct AlertGroup: Sendable, Equatable {
    public var key: AlertGroupKey
    /// The newest alert of the group (what the row's message and detail show).
    public var latest: AlertRow
    /// Alerts in the group now (active ones when any is active, else the recently cleared).
    public var count: Int
    public var severity: AlertSeverity
    public var firstSeen: UTCInstant
    public var lastSeen: UTCInstant
    public var isActive: Bool
    public var flapping: Bool
    public var unverified: Bool
}

public struct AlertRow: Sendable, Equatable {
    public var tenant: String
    public var id: String
    public var type: String
    public var severity: AlertSeverity
    public var source: String
    public var message: String
    public var raisedAt: UTCInstant
    public var raw: [UInt8]
    /// Raised before a gap in the alerts stream: it may have cleared while we were away. A new
    /// event about it makes it current again.
    public var unverified = false
    /// When the backend cleared it: a cleared alert stays, dim and below the active ones, for
    /// ``AlertRow/clearedKeptFor`` seconds (or until `x`), so nothing vanishes unseen.
    public var clearedAt: UTCInstant? = nil
    public static let clearedKeptFor: Int64 = 600
    public var isActive: Bool { clearedAt == nil }
    public var group: AlertGroupKey { AlertGroupKey(tenant: tenant, type: type, source: source) }
}

public struct SessionRow: Sendable, Equatable {
    public var tenant: String
    public var sessionID: String
    public var username: String
    public var framedIP: String?
    public var nas: String
    public var profile: String?
    public var bytesIn: Int64
    public var bytesOut: Int64
    /// Bytes per second from the last two updates (meaningful once `samples` ≥ 2).
    public var rateIn: Double
    public var rateOut: Double
    public var samples = 1
    /// Lowercased UTF-8 of the searchable columns, made once per update (the `/` filter).
    public var searchKey: [UInt8] = []
    public var sessionTime: Int64?
    public var updatedAt: UTCInstant
    public var raw: [UInt8]
    /// Seen before a gap in its stream: it may have ended while nobody could see (its stop is
    /// not replayed). Its next update verifies it.
    public var unverified = false
}

public struct JobRow: Sendable, Equatable {
    public var tenant: String
    public var id: String
    public var type: String
    public var title: String?
    public var status: JobStatus
    public var progress: Double?
    public var processed: Int64?
    public var total: Int64?
    public var succeeded: Int64?
    public var failed: Int64?
    public var currentItem: String?
    public var errorMessage: String?
    public var lastCommand: ClientCommand? = nil
    public var lastOutcome: CommandOutcome? = nil
    public var isCampaign = false
    public var raw: [UInt8] = []
    /// Why nothing follows this job any more (its socket closed for good before it finished).
    public var unwatched: String? = nil
    /// When its progress last moved (or it was first seen), and how long a step usually takes
    /// (a moving average of the time between moves), to tell a stalled job from a slow one.
    public var progressMovedAt: UTCInstant? = nil
    public var usualStep: Double? = nil
    /// Its socket is refused and its state comes from REST polling: why (`WebSocket refused: HTTP 500`).
    public var polled: String? = nil
    /// Set on the rows a pane shows: seconds its progress has not moved (``stalled(at:)``).
    public var stalledFor: Int64? = nil

    /// Takes what an event or a REST snapshot says; a missing number keeps the one known.
    mutating func merge(
        type: String, status: JobStatus, progress: Double?, total: Int64?, processed: Int64?, succeeded: Int64?,
        failed: Int64?, currentItem: String?, error: String?, movedAt: UTCInstant? = nil
    ) {
        self.type = type
        self.status = status
        if progress != nil && progress != self.progress || processed != nil && processed != self.processed {
            if let at = movedAt, let before = progressMovedAt {
                let step = Double(at.microseconds - before.microseconds) / 1e6
                if step > 0 { usualStep = usualStep.map { 0.7 * $0 + 0.3 * step } ?? step }
            }
            progressMovedAt = movedAt ?? progressMovedAt
        } else if progressMovedAt == nil {
            progressMovedAt = movedAt
        }
        self.progress = progress ?? self.progress
        self.total = total ?? self.total
        self.processed = processed ?? self.processed
        self.succeeded = succeeded ?? self.succeeded
        self.failed = failed ?? self.failed
        self.currentItem = currentItem
        self.errorMessage = error ?? self.errorMessage
    }
}

extension JobRow {
    /// A running job whose progress has not moved for much longer than its steps usually take
    /// (at least 30 s): how long, in seconds; nil otherwise.
    public func stalled(at now: UTCInstant) -> Int64? {
        guard !isCampaign, status == .running, let moved = progressMovedAt else { return nil }
        let still = (now.microseconds - moved.microseconds) / 1_000_000
        let limit = max(30, Int64(3 * (usualStep ?? 10)))
        return still >= limit ? still : nil
    }
}

/// Sessions table columns, for `s`/`S`.
public enum SessionSort: Int, CaseIterable, Sendable {
    case bytesIn, bytesOut, rateIn, duration, user

    public var title: String {
        switch self {
        case .bytesIn: "bytes in"
        case .bytesOut: "bytes out"
        case .rateIn: "rate in"
        case .duration: "duration"
        case .user: "user"
        }
    }
}

/// What is drawn over the panes.
public enum Overlay: Sendable, Equatable {
    case none
    case help
    case detail(title: String, text: String)
    case connections
    /// A cancel waiting for `y`: captured when the dialog opened, so later updates cannot change its target.
    case confirmCancel(tenant: String, endpoint: Endpoint, id: String, type: String)
    /// An outage's ONUs, sorted, one selected: Enter jumps to its subscriber's sessions and tickets.
    case onuList(scope: OutageScope, sort: ONUListSort, selected: Int)
}

/// The columns an outage's ONU list sorts by (`s` cycles).
public enum ONUListSort: Int, CaseIterable, Sendable {
    case status, serial, since, dBm, subscriber
}

/// Where `b` goes back to after a jump from an outage's ONU list.
public struct JumpBack: Sendable, Equatable {
    public var focus: Pane
    public var sessionsFilter: String?
    public var ticketsFilter: String?
    public var list: Overlay
}
