import Foundation
import RealtimeProtocol

/// The console's configuration file (`config.example.json` shows every option with its default).
///
/// Every key is optional and takes its default when absent; an unknown key is an error that
/// names it (a typo must not silently fall back to a default). Tokens are never in this file:
/// each tenant names a token file or an environment variable.
public struct DashConfig: Sendable, Equatable {
    /// The backend origin, `http(s)://host[:port]`.
    public var apiURL: String = "http://127.0.0.1:8000"
    /// The REST base path (PROTOCOL.md §1); the realtime base is `{base_path}/realtime`.
    public var basePath: String = EndpointCatalogue.defaultBasePath
    /// How the token is presented to SSE endpoints: `bearer` (header) or `cookie` (`access_token`).
    public var authScheme: AuthScheme = .bearer
    /// A CA bundle (PEM) for a private CA, added to the system trust store.
    public var caFile: String? = nil
    public var tenants: [Tenant] = []
    public var streams = Streams()
    public var reconnect = Reconnect()
    public var heartbeat = Heartbeat()
    public var jobs = Jobs()
    public var history = History()
    public var outages = Outages()
    public var alerts = Alerts()
    public var ui = UI()
    public var log = Log()
    /// Named backends (`--profile NAME`, `:profile NAME`): each replaces the connection settings
    /// above that it names; everything else is shared.
    public var profiles: [Profile] = []
    /// The profile used when `--profile` is not given (nil: the settings above, no profile).
    public var profile: String? = nil

    public init() {}

    /// A backend to watch: where it is, which tenants, how it looks, whether commands are allowed.
    public struct Profile: Sendable, Equatable {
        public var name: String
        public var apiURL: String? = nil
        public var basePath: String? = nil
        public var authScheme: AuthScheme? = nil
        public var caFile: String? = nil
        public var tenants: [Tenant]? = nil
        /// The colour its name is drawn in, so prod and lab never look alike.
        public var accent: String? = nil
        /// Refuse cancel, pause and resume while this profile is in use.
        public var readOnly = false

        public init(name: String) { self.name = name }

        public static let accents = ["red", "green", "yellow", "blue", "magenta", "cyan"]
    }

    /// This config with profile `name`'s connection settings in place of the top-level ones;
    /// nil: unchanged.
    public func applying(profile name: String?) throws(ConfigError) -> DashConfig {
        guard let name else { return self }
        guard let p = profiles.first(where: { $0.name == name }) else {
            throw ConfigError(
                profiles.isEmpty
                    ? "unknown profile '\(name)': the config has no profiles"
                    : "unknown profile '\(name)': \(profiles.map(\.name).joined(separator: ", "))")
        }
        var c = self
        c.apiURL = p.apiURL ?? apiURL
        c.basePath = p.basePath ?? basePath
        c.authScheme = p.authScheme ?? authScheme
        c.caFile = p.caFile ?? caFile
        c.tenants = p.tenants ?? tenants
        c.profile = name
        return c
    }

    /// The profile in use after ``applying(profile:)`` (nil: none).
    public var activeProfile: Profile? { profile.flatMap { name in profiles.first { $0.name == name } } }

    public enum AuthScheme: String, Sendable, Codable, CaseIterable { case bearer, cookie }

    public struct Tenant: Sendable, Equatable {
        /// The tenant's id, as in the token's `tenant_id` claim (used for display and filtering).
        public var id: String
        /// A file holding the JWT (read again on reconnect-all and when it changes).
        public var tokenFile: String?
        /// An environment variable holding the JWT.
        public var tokenEnv: String?

        public init(id: String, tokenFile: String? = nil, tokenEnv: String? = nil) {
            self.id = id
            self.tokenFile = tokenFile
            self.tokenEnv = tokenEnv
        }
    }

    public struct Streams: Sendable, Equatable {
        /// SSE streams opened per tenant.
        public var sse: [String] = Endpoint.defaultSSE.map(\.name)
        /// Also open the WebSocket sessions stream (SSE is preferred, PROTOCOL.md §6).
        public var wsSessions = false
        /// Use the combined `/events` stream instead of the five per-family streams.
        public var combinedEvents = false
        /// Job ids always watched, whether or not discovery finds them.
        public var jobs: [String] = []
        /// Discover dunning campaigns and open a socket for each active one.
        public var campaigns = true
        public init() {}
    }

    public struct Reconnect: Sendable, Equatable {
        public var initialDelaySeconds: Double = 1
        public var maxDelaySeconds: Double = 30
        public var multiplier: Double = 2
        /// Relative jitter: 0.2 means ±20 %.
        public var jitter: Double = 0.2
        /// A connection healthy this long resets the backoff.
        public var resetAfterSeconds: Double = 60
        /// `nil`: never give up (a NOC wall). 10 restores the web client's limit.
        public var maxAttempts: Int? = nil
        /// After an auth failure (401/403), retry this often; 0 = never (manual only).
        public var authRetrySeconds: Double = 120
        public init() {}
    }

    public struct Heartbeat: Sendable, Equatable {
        /// No bytes for this long marks an SSE stream stale (the backend pings every 15 s).
        public var staleAfterSeconds: Double = 35
        /// Application ping interval on WebSockets.
        public var wsPingIntervalSeconds: Double = 30
        /// Missed pongs before a WebSocket is declared dead.
        public var wsMissedPongs: Int = 2
        public init() {}
    }

    public struct Jobs: Sendable, Equatable {
        /// How often `GET /jobs?job_status=running|pending` is polled per tenant.
        public var pollIntervalSeconds: Double = 10
        /// A command with no ack within this time is reported as "no answer".
        public var commandTimeoutSeconds: Double = 5
        /// After a cancel ack, wait this long for `job.cancelled` before `POST /jobs/{id}/cancel`.
        public var cancelConfirmSeconds: Double = 10
        /// Keep a finished job's socket and row this long.
        public var lingerSeconds: Double = 60
        public init() {}
    }

    public struct History: Sendable, Equatable {
        /// Events kept per pane per tenant (the web client keeps 100).
        public var limit: Int = 100
        public init() {}
    }

    /// When offline ONUs make an outage.
    public struct Outages: Sendable, Equatable {
        /// A PON is in outage when this many of its ONUs went offline within `window_s`.
        public var minONUs = 5
        public var windowSeconds = 120.0
        /// An OLT when this many of its PONs are in outage, or this many of its ONUs went offline.
        public var minPONsOLT = 3
        public var minONUsOLT = 20
        public init() {}
    }

    /// When an alert group is flapping: raised and cleared `flap_count` times in `flap_window_s`.
    public struct Alerts: Sendable, Equatable {
        public var flapCount = 3
        public var flapWindowSeconds = 600.0
        public init() {}
    }

    public struct UI: Sendable, Equatable {
        /// Event-driven redraws a second, at most (keys are answered at once, whatever this is).
        /// 10: a busy network costs a third of what 30 did, and nobody reads rows faster.
        public var fps: Int = 10
        /// Ring the terminal bell on a new critical alert.
        public var bellOnCritical = false
        /// `auto`, `color`, `mono`. `NO_COLOR` in the environment forces `mono`.
        public var theme: String = "auto"
        /// `y` and `Y` also set the terminal's clipboard with OSC 52 (they always write
        /// `yank.json` in the state directory). Off: nothing is written to the terminal.
        public var osc52 = true
        /// Refuse cancel, pause and resume in every console this config starts (as `--readonly`).
        public var readOnly = false
        /// Clicks focus panes, select rows and sort columns; the wheel scrolls. Off by default:
        /// while the console takes the mouse, selecting text needs Shift-drag in most terminals.
        public var mouse = false
        /// Record every console session into this directory (`--record` names one file instead).
        public var recordDirectory: String? = nil
        public init() {}
    }

    public struct Log: Sendable, Equatable {
        /// Log file; `~` is expanded. Logs never go to the terminal while the console draws.
        public var file: String = "~/.local/state/realtime-dash/realtime-dash.log"
        /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
        public var level: String = "info"
        public init() {}
    }
}

// MARK: - Loading

/// A configuration problem, with a sentence an operator can act on.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension DashConfig {
    /// Decodes a configuration document. `source` names the file in error messages.
    public static func decode(_ data: Data, source: String = "config") throws(ConfigError) -> DashConfig {
        do {
            let config = try JSONDecoder().decode(DashConfig.self, from: data)
            try config.validate(source: source)
            return config
        } catch let error as ConfigError {
            throw ConfigError("\(source): \(error.description)")
        } catch let DecodingError.typeMismatch(type, context) {
            throw ConfigError("\(source): \(path(context.codingPath)) should be \(describe(type)). \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(type, context) {
            throw ConfigError("\(source): \(path(context.codingPath)) is null; it should be \(describe(type))")
        } catch let DecodingError.keyNotFound(key, context) {
            throw ConfigError("\(source): \(path(context.codingPath + [key])) is required")
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw ConfigError(
                "\(source): not valid JSON\(context.codingPath.isEmpty ? "" : " at " + path(context.codingPath)): \(underlying ?? context.debugDescription)"
            )
        } catch {
            throw ConfigError("\(source): \(error)")
        }
    }

    /// Reads and decodes a configuration file.
    public static func load(path: String) throws(ConfigError) -> DashConfig {
        let expanded = expandTilde(path)
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw ConfigError(
                "cannot read the config file \(expanded): it does not exist or is not readable (copy config.example.json there to start)"
            )
        }
        return try decode(data, source: expanded)
    }

    func validate(source: String) throws(ConfigError) {
        do {
            _ = try EndpointCatalogue(origin: apiURL, basePath: basePath)
        } catch {
            throw ConfigError("api_url: \(error.description)")
        }
        for name in streams.sse {
            do {
                let e = try Endpoint(name: name)
                guard e.kind == .sse else { throw EndpointError("'\(name)' is not an SSE stream") }
            } catch {
                throw ConfigError("streams.sse: \(error)")
            }
        }
        var names = Set<String>()
        for (i, p) in profiles.enumerated() {
            guard !p.name.isEmpty, !p.name.contains(" ") else {
                throw ConfigError("profiles[\(i)].name must be a word (no spaces), not '\(p.name)'")
            }
            guard names.insert(p.name).inserted else { throw ConfigError("profiles[\(i)]: profile '\(p.name)' is listed twice") }
            if let a = p.accent, !Profile.accents.contains(a) {
                throw ConfigError(
                    "profiles[\(i)] ('\(p.name)'): accent must be one of \(Profile.accents.joined(separator: ", ")), not '\(a)'")
            }
            var applied = self
            applied.profiles = []
            applied.profile = nil
            applied.apiURL = p.apiURL ?? apiURL
            applied.basePath = p.basePath ?? basePath
            applied.tenants = p.tenants ?? tenants
            do {
                try applied.validate(source: source)
            } catch {
                throw ConfigError("profile '\(p.name)': \(error.description)")
            }
        }
        if let profile, !names.contains(profile) {
            throw ConfigError(
                "profile '\(profile)' is not one of the profiles: \(profiles.isEmpty ? "there are none" : profiles.map(\.name).joined(separator: ", "))"
            )
        }
        var seen = Set<String>()
        for (i, t) in tenants.enumerated() {
            guard !t.id.isEmpty else { throw ConfigError("tenants[\(i)].id is empty") }
            guard seen.insert(t.id).inserted else { throw ConfigError("tenants[\(i)]: tenant '\(t.id)' is listed twice") }
            guard t.tokenFile != nil || t.tokenEnv != nil else {
                throw ConfigError("tenants[\(i)] ('\(t.id)') needs token_file or token_env")
            }
        }
        func positive(_ v: Double, _ name: String) throws(ConfigError) {
            guard v.isFinite, v > 0 else { throw ConfigError("\(name) must be a positive number of seconds, not \(v)") }
        }
        try positive(reconnect.initialDelaySeconds, "reconnect.initial_delay_s")
        try positive(reconnect.maxDelaySeconds, "reconnect.max_delay_s")
        guard reconnect.maxDelaySeconds >= reconnect.initialDelaySeconds else {
            throw ConfigError(
                "reconnect.max_delay_s (\(reconnect.maxDelaySeconds)) is below reconnect.initial_delay_s (\(reconnect.initialDelaySeconds))"
            )
        }
        guard reconnect.multiplier >= 1, reconnect.multiplier <= 10 else {
            throw ConfigError("reconnect.multiplier must be between 1 and 10")
        }
        guard reconnect.jitter >= 0, reconnect.jitter < 1 else {
            throw ConfigError("reconnect.jitter must be at least 0 and below 1 (0.2 = ±20 %)")
        }
        try positive(reconnect.resetAfterSeconds, "reconnect.reset_after_s")
        if let m = reconnect.maxAttempts, m < 1 {
            throw ConfigError("reconnect.max_attempts must be at least 1, or null for unlimited")
        }
        guard reconnect.authRetrySeconds >= 0, reconnect.authRetrySeconds.isFinite else {
            throw ConfigError("reconnect.auth_retry_s must be 0 (never) or more")
        }
        try positive(heartbeat.staleAfterSeconds, "heartbeat.stale_after_s")
        try positive(heartbeat.wsPingIntervalSeconds, "heartbeat.ws_ping_interval_s")
        guard heartbeat.wsMissedPongs >= 1 else { throw ConfigError("heartbeat.ws_missed_pongs must be at least 1") }
        try positive(jobs.pollIntervalSeconds, "jobs.poll_interval_s")
        try positive(jobs.commandTimeoutSeconds, "jobs.command_timeout_s")
        try positive(jobs.cancelConfirmSeconds, "jobs.cancel_confirm_s")
        guard jobs.lingerSeconds >= 0 else { throw ConfigError("jobs.linger_s must be 0 or more") }
        guard (1...1_000_000).contains(history.limit) else {
            throw ConfigError("history.limit must be between 1 and 1000000, not \(history.limit)")
        }
        guard outages.minONUs >= 1, outages.minPONsOLT >= 1, outages.minONUsOLT >= 1 else {
            throw ConfigError("outages.min_onus, outages.min_pons_olt and outages.min_onus_olt must be at least 1")
        }
        try positive(outages.windowSeconds, "outages.window_s")
        guard alerts.flapCount >= 2 else { throw ConfigError("alerts.flap_count must be at least 2, not \(alerts.flapCount)") }
        try positive(alerts.flapWindowSeconds, "alerts.flap_window_s")
        guard (1...240).contains(ui.fps) else { throw ConfigError("ui.fps must be between 1 and 240, not \(ui.fps)") }
        guard ["auto", "color", "mono", "light"].contains(ui.theme) else {
            throw ConfigError("ui.theme must be auto, color, mono or light, not '\(ui.theme)'")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(log.level) else {
            throw ConfigError("log.level '\(log.level)' is not one of trace, debug, info, notice, warning, error, critical")
        }
    }
}

/// Expands a leading `~` or `~/` to `$HOME`.
public func expandTilde(_ path: String) -> String {
    guard path == "~" || path.hasPrefix("~/") else { return path }
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    return home + path.dropFirst()
}

private func path(_ keys: [any CodingKey]) -> String {
    var s = ""
    for k in keys {
        if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
    }
    return s.isEmpty ? "the document" : s
}

private func describe(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Int.Type: "a whole number"
    case is Double.Type: "a number"
    default: "\(type)"
    }
}

// MARK: - Strict decoding

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

extension Decoder {
    /// Throws a ``ConfigError`` naming the first key of this object that `Keys` does not list.
    fileprivate func rejectUnknownKeys<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let container = try self.container(keyedBy: AnyKey.self)
        let known = Keys.allCases.map(\.stringValue)
        for key in container.allKeys where !known.contains(key.stringValue) {
            let where_ = path(codingPath + [key])
            let suggestion = known.min(by: { editDistance($0, key.stringValue) < editDistance($1, key.stringValue) })
            var message = "unknown key '\(where_)'"
            if let suggestion, editDistance(suggestion, key.stringValue) <= 3 { message += " (did you mean '\(suggestion)'?)" }
            message += "; known keys here: \(known.joined(separator: ", "))"
            throw ConfigError(message)
        }
    }
}

private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var prev = row[0]
        row[0] = i
        for j in 1...max(b.count, 1) where !b.isEmpty {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}

extension DashConfig: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiURL = "api_url", basePath = "base_path", authScheme = "auth_scheme", caFile = "ca_file"
        case tenants, streams, reconnect, heartbeat, jobs, history, outages, alerts, ui, log, profiles, profile
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        apiURL = try c.decodeIfPresent(String.self, forKey: .apiURL) ?? apiURL
        basePath = try c.decodeIfPresent(String.self, forKey: .basePath) ?? basePath
        if let s = try c.decodeIfPresent(String.self, forKey: .authScheme) {
            guard let scheme = AuthScheme(rawValue: s) else {
                throw ConfigError("auth_scheme must be bearer or cookie, not '\(s)'")
            }
            authScheme = scheme
        }
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        tenants = try c.decodeIfPresent([Tenant].self, forKey: .tenants) ?? tenants
        streams = try c.decodeIfPresent(Streams.self, forKey: .streams) ?? streams
        reconnect = try c.decodeIfPresent(Reconnect.self, forKey: .reconnect) ?? reconnect
        heartbeat = try c.decodeIfPresent(Heartbeat.self, forKey: .heartbeat) ?? heartbeat
        jobs = try c.decodeIfPresent(Jobs.self, forKey: .jobs) ?? jobs
        history = try c.decodeIfPresent(History.self, forKey: .history) ?? history
        outages = try c.decodeIfPresent(Outages.self, forKey: .outages) ?? outages
        alerts = try c.decodeIfPresent(Alerts.self, forKey: .alerts) ?? alerts
        ui = try c.decodeIfPresent(UI.self, forKey: .ui) ?? ui
        log = try c.decodeIfPresent(Log.self, forKey: .log) ?? log
        profiles = try c.decodeIfPresent([Profile].self, forKey: .profiles) ?? profiles
        profile = try c.decodeIfPresent(String.self, forKey: .profile)
    }
}

extension DashConfig.Profile: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, apiURL = "api_url", basePath = "base_path", authScheme = "auth_scheme", caFile = "ca_file", tenants
        case accent, readOnly = "read_only"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name))
        apiURL = try c.decodeIfPresent(String.self, forKey: .apiURL)
        basePath = try c.decodeIfPresent(String.self, forKey: .basePath)
        if let s = try c.decodeIfPresent(String.self, forKey: .authScheme) {
            guard let scheme = DashConfig.AuthScheme(rawValue: s) else {
                throw ConfigError("profile '\(name)': auth_scheme must be bearer or cookie, not '\(s)'")
            }
            authScheme = scheme
        }
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        tenants = try c.decodeIfPresent([DashConfig.Tenant].self, forKey: .tenants)
        accent = try c.decodeIfPresent(String.self, forKey: .accent)
        readOnly = try c.decodeIfPresent(Bool.self, forKey: .readOnly) ?? false
    }
}

extension DashConfig.Tenant: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case id, tokenFile = "token_file", tokenEnv = "token_env" }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
        tokenEnv = try c.decodeIfPresent(String.self, forKey: .tokenEnv)
    }
}

extension DashConfig.Streams: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case sse, wsSessions = "ws_sessions", combinedEvents = "combined_events", jobs, campaigns
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        sse = try c.decodeIfPresent([String].self, forKey: .sse) ?? sse
        wsSessions = try c.decodeIfPresent(Bool.self, forKey: .wsSessions) ?? wsSessions
        combinedEvents = try c.decodeIfPresent(Bool.self, forKey: .combinedEvents) ?? combinedEvents
        jobs = try c.decodeIfPresent([String].self, forKey: .jobs) ?? jobs
        campaigns = try c.decodeIfPresent(Bool.self, forKey: .campaigns) ?? campaigns
    }
}

extension DashConfig.Reconnect: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case initialDelaySeconds = "initial_delay_s", maxDelaySeconds = "max_delay_s", multiplier, jitter
        case resetAfterSeconds = "reset_after_s", maxAttempts = "max_attempts", authRetrySeconds = "auth_retry_s"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        initialDelaySeconds = try c.decodeIfPresent(Double.self, forKey: .initialDelaySeconds) ?? initialDelaySeconds
        maxDelaySeconds = try c.decodeIfPresent(Double.self, forKey: .maxDelaySeconds) ?? maxDelaySeconds
        multiplier = try c.decodeIfPresent(Double.self, forKey: .multiplier) ?? multiplier
        jitter = try c.decodeIfPresent(Double.self, forKey: .jitter) ?? jitter
        resetAfterSeconds = try c.decodeIfPresent(Double.self, forKey: .resetAfterSeconds) ?? resetAfterSeconds
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts)
        authRetrySeconds = try c.decodeIfPresent(Double.self, forKey: .authRetrySeconds) ?? authRetrySeconds
    }
}

extension DashConfig.Heartbeat: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case staleAfterSeconds = "stale_after_s", wsPingIntervalSeconds = "ws_ping_interval_s", wsMissedPongs = "ws_missed_pongs"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        staleAfterSeconds = try c.decodeIfPresent(Double.self, forKey: .staleAfterSeconds) ?? staleAfterSeconds
        wsPingIntervalSeconds = try c.decodeIfPresent(Double.self, forKey: .wsPingIntervalSeconds) ?? wsPingIntervalSeconds
        wsMissedPongs = try c.decodeIfPresent(Int.self, forKey: .wsMissedPongs) ?? wsMissedPongs
    }
}

extension DashConfig.Jobs: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case pollIntervalSeconds = "poll_interval_s", commandTimeoutSeconds = "command_timeout_s"
        case cancelConfirmSeconds = "cancel_confirm_s", lingerSeconds = "linger_s"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        pollIntervalSeconds = try c.decodeIfPresent(Double.self, forKey: .pollIntervalSeconds) ?? pollIntervalSeconds
        commandTimeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .commandTimeoutSeconds) ?? commandTimeoutSeconds
        cancelConfirmSeconds = try c.decodeIfPresent(Double.self, forKey: .cancelConfirmSeconds) ?? cancelConfirmSeconds
        lingerSeconds = try c.decodeIfPresent(Double.self, forKey: .lingerSeconds) ?? lingerSeconds
    }
}

extension DashConfig.History: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case limit }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        limit = try c.decodeIfPresent(Int.self, forKey: .limit) ?? limit
    }
}

extension DashConfig.Outages: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case minONUs = "min_onus", windowSeconds = "window_s", minPONsOLT = "min_pons_olt", minONUsOLT = "min_onus_olt"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        minONUs = try c.decodeIfPresent(Int.self, forKey: .minONUs) ?? minONUs
        windowSeconds = try c.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? windowSeconds
        minPONsOLT = try c.decodeIfPresent(Int.self, forKey: .minPONsOLT) ?? minPONsOLT
        minONUsOLT = try c.decodeIfPresent(Int.self, forKey: .minONUsOLT) ?? minONUsOLT
    }
}

extension DashConfig.Alerts: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case flapCount = "flap_count", flapWindowSeconds = "flap_window_s" }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        flapCount = try c.decodeIfPresent(Int.self, forKey: .flapCount) ?? flapCount
        flapWindowSeconds = try c.decodeIfPresent(Double.self, forKey: .flapWindowSeconds) ?? flapWindowSeconds
    }
}

extension DashConfig.UI: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case fps, bellOnCritical = "bell_on_critical", theme, osc52, readOnly = "read_only", mouse, recordDirectory = "record_dir"
    }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        fps = try c.decodeIfPresent(Int.self, forKey: .fps) ?? fps
        osc52 = try c.decodeIfPresent(Bool.self, forKey: .osc52) ?? osc52
        readOnly = try c.decodeIfPresent(Bool.self, forKey: .readOnly) ?? readOnly
        mouse = try c.decodeIfPresent(Bool.self, forKey: .mouse) ?? mouse
        recordDirectory = try c.decodeIfPresent(String.self, forKey: .recordDirectory)
        bellOnCritical = try c.decodeIfPresent(Bool.self, forKey: .bellOnCritical) ?? bellOnCritical
        theme = try c.decodeIfPresent(String.self, forKey: .theme) ?? theme
    }
}

extension DashConfig.Log: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable { case file, level }
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        file = try c.decodeIfPresent(String.self, forKey: .file) ?? file
        level = try c.decodeIfPresent(String.self, forKey: .level) ?? level
    }
}
