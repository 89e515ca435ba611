import ArgumentParser
import ConsoleRuntime
import DashSettings
import DashboardCore
import DashboardRender
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import Recording
import ServiceLifecycle
import TailOutput
import TerminalCurses

/// `realtime-dash replay FILE`: a recording made with `--record`, played through the same
/// parsers and reducer as the live console (or, with `--format`, printed as `tail` printed it).
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recording made with --record: in the console, or headless with --format.",
        discussion: """
            In the console: space pauses, + and - change the speed, ] and [ jump 10 s, g and G go to \
            the start and the end; job and campaign commands are refused. With --format the recording \
            is printed exactly as `tail` printed it (jsonl byte for byte) and connection states go to \
            standard error. --export writes the window --from/--to as a new recording.
            """
    )

    @Argument(help: "The recording (NDJSON, or gzip when it ends in .gz).")
    var file: String

    @Option(help: "Recording seconds per second: a number, or max (as fast as possible). Default 1 (headless: max).")
    var speed: String?

    @Option(help: "Headless: jsonl, text or count, as `tail` prints them.")
    var format: TailFormat?

    @Option(help: "Start here: 03:12:07 (UTC), +5m (from the start) or a full timestamp.")
    var from: String?

    @Option(help: "End here (same forms as --from).")
    var to: String?

    @Option(help: "Headless: stop after this many events.")
    var count: Int?

    @Option(help: "Write the window --from/--to as a new recording to this file (gzip when it ends in .gz).")
    var export: String?

    @Option(help: "Colours: auto, color, mono or light; NO_COLOR forces mono.")
    var theme: String?

    @Option(help: "Log file (default: log.file from the config).")
    var logFile: String?

    func validate() throws {
        if format != nil && export != nil { throw ValidationError("--format and --export do different things: use one") }
        if let speed, Self.speedValue(speed) == nil {
            throw ValidationError("--speed must be a positive number or max, not '\(speed)'")
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let theme, !Theme.names.contains(theme) {
            throw ValidationError("--theme must be one of \(Theme.names.joined(separator: ", ")), not '\(theme)'")
        }
    }

    static func speedValue(_ s: String) -> Double? {
        if s == "max" { return .infinity }
        guard let v = Double(s), v > 0, v.isFinite else { return nil }
        return v
    }

    func run() async throws {
        let recording: RecordingFile
        do { recording = try RecordingFile(path: expandTilde(file)) } catch { throw Self.fail(error.description) }
        guard let first = recording.start else { throw Self.fail("\(file) has a header but no frames: nothing was recorded") }
        func time(_ text: String?) throws -> UTCInstant? {
            guard let text else { return nil }
            switch ReplayTime.parse(text, start: first) {
            case .success(let t): return t
            case .failure(let e): throw Self.fail(e.description)
            }
        }
        let from = try time(self.from)
        let to = try time(self.to)
        if let from, let to, to < from { throw Self.fail("--to is before --from") }
        if let export {
            try exportWindow(recording, to: expandTilde(export), from: from, until: to)
        } else if let format {
            try headless(recording, format: format, from: from, until: to)
        } else {
            try await console(recording, from: from, until: to)
        }
    }

    /// The entries in the window: from the first at or after `from` to the last at or before `to`.
    static func window(_ r: RecordingFile, from: UTCInstant?, until: UTCInstant?) -> Range<Int> {
        let lo = from.map { r.index(atOrAfter: $0.microseconds) } ?? 0
        let hi = until.map { r.index(atOrAfter: $0.microseconds + 1) } ?? r.entries.count
        return lo..<max(lo, hi)
    }

    /// One sentence on standard error, exit status 1 (no usage text: the command line was fine).
    static func fail(_ line: String) -> ExitCode {
        say(line)
        return ExitCode(1)
    }

    /// One line on standard error; what came from the file (a kind, a tenant) is made safe.
    static func say(_ line: String) {
        FileHandle.standardError.write(Data("realtime-dash: \(TextLine.sanitize(line))\n".utf8))
    }

    /// Prints the recording as `tail` did: the same sink, fed the same events.
    func headless(_ r: RecordingFile, format: TailFormat, from: UTCInstant?, until: UTCInstant?) throws {
        signal(SIGPIPE, SIG_IGN)
        for p in r.problems { Self.say(p.line > 0 ? "recording line \(p.line): \(p.reason)" : "recording: \(p.reason)") }
        // Everything the recording holds is printed: an auth failure a console recovered from does
        // not end the replay.
        let sink = TailSink(format: format, limit: count, sources: [:], streams: .max, endsOnFailure: false)
        let pace = speed.flatMap(Self.speedValue) ?? .infinity
        let began = monotonicSeconds()
        var parser = SSEParser()
        var events: [ClientEvent] = []
        var outcome: TailSink.Outcome? = nil
        let range = Self.window(r, from: from, until: until)
        let origin = range.isEmpty ? 0 : r.entries[range.lowerBound].time
        frames: for i in range {
            if pace.isFinite {
                func due() -> Double { Double(r.entries[i].time - origin) / 1_000_000 / pace - (monotonicSeconds() - began) }
                if due() > 0.002 {
                    outcome = sink.write(Inbox.Batch(events: events))
                    events.removeAll(keepingCapacity: true)
                    sink.writer.flush()
                    // Waits in short steps: a reader that left (`| head`) ends the replay at once.
                    while outcome == nil, !sink.writer.readerGone(), due() > 0.002 {
                        Thread.sleep(forTimeInterval: min(due(), 0.25))
                    }
                    if outcome != nil || sink.writer.readerGone() { break frames }
                }
            }
            switch r.line(i) {
            case .success(.frame(let frame)): frame.clientEvents(into: &events, parser: &parser)
            case .success(.lost(_, let n)): Self.say("the recorder lost \(n) frames here (the disk was slower than the stream)")
            case .success(.header): break
            case .failure(let e): Self.say("recording \(e.description)")
            }
            if events.count >= 4096 {
                outcome = sink.write(Inbox.Batch(events: events))
                events.removeAll(keepingCapacity: true)
                if outcome != nil || sink.writer.readerGone() { break }
            }
        }
        if outcome == nil { outcome = sink.write(Inbox.Batch(events: events)) }
        sink.finish()
        try TailCommand.exit(outcome ?? .finished)
    }

    /// Writes the window as a recording of its own: the header, the last state of every stream
    /// before the window (so its replay shows the connections as they were), then its lines.
    func exportWindow(_ r: RecordingFile, to path: String, from: UTCInstant?, until: UTCInstant?) throws {
        let range = Self.window(r, from: from, until: until)
        var states: [String: Int] = [:]
        for i in 0..<range.lowerBound {
            if case .success(.frame(let f)) = r.line(i), case .client(.status(let tenant, let endpoint, _)) = f.body {
                states["\(tenant) \(endpoint.name)"] = i
            }
        }
        let header =
            r.header
            ?? Recording.Header(
                program: "realtime-dash \(RealtimeDash.version)", started: r.start ?? UTCInstant.now(), profile: nil, tenants: [],
                origin: "")
        do {
            let sink = try openRecordingSink(path)
            try sink.write(header.line)
            var n = 0
            var out: [UInt8] = []
            for i in states.values.sorted() + Array(range) {
                out += r.rawLine(i)
                out.append(0x0A)
                n += 1
                if out.count >= 1 << 20 {
                    try sink.write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            try sink.write(out)
            try sink.close()
            let span =
                range.isEmpty
                ? ""
                : " (\(UTCInstant(microseconds: r.entries[range.lowerBound].time).timeOfDay)–\(UTCInstant(microseconds: r.entries[range.upperBound - 1].time).timeOfDay) UTC)"
            Self.say("exported \(n) lines\(span) to \(path)")
        } catch {
            throw Self.fail("cannot export: \(error.description)")
        }
    }

    /// The console, fed from the recording.
    func console(_ r: RecordingFile, from: UTCInstant?, until: UTCInstant?) async throws {
        let env = ProcessInfo.processInfo.environment
        let dashConfig = (try? ClientSetup.loadConfig(ClientSetup.Options(), environment: env)) ?? DashConfig()
        let logger = ConsoleSetup.startLogging(logFile: logFile, config: dashConfig, label: "realtime-dash.replay")
        logger.info("replaying \(r.path): \(r.entries.count) lines")
        // Never coalesced: the replay waits for the console instead, so it shows what was kept live.
        let inbox = Inbox(capacity: 65_536, policy: .holdReads)
        let driver = ReplayDriver(
            file: r, inbox: inbox, speed: speed.flatMap(Self.speedValue) ?? 1, from: from, to: until,
            log: { logger.warning("\($0)") })
        let header = r.header
        var state = AppState(
            tenants: header?.tenants ?? [], historyLimit: dashConfig.history.limit, now: driver.position)
        state.profile = header?.profile
        state.origin = header?.origin ?? ""
        state.replay = driver.status
        ConsoleSetup.applyRules(dashConfig, to: &state)
        state.operatorName = env["USER"] ?? env["LOGNAME"] ?? "operator"
        // Acknowledgements made in a replay stay in it: the live console's acks.json is not touched.
        let stateDirectory = XDGPaths(environment: env).stateDirectory
        let files = LocalFiles(yankPath: stateDirectory + "/yank.json", osc52: dashConfig.ui.osc52, history: nil)
        state.flash = (
            "replaying \(LocalFiles.shown(r.path)) (\(header?.program ?? "unknown program")): space pauses, +/- speed, ]/[ 10 s, g/G start/end",
            UTCInstant(microseconds: driver.position.microseconds + 8_000_000)
        )
        let theme = self.theme ?? dashConfig.ui.theme
        let initial = state
        let fps = dashConfig.ui.fps
        driver.start()
        let console = ConsoleService { stop in
            try withTerminal(theme: theme, environment: env, mouse: false) { terminal in
                ConsoleLoop(
                    terminal: terminal, inbox: inbox, effects: driver, state: initial, fps: fps,
                    wallClock: { driver.position }, stop: stop, files: files, replay: driver
                ).run()
            }
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: console, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                ], logger: logger))
        try? await group.run()
        driver.stop()
        switch console.result {
        case .success(let signal)?:
            if signal != 0 { throw ExitCode(128 + signal) }
        case .failure(let error as TerminalError)?:
            Self.say(error.description)
            throw ExitCode(error.exitCode)
        case .failure(let error)?:
            Self.say("\(error)")
            throw ExitCode(1)
        case nil:
            throw ExitCode(1)
        }
    }
}
