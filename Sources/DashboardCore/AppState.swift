import RealtimeProtocol

/// Everything the console shows, as a value. Changed only by ``reduce(_:_:)``.
public struct AppState: Sendable {
    public var tenants: [String]
    /// nil: all tenants.
    public var tenantFilter: String? = nil
    public var focus: Pane = .alerts
    public var zoomed = false
    public var overlay: Overlay = .none {
        didSet { if overlay != oldValue { overlayScroll = 0 } }
    }
    /// Lines scrolled in the overlay (back to the top whenever another overlay opens).
    public var overlayScroll = 0
    /// Typing a filter for the focused pane.
    public var editingFilter: String? = nil
    /// The focused pane's filter when `/` was pressed: Esc puts it back.
    public var filterBeforeEdit: String? = nil
    /// The mouse is on (`--mouse`, `ui.mouse`): the help says how to select text meanwhile.
    public var mouse = false
    /// The `:` command line being typed.
    public var commandLine: CommandPrompt? = nil
    /// Commands run before, oldest first (kept in the state directory's `history`).
    public var commandHistory: [String] = []
    /// A profile switch or reload asked for and not yet done (what it is): job commands wait.
    public var pendingSwitch: String? = nil
    /// The config's profiles by name, the one in use (nil: none) and its accent colour's name.
    public var profiles: [String] = []
    public var profile: String? = nil
    public var accent: String? = nil
    /// The backend the streams are connected to ("" until a restart says).
    public var origin = ""
    /// Why cancel, pause and resume are refused (`--readonly`, `profile lab`, `:readonly`); nil: they are not.
    public var readOnly: String? = nil
    /// Set while replaying a recording: the timeline; nil when live.
    public var replay: ReplayStatus? = nil
    /// When the per-second rates were last rolled over (ticks may come more often: a replay
    /// ticks before each batch).
    public var ratesRolledAt: UTCInstant? = nil
    /// The session whose detail was opened, and its bit rate since.
    public var sessionTrend: SessionTrend? = nil
    /// Why the query being typed does not parse (the last good one stays applied meanwhile).
    public var filterError: String? = nil
    public var filters: [Pane: String] = [:]
    /// The selected row's entity id, per pane (the selection follows the entity).
    public var selection: [Pane: RowID] = [:]
    /// The other panes' sorts (none: the pane's own order).
    public var sorts: [Pane: PaneSort] = [:]
    /// Lazy sort: rows stay still while the operator moves the selection (`L`).
    public var lazySort = false
    public var sortHold: [Pane: SortHold] = [:]
    public var sessionSort: SessionSort = .bytesIn
    public var sessionSortDescending = true
    public var historyLimit: Int
    public var bellOnCritical = false
    /// TLS certificate verification is off (`--insecure-skip-tls-verify`); the header says so.
    public var insecureTLS = false
    /// Standing warnings shown in the header until they no longer hold (token expiry, file mode).
    public var notices: [Notice] = []

    // Models
    public var onuHistory: [String: RingBuffer<Event>] = [:]
    /// Every ONU seen, and the outages they make (with their customer impact).
    public var outages = OutageTracker()
    /// When the flash line last announced an outage or a new critical alert (at most one per 10 s).
    public var lastAnnounced: UTCInstant? = nil
    public var alerts: [EntityKey: AlertRow] = [:] {
        didSet { alertsStamp = AlertDigest.nextStamp() }
    }
    /// Names this value of `alerts`, for the frame's ``AlertDigest`` (new with every change).
    private(set) var alertsStamp: UInt64 = 0
    public var alertsCleared = 0
    /// When each alert group was cleared lately (flapping: ``flapRule``).
    public var alertClears: [AlertGroupKey: [UTCInstant]] = [:]
    public var flapRule = FlapRule()
    /// Local acknowledgements and silences (kept in acks.json; the backend has none).
    public var acks = AckBook()
    /// Who acknowledges: the login user.
    public var operatorName = "operator"
    /// Set by a jump from an outage's ONU list to a subscriber: `b` goes back.
    public var jumpBack: JumpBack? = nil
    /// Typing the note of an acknowledgement.
    public var ackPrompt: (target: AckTarget, text: String)? = nil
    /// Jobs: finished jobs (completed, failed, cancelled) are hidden (`x` toggles).
    public var hideFinishedJobs = false
    public var tickets: [String: RingBuffer<Event>] = [:]
    public var subscribers: [String: RingBuffer<Event>] = [:]
    public var sessions = SessionTable()
    public var jobs: [EntityKey: JobRow] = [:]
    public var connections: [StreamID: ConnectionInfo] = [:]
    public var unknownEvents = 0
    public var malformed = 0
    public var dropped = 0
    public var coalesced = 0

    /// The view shown while frozen (ingest continues into the live state).
    public var frozen: FrozenView? = nil
    public var flash: (text: String, until: UTCInstant)? = nil
    public var now: UTCInstant
    public var size: (cols: Int, rows: Int) = (80, 24)

    public struct FrozenView: Sendable {
        public var state: Snapshot
        public var eventsSince = 0
    }

    /// The parts of the state a frozen view keeps.
    public struct Snapshot: Sendable {
        public var onuHistory: [String: RingBuffer<Event>]
        public var alerts: [EntityKey: AlertRow] {
            didSet { alertsStamp = AlertDigest.nextStamp() }
        }
        var alertsStamp: UInt64
        public var tickets: [String: RingBuffer<Event>]
        public var subscribers: [String: RingBuffer<Event>]
        public var sessions: SessionTable
        public var jobs: [EntityKey: JobRow]
        public var outages: OutageTracker
    }

    public init(tenants: [String], historyLimit: Int = 100, now: UTCInstant) {
        self.tenants = tenants
        self.historyLimit = historyLimit
        self.now = now
    }

    var snapshot: Snapshot {
        Snapshot(
            onuHistory: onuHistory, alerts: alerts, alertsStamp: alertsStamp, tickets: tickets, subscribers: subscribers,
            sessions: sessions, jobs: jobs, outages: outages)
    }

    /// What panes draw from: the frozen snapshot, or the live state.
    public var view: Snapshot { frozen?.state ?? snapshot }

    public func shows(_ tenant: String) -> Bool { tenantFilter == nil || tenantFilter == tenant }
}
