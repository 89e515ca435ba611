import ArgumentParser
import ConsoleRuntime
import DashSettings
import DashboardRender
import DashboardCore
import DemoBackend
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import Recording
import ServiceLifecycle
import Synchronization
import TerminalCurses

/// The `realtime-dash` command: the console by default, plus headless subcommands.
@main
struct RealtimeDash: AsyncParsableCommand {
    static let version = "0.2.0"

    static let configuration = CommandConfiguration(
        commandName: "realtime-dash",
        abstract: "A terminal NOC console for the DotMac realtime API (SSE and WebSocket).",
        discussion: """
            Watches ONU events, alerts, tickets, subscribers, RADIUS sessions and bulk jobs live, \
            per tenant. Tokens are read from a file or the REALTIME_DASH_TOKEN environment \
            variable, never from the command line. Try it: realtime-dash --demo
            """,
        version: version,
        subcommands: [
            TailCommand.self, ReplayCommand.self, DemoServerCommand.self, TokenCommand.self, InfoCommand.self, Bench.self,
        ]
    )

    @Flag(help: "Run against the embedded demo backend (started in-process on a free port).")
    var demo = false

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var recording: RecordOptions

    @Option(help: "A job id to watch whatever discovery finds (repeatable).")
    var job: [String] = []

    @Option(help: "Colours: auto, color, mono or light (for a light background); NO_COLOR forces mono.")
    var theme: String?

    @Option(help: "Log file (default: log.file from the config).")
    var logFile: String?

    @Flag(help: "Refuse cancel, pause and resume before any request (acknowledgements still work).")
    var readonly = false

    @Flag(
        help: "Use the mouse: click focuses and selects, a column title sorts, the wheel scrolls (Shift-drag then selects text).")
    var mouse = false

    func validate() throws {
        if let theme, !Theme.names.contains(theme) {
            throw ValidationError("--theme must be one of \(Theme.names.joined(separator: ", ")), not '\(theme)'")
        }
        if demo && (connection.apiURL != nil || connection.tokenFile != nil || connection.profile != nil) {
            throw ValidationError("--demo runs its own backend: drop --api-url, --token-file and --profile")
        }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        let dashConfig: DashConfig
        do {
            dashConfig =
                demo && connection.config == nil
                ? DashConfig() : try ClientSetup.loadConfig(connection.setupOptions, environment: env)
        } catch {
            throw ValidationError(error.description)
        }
        let logger = ConsoleSetup.startLogging(logFile: logFile, config: dashConfig, label: "realtime-dash")

        // One ServiceGroup runs the demo backend (with --demo), the connections and the console.
        // The console ends on q or a stop signal (its terminal guard owns SIGINT, SIGTERM and
        // SIGHUP: it restores the terminal and the exit status is 128 + the signal); its end shuts
        // the others down gracefully.
        let group = ServiceGroup(
            configuration: .init(services: [ServiceGroupConfiguration.ServiceConfiguration](), logger: logger))
        var running: Task<Void, any Error>? = nil
        var client: ClientConfiguration
        if demo {
            (client, running) = try await startDemo(in: group, logger: logger)
        } else {
            do {
                client = try ClientSetup.resolve(connection.setupOptions, config: dashConfig, environment: env)
            } catch {
                throw ValidationError(error.description)
            }
        }
        client.watchJobs += job
        for w in client.tokens.warnings(now: UTCInstant.now()) { logger.warning("\(w)") }

        let startProfile = demo ? nil : (connection.profile ?? dashConfig.profile)
        // --record FILE, or every session into ui.record_dir. What the recorder has to say (a
        // full disk) goes to the screen through the inbox, once it exists.
        let said = Mutex<Inbox?>(nil)
        let recordPath = try recording.record ?? dashConfig.ui.recordDirectory.map(RecordOptions.fileInDirectory)
        let recorder = try recording.start(
            path: recordPath, profile: startProfile, tenants: client.tenants, origin: client.catalogue.origin
        ) { problem in
            logger.error("\(problem)")
            said.withLock { $0 }?.push(.notice(problem))
        }
        if let recorder {
            client.inboxTap = recorder
            logger.info("recording to \(recorder.options.path)")
        }
        let build: ConnectionSwitch.Build
        if demo {
            build = { _ in throw ConfigError("the demo backend has no config file, profiles or token files to read again") }
        } else {
            build = Self.rebuild(
                options: connection.setupOptions, startProfile: startProfile, jobs: job, environment: env, logger: logger)
        }
        let connections = ConnectionSwitch(initial: client, logger: logger, build: build)
        said.withLock { $0 = connections.inbox }
        var state = AppState(tenants: client.tenants, historyLimit: dashConfig.history.limit, now: UTCInstant.now())
        state.profiles = dashConfig.profiles.map(\.name)
        state.origin = client.catalogue.origin
        if let startProfile {
            state.profile = startProfile
            state.accent = dashConfig.profiles.first { $0.name == startProfile }?.accent
        }
        state.bellOnCritical = dashConfig.ui.bellOnCritical
        ConsoleSetup.applyRules(dashConfig, to: &state)
        // Acknowledgements and silences are local to this console, kept across restarts.
        state.operatorName = env["USER"] ?? env["LOGNAME"] ?? "operator"
        let stateDirectory = XDGPaths(environment: env).stateDirectory
        let ackStore = AckStore(path: stateDirectory + "/acks.json")
        let history = HistoryStore(path: stateDirectory + "/history")
        state.commandHistory = history.load(limit: Commands.historyLimit)
        let files = LocalFiles(yankPath: stateDirectory + "/yank.json", osc52: dashConfig.ui.osc52, history: history)
        if readonly {
            state.readOnly = "--readonly"
        } else if dashConfig.ui.readOnly {
            state.readOnly = "config ui.read_only"
        } else if let p = startProfile, dashConfig.profiles.first(where: { $0.name == p })?.readOnly == true {
            state.readOnly = "profile \(p)"
        }
        var (book, problem) = ackStore.load()
        // What lapsed while no console ran is gone before anything is drawn.
        _ = book.expire(now: UTCInstant.now())
        state.acks = book
        if let problem {
            logger.warning("\(problem)")
            state.flash = (problem, UTCInstant(microseconds: UTCInstant.now().microseconds + 20_000_000))
        } else if let kept = book.keptSummary {
            logger.info("\(kept)")
            state.flash = (kept, UTCInstant(microseconds: UTCInstant.now().microseconds + 20_000_000))
        }
        state.insecureTLS = client.insecureTLS
        if client.insecureTLS {
            logger.warning(
                "TLS certificate verification is OFF (--insecure-skip-tls-verify): anyone on the path can read and change this session"
            )
        }
        let theme = self.theme ?? dashConfig.ui.theme
        let mouse = self.mouse || dashConfig.ui.mouse
        state.mouse = mouse
        let fps = dashConfig.ui.fps
        let initial = state
        let tokens: @Sendable () -> TokenStore = { connections.tokens }
        let console = ConsoleService { stop in
            try withTerminal(theme: theme, environment: env, mouse: mouse) { terminal in
                ConsoleLoop(
                    terminal: terminal, inbox: connections.inbox, effects: connections, state: initial, fps: fps, tokens: tokens,
                    stop: stop,
                    saveAcks: { book in
                        do { try ackStore.save(book) } catch { logger.error("acknowledgements not kept: \(error)") }
                    }, files: files
                ).run()
            }
        }
        await group.addServiceUnlessShutdown(connections)
        await group.addServiceUnlessShutdown(
            ServiceGroupConfiguration.ServiceConfiguration(
                service: console, successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup))
        let groupTask = running ?? Task { try await group.run() }
        // Wait for the console to end (q, a stop signal, or a group that ended without it); its
        // terminal is restored by then. The streams then get a few seconds to close, and the
        // process exits either way (a stuck connection must not hold the operator's shell).
        Task {
            _ = try? await groupTask.value
            console.noLongerExpected()
        }
        await console.ended()
        let closed = await DemoBackend.finished(Task { _ = try? await groupTask.value }, within: 5)
        if !closed { logger.warning("the connections did not close within 5 s of quitting; exiting anyway") }
        if let recorder {
            recorder.close()
            let (written, lost) = recorder.counts
            let files = recorder.files
            FileHandle.standardError.write(
                Data(
                    ("realtime-dash: recorded \(written) frames to \(files.joined(separator: ", "))"
                        + (lost > 0 ? " (\(lost) lost: the disk was slower than the stream)" : "") + "\n").utf8))
        }
        switch console.result {
        case .success(let signal)?:
            if signal != 0 { throw ExitCode(128 + signal) }
        case .failure(let error as TerminalError)?:
            FileHandle.standardError.write(Data("realtime-dash: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        case .failure(let error)?:
            FileHandle.standardError.write(Data("realtime-dash: \(error)\n".utf8))
            throw ExitCode(1)
        case nil:
            throw ExitCode(1)
        }
    }

    /// What `:profile NAME` and `:reload` (or SIGUSR1) run: the config file read again, the
    /// profile applied, token files read afresh by the new connections. The command line's
    /// connection options (`--api-url`, `--token-file`, `--ca-file`, `--insecure-skip-tls-verify`,
    /// `--job`) belong to the profile the console started with, and are dropped on a switch to
    /// another.
    static func rebuild(
        options start: ClientSetup.Options, startProfile: String?, jobs: [String], environment: [String: String],
        logger: Logger
    ) -> ConnectionSwitch.Build {
        let current = Mutex<String?>(startProfile)
        return { request in
            let asked: String?
            switch request {
            case .profile(let n): asked = n
            case .reload: asked = current.withLock { $0 }
            }
            var options = start
            if asked != startProfile {
                options = ClientSetup.Options()
                options.configPath = start.configPath
            }
            options.profile = asked
            let loaded = try ClientSetup.loadConfig(options, environment: environment)
            // What resolve applies: the profile asked for, else the config's default (a reload
            // may find one that was not there at start).
            let name = asked ?? loaded.profile
            let config = try loaded.applying(profile: name)
            var client = try ClientSetup.resolve(options, config: config, environment: environment)
            if name == startProfile { client.watchJobs += jobs }
            for w in client.tokens.warnings(now: UTCInstant.now()) { logger.warning("\(w)") }
            let profile: DashConfig.Profile? = name.flatMap { n in config.profiles.first { $0.name == n } }
            current.withLock { $0 = name }
            let what = name.map { "profile \($0)" } ?? "no profile"
            let note =
                request == .reload
                ? "reloaded (\(what)): config and token files read again, \(client.tenants.count) tenant(s), streams reopened"
                : "\(what): \(client.tenants.count) tenant(s) at \(client.catalogue.origin), streams reopened"
            return (
                client,
                Restart(
                    tenants: client.tenants, profile: name, accent: profile?.accent, readOnly: profile?.readOnly ?? false,
                    insecureTLS: client.insecureTLS, profiles: config.profiles.map(\.name), origin: client.catalogue.origin,
                    note: note)
            )
        }
    }

    /// Starts `group` with the demo backend in it, on a free port; returns the client
    /// configuration for it and the group's task.
    func startDemo(in group: ServiceGroup, logger: Logger) async throws -> (ClientConfiguration, Task<Void, any Error>) {
        var c = DemoBackend.Configuration()
        c.port = 0
        c.logger = logger
        let backend = DemoBackend(c)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        await group.addServiceUnlessShutdown(
            DemoBackendService(backend) { port in
                portContinuation.yield(port)
                portContinuation.finish()
            })
        let running = Task { try await group.run() }
        // A backend that cannot bind ends the group: the wait for its port ends with it.
        Task {
            _ = try? await running.value
            portContinuation.finish()
        }
        var it = ports.makeAsyncIterator()
        guard let port = await it.next() else { throw ValidationError("the demo backend could not start") }
        let dir = NSTemporaryDirectory() + "realtime-dash-demo-\(getpid())"
        try FileManager.default.createDirectory(
            atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var sources: [String: TokenSource] = [:]
        for tenant in backend.tenantIDs {
            let path = dir + "/\(tenant).token"
            try SecretFile.write(backend.mintToken(tenant: tenant, lifetime: 86_400) + "\n", to: path)
            sources[tenant] = .file(path)
            // A couple of bulk jobs from the start, so the jobs pane has something to control.
            for _ in 0..<2 { backend.createJob(tenant: tenant) }
        }
        let catalogue = try EndpointCatalogue(origin: "http://127.0.0.1:\(port)", basePath: backend.configuration.restBase)
        var client = ClientConfiguration(catalogue: catalogue, tenants: backend.tenantIDs, tokens: TokenStore(sources: sources))
        client.jobPollInterval = 5
        logger.info("demo backend on \(catalogue.origin)")
        return (client, running)
    }
}
