import DashSettings
import NIOSSL
import RealtimeProtocol

/// Everything the ConnectionManager needs to know, resolved from the config file and options.
public struct ClientConfiguration: Sendable {
    public var catalogue: EndpointCatalogue
    /// Tenant ids, in display order; each has a token source in `tokens`.
    public var tenants: [String]
    public var tokens: TokenStore
    public var authScheme: DashConfig.AuthScheme = .bearer
    /// Streams opened for every tenant (SSE streams and `ws-sessions`).
    public var endpoints: [Endpoint] = Endpoint.defaultSSE
    /// Job ids always watched (on every tenant; a foreign one is closed with 1008 and stops).
    public var watchJobs: [String] = []
    /// Campaign ids always watched.
    public var watchCampaigns: [String] = []
    /// Poll `GET /jobs` and open a socket per active job.
    public var discoverJobs = true
    /// Poll the dunning campaigns and open a socket per active one.
    public var discoverCampaigns = true
    public var backoff = Backoff()
    /// After 401/403, re-check this often (seconds; 0 = only on reconnect or a token change).
    public var authRetry: Double = 120
    /// Stop a stream still failing (network errors, 5xx) this long after its first failure; nil = never.
    public var giveUpAfter: Double? = nil
    /// No bytes for this long: stale, reconnect.
    public var staleAfter: Double = 35
    /// WebSocket application ping interval.
    public var pingInterval: Double = 30
    public var missedPongs = 2
    public var jobPollInterval: Double = 10
    /// The sessions WebSocket subscribes again after this many seconds without an event: the
    /// backend stops forwarding 5 s after subscribing or after the last event (PROTOCOL.md §9),
    /// while still answering pings. nil: never (a backend that keeps forwarding).
    public var resubscribeQuietSessions: Double? = 4
    /// How often a job whose socket the backend refuses is read over REST instead.
    public var polledJobInterval: Double = 2
    /// How long a refused job socket is followed over REST before its upgrade is tried again.
    public var refusedSocketRetry: Double = 60
    public var commandTimeout: Double = 5
    public var cancelConfirm: Double = 10
    /// How often token sources are re-read for changes.
    public var tokenCheckInterval: Double = 2
    public var tls: TLSConfiguration? = nil
    /// How long an SSE connect may take before it counts as a failed attempt (so an outage
    /// shows as a retry, not an endless "connecting").
    public var connectTimeout: Duration = .seconds(5)
    /// Certificate verification is off (`--insecure-skip-tls-verify`): shown on screen, always.
    public var insecureTLS = false
    /// When the stream readers stop reading for a slow consumer (``Inbox/FullPolicy``).
    public var inboxPolicy: Inbox.FullPolicy = .coalesce
    /// Sees every event the connections report, before the inbox coalesces (`--record`).
    public var inboxTap: (any InboxTap)? = nil
    public var inboxCapacity = 65_536
    /// Entities (sessions, ONUs, jobs, alerts…) whose latest event may wait beyond `inboxCapacity`.
    public var inboxEntityCapacity = 131_072

    public init(catalogue: EndpointCatalogue, tenants: [String], tokens: TokenStore) {
        self.catalogue = catalogue
        self.tenants = tenants
        self.tokens = tokens
    }

    /// Applies the config file's reconnect, heartbeat and jobs sections.
    public mutating func apply(_ c: DashConfig) {
        backoff = Backoff(c.reconnect)
        authRetry = c.reconnect.authRetrySeconds
        staleAfter = c.heartbeat.staleAfterSeconds
        pingInterval = c.heartbeat.wsPingIntervalSeconds
        missedPongs = c.heartbeat.wsMissedPongs
        jobPollInterval = c.jobs.pollIntervalSeconds
        commandTimeout = c.jobs.commandTimeoutSeconds
        cancelConfirm = c.jobs.cancelConfirmSeconds
        authScheme = c.authScheme
        discoverCampaigns = c.streams.campaigns
        watchJobs = c.streams.jobs
    }
}
