import ArgumentParser
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import Recording
import TailOutput
import UnixSignals

/// `realtime-dash tail`: the headless client for scripts and for checking a backend.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream events to standard output (jsonl, text or a count); connection states go to standard error.",
        discussion: """
            Exit status: 0 when --count is reached, --duration ends, every stream ended normally or \
            standard output was closed by its reader (`| head -1`); \
            2 on an authentication failure (one line says which token); 1 on other errors.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var recording: RecordOptions

    @Option(
        name: .long,
        help:
            "Endpoint to open (repeatable): onu-status, alerts, tickets, subscribers, radius-sessions, events, ws-sessions, job:<id>, campaign:<uuid>. Default: the five SSE streams."
    )
    var endpoint: [String] = []

    @Option(help: "Only this tenant (when the config lists several).")
    var tenant: String?

    @Option(help: "jsonl (each event's JSON exactly as received), text (one line per event) or count (the total at the end).")
    var format: TailFormat = .jsonl

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(
        name: .customLong("give-up-after"),
        help: "Stop retrying a stream that is still failing (network errors, 5xx) this many seconds after its first failure.")
    var giveUpAfter: Double?

    func validate() throws {
        for e in endpoint {
            do { _ = try Endpoint(name: e) } catch { throw ValidationError(error.description) }
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
        if let giveUpAfter, !(giveUpAfter > 0) { throw ValidationError("--give-up-after must be a positive number of seconds") }
    }

    func run() async throws {
        // A closed pipe is a write error to act on (exit 0 at once), never a signal mid-write.
        signal(SIGPIPE, SIG_IGN)
        let env = ProcessInfo.processInfo.environment
        var client: ClientConfiguration
        do {
            let config = try ClientSetup.loadConfig(connection.setupOptions, environment: env)
            client = try ClientSetup.resolve(connection.setupOptions, config: config, environment: env)
        } catch {
            throw ValidationError(error.description)
        }
        if let tenant {
            guard client.tenants.contains(tenant) else {
                throw ValidationError(
                    "tenant '\(tenant)' is not configured; configured: \(client.tenants.joined(separator: ", "))")
            }
            client.tenants = [tenant]
        }
        let chosen = try (endpoint.isEmpty ? Endpoint.defaultSSE.map(\.name) : endpoint).map { try Endpoint(name: $0) }
        client.endpoints = chosen.filter { if case .job = $0 { false } else if case .campaign = $0 { false } else { true } }
        client.watchJobs = chosen.compactMap { if case .job(let id) = $0 { id } else { nil } }
        client.watchCampaigns = chosen.compactMap { if case .campaign(let id) = $0 { id } else { nil } }
        client.discoverJobs = false
        client.discoverCampaigns = false
        // A script reads every event: a slow stdout holds the socket reads back instead of
        // coalescing (the console's choice, where the latest state matters most).
        client.inboxPolicy = .holdReads
        client.giveUpAfter = giveUpAfter
        // A token that cannot be read is said before any connection, in its own words.
        for tenant in client.tenants {
            do {
                _ = try client.tokens.token(for: tenant)
            } catch {
                FileHandle.standardError.write(Data("realtime-dash: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }
        if client.insecureTLS {
            FileHandle.standardError.write(
                Data(
                    "realtime-dash: WARNING: TLS certificate verification is OFF (--insecure-skip-tls-verify): anyone on the path can read and change this stream\n"
                        .utf8))
        }
        for w in client.tokens.warnings(now: UTCInstant.now()) {
            FileHandle.standardError.write(Data("realtime-dash: warning: \(w)\n".utf8))
        }

        let recorder = try recording.start(profile: connection.profile, tenants: client.tenants, origin: client.catalogue.origin)
        {
            FileHandle.standardError.write(Data("realtime-dash: \($0)\n".utf8))
        }
        if let recorder { client.inboxTap = recorder }
        defer {
            if let recorder {
                recorder.close()
                let (written, lost) = recorder.counts
                if lost > 0 {
                    FileHandle.standardError.write(
                        Data(
                            "realtime-dash: \(lost) frames not recorded (the disk was slower than the stream); \(written) were\n"
                                .utf8))
                }
            }
        }
        let manager = ConnectionManager(configuration: client)
        let sink = TailSink(
            format: format, limit: count, sources: client.tokens.sources, streams: client.tenants.count * chosen.count,
            catalogue: client.catalogue, hasSSE: chosen.contains { $0.kind == .sse })
        let outcome = await sink.run(
            manager, duration: duration.map { .milliseconds(Int64($0 * 1000)) }, stopSignals: [.sigint, .sigterm])
        try Self.exit(outcome)
    }

    /// The exit status (and last line) for why tail stopped; `replay --format` ends the same way.
    static func exit(_ outcome: TailSink.Outcome) throws {
        switch outcome {
        case .finished, .outputClosed: return
        case .interrupted(let signal): throw ExitCode(128 + signal)
        case .authFailed(let line):
            FileHandle.standardError.write(Data("realtime-dash: \(line)\n".utf8))
            throw ExitCode(2)
        case .failed(let line):
            FileHandle.standardError.write(Data("realtime-dash: \(line)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension TailFormat: ExpressibleByArgument {}
