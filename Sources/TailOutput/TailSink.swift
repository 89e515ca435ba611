import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import ServiceLifecycle
import UnixSignals

/// Where tail's events go: formats them, counts them, and decides when tail is done.
/// Used by one consumer task at a time.
public final class TailSink: @unchecked Sendable {
    /// Why tail stopped: the exit status follows from it (0, 2 or 1).
    public enum Outcome: Sendable, Equatable {
        /// `--count` reached, `--duration` over, or every stream ended normally.
        case finished
        /// A token was missing or rejected: one line says which.
        case authFailed(String)
        /// Every stream stopped and at least one of them abnormally.
        case failed(String)
        /// Standard output was closed by its reader (`| head -1`): nothing more to do (exit 0).
        case outputClosed
        /// A stop signal (SIGINT, SIGTERM) ended tail: what was queued is written, the count
        /// printed, and the exit status is 128 + the signal, as for any interrupted command.
        case interrupted(signal: Int32)
    }

    let format: TailFormat
    let limit: Int?
    let sources: [String: TokenSource]
    let streams: Int
    /// Standard output (events), buffered.
    public let writer: OutputBuffer
    /// Standard error (connection states, malformed frames, command outcomes): one line per call.
    let diagnostics: @Sendable (String) -> Void
    /// jsonl to a terminal escapes what a terminal would act on; to a pipe it is byte-exact.
    let stdoutIsTerminal: Bool
    /// Events written so far.
    public private(set) var total = 0
    /// Streams that ended for good: whether normally, and why.
    private var stopped: [String: (normal: Bool, why: String)] = [:]
    /// For the URL in the WebSocket-403 sentence.
    let catalogue: EndpointCatalogue?
    /// Whether any SSE stream was opened: only SSE can tell a rejected token from a wrong path.
    let hasSSE: Bool
    /// A rejected token or every stream stopped ends the output (`tail`); a replay goes on
    /// (a console's recording goes on after an auth failure it recovered from).
    let endsOnFailure: Bool
    /// Per tenant: an SSE stream of it was live (so a WebSocket 403 is not the token).
    private var sseLive: Set<String> = []
    /// WebSocket 403s waiting for an SSE stream of the same tenant to say whether it is the token.
    private var pending403: [String: [Endpoint]] = [:]

    /// - Parameters:
    ///   - limit: stop after this many events (`--count`).
    ///   - sources: where each tenant's token came from, for the authentication-failure line.
    ///   - streams: how many streams were opened: when that many have stopped, tail is done.
    ///   - writer: where events go (standard output by default).
    ///   - stdoutIsTerminal: whether jsonl must escape what a terminal would act on.
    ///   - diagnostics: where status lines go (standard error by default).
    ///   - catalogue: the endpoints' URLs, named in the WebSocket-403 sentence.
    ///   - hasSSE: whether SSE streams were opened too (they tell a bad token from a bad path).
    public init(
        format: TailFormat, limit: Int?, sources: [String: TokenSource], streams: Int,
        writer: OutputBuffer = OutputBuffer(), stdoutIsTerminal: Bool = isatty(1) == 1,
        diagnostics: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
        catalogue: EndpointCatalogue? = nil, hasSSE: Bool = true, endsOnFailure: Bool = true
    ) {
        self.endsOnFailure = endsOnFailure
        self.catalogue = catalogue
        self.hasSSE = hasSSE
        self.format = format
        self.limit = limit
        self.sources = sources
        self.streams = streams
        self.writer = writer
        self.stdoutIsTerminal = stdoutIsTerminal
        self.diagnostics = diagnostics
    }

    /// Runs `manager` and writes what it reports until tail is done: the count is reached, a
    /// token fails, every stream stopped, `duration` passed, or one of `stopSignals` arrived.
    /// Then whatever was still queued is written (up to the count), output is flushed, and with
    /// `--format count` the total printed.
    ///
    /// The manager, the follower and the signal watch are the services of one `ServiceGroup`:
    /// whichever ends first shuts the others down gracefully (the streams closed, the inbox
    /// finished).
    /// - Returns: why tail stopped.
    public func run(
        _ manager: ConnectionManager, duration: Duration? = nil, stopSignals: [UnixSignal] = []
    ) async
        -> Outcome
    {
        let follow = Follow(sink: self, inbox: manager.inbox, duration: duration)
        let signals = SignalWatch(stopSignals)
        let ends = ServiceGroupConfiguration.ServiceConfiguration.self
        var services = [
            ends.init(service: manager),
            ends.init(service: follow, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if !stopSignals.isEmpty {
            services.append(ends.init(service: signals, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, logger: Logger(label: "tail", factory: { _ in SwiftLogNoOpLogHandler() })))
        try? await group.run()
        _ = write(manager.inbox.drain())
        finish()
        if let signal = signals.caught { return .interrupted(signal: signal) }
        return follow.outcome ?? .finished
    }

    /// The end of the output: the total with `--format count`, and everything flushed.
    public func finish() {
        if format == .count { writer.write(Array("\(total)\n".utf8)) }
        writer.flush()
    }

    /// Reads the inbox until tail is done or `duration` passes; ends early on graceful shutdown.
    final class Follow: Service, @unchecked Sendable {
        let sink: TailSink
        let inbox: Inbox
        let duration: Duration?
        private let result = Locked<Outcome?>(nil)
        var outcome: Outcome? { result.withLock { $0 } }

        init(sink: TailSink, inbox: Inbox, duration: Duration?) {
            (self.sink, self.inbox, self.duration) = (sink, inbox, duration)
        }

        func run() async {
            let (sink, inbox, duration) = (self.sink, self.inbox, self.duration)
            let outcome = await cancelWhenGracefulShutdown {
                await withTaskGroup(of: Outcome?.self) { group in
                    group.addTask { await sink.consume(inbox) }
                    if let duration {
                        group.addTask {
                            try? await Task.sleep(for: duration)
                            return Task.isCancelled ? nil : .finished
                        }
                    }
                    return await firstResult(of: &group, otherwise: .finished)
                }
            }
            result.withLock { $0 = outcome }
        }
    }

    /// Ends when the first of `signals` arrives (and remembers which); nothing to watch, or a
    /// graceful shutdown, ends it quietly.
    final class SignalWatch: Service, @unchecked Sendable {
        let signals: [UnixSignal]
        private let first = Locked<Int32?>(nil)
        var caught: Int32? { first.withLock { $0 } }

        init(_ signals: [UnixSignal]) { self.signals = signals }

        func run() async {
            guard !signals.isEmpty else { return }
            let signals = self.signals
            let got = await cancelWhenGracefulShutdown { () async -> Int32? in
                for await signal in await UnixSignalsSequence(trapping: signals) { return signal.rawValue }
                return nil
            }
            first.withLock { $0 = got }
        }
    }

    /// Reads the inbox until the count is reached, auth fails, or every stream has stopped;
    /// output is flushed at least every 100 ms.
    public func consume(_ inbox: Inbox) async -> Outcome {
        // One ticker for the whole run (not a timer per wait: at 500k events/s a wait is a few
        // microseconds), so a quiet stream still gets its output flushed and a closed stdout noticed.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                inbox.wakeWaiter()
            }
        }
        defer { ticker.cancel() }
        while !Task.isCancelled {
            await inbox.waitForEvents()
            let batch = inbox.drain()
            let outcome = write(batch)
            inbox.recycle(consume batch)
            writer.flush()
            if let outcome { return outcome }
            if writer.readerGone() { return .outputClosed }
            if inbox.isFinished { return .finished }
        }
        return .finished
    }

    /// A stream ended for good; once every stream has, tail is done (failed if any ended abnormally).
    private func ended(_ stream: String, normal: Bool, why: String) -> Outcome? {
        stopped[stream] = (normal, why)
        guard stopped.count >= streams else { return nil }
        let abnormal = stopped.values.filter { !$0.normal }.map(\.why)
        return abnormal.isEmpty ? .finished : .failed("every stream stopped: \(abnormal.sorted().joined(separator: "; "))")
    }

    /// A WebSocket answered 403: the token if the tenant's SSE streams were rejected too (they
    /// end tail with exit 2 on their own), not the token if one of them is live; without SSE
    /// streams it cannot be told, so that stream ends as a failure.
    private func webSocket403(_ tenant: String, _ endpoint: Endpoint) -> Outcome? {
        if sseLive.contains(tenant) || !hasSSE { return notTheToken(tenant, endpoint) }
        pending403[tenant, default: []].append(endpoint)
        return nil
    }

    /// An SSE stream of `tenant` ended without rejecting the token: the WebSocket 403s waiting on
    /// it were not the token either.
    private func resolve403(_ tenant: String, after endpoint: Endpoint) -> Outcome? {
        guard endpoint.kind == .sse else { return nil }
        for ws in pending403.removeValue(forKey: tenant) ?? [] {
            if let done = notTheToken(tenant, ws) { return done }
        }
        return nil
    }

    private func notTheToken(_ tenant: String, _ endpoint: Endpoint) -> Outcome? {
        let url = catalogue?.url(for: endpoint) ?? endpoint.name
        let why =
            hasSSE
            ? "the SSE streams did not reject the token, so the path is wrong" : "the token was rejected or the path is wrong"
        return ended("\(tenant) \(endpoint)", normal: false, why: "\(endpoint): HTTP 403 from \(url): \(why) (check --base-path)")
    }

    /// Writes one batch; returns an outcome when tail should stop.
    public func write(_ batch: Inbox.Batch) -> Outcome? {
        if batch.dropped > 0 || batch.coalesced > 0 {
            diagnostics("realtime-dash: output fell behind: \(batch.dropped) events dropped, \(batch.coalesced) coalesced")
        }
        for e in batch.events {
            switch e {
            case .event(let tenant, _, let event):
                if let limit, total >= limit { return .finished }
                total += 1
                switch format {
                case .jsonl:
                    writer.write(JSONLine.safe(event.raw, terminal: stdoutIsTerminal))
                    writer.write([0x0A])
                case .text:
                    writer.write(Array((TextLine.format(tenant: tenant, event: event) + "\n").utf8))
                case .count:
                    break
                }
                if let limit, total >= limit { return .finished }
            case .status(let tenant, let endpoint, let s):
                if case .authFailed(403, _) = s, endpoint.kind == .webSocket {
                    // The backend answers 403 to an unknown WebSocket path too: only the SSE
                    // streams can say whether it is the token.
                    let url = catalogue?.url(for: endpoint) ?? endpoint.name
                    diagnostics(
                        TextLine.sanitize(
                            "[\(tenant) \(endpoint)] HTTP 403 from \(url): the token was rejected or there is no such endpoint (check --base-path)"
                        ))
                    if endsOnFailure, let done = webSocket403(tenant, endpoint) { return done }
                    continue
                }
                // The state's text carries what the server said (a close reason, an error): made safe.
                diagnostics(TextLine.sanitize("[\(tenant) \(endpoint)] \(s)"))
                guard endsOnFailure else { continue }
                if s == .live, endpoint.kind == .sse {
                    sseLive.insert(tenant)
                    for ws in pending403.removeValue(forKey: tenant) ?? [] {
                        if let done = notTheToken(tenant, ws) { return done }
                    }
                }
                switch s {
                case .authFailed(let status, _):
                    let source = sources[tenant].map { "the \($0)" } ?? "the token"
                    let what =
                        status == 0
                        ? "no token could be read from \(source)"
                        : "\(source) was rejected (HTTP \(status)): it is wrong or has expired"
                    return .authFailed("authentication failed for tenant \(tenant) on \(endpoint): \(what)")
                case .stopped(let reason):
                    if let done = resolve403(tenant, after: endpoint) { return done }
                    if let done = ended("\(tenant) \(endpoint)", normal: reason.isNormal, why: reason.description) { return done }
                case .gaveUp(let why):
                    if let done = resolve403(tenant, after: endpoint) { return done }
                    if let done = ended("\(tenant) \(endpoint)", normal: false, why: "\(endpoint): gave up: \(why)") {
                        return done
                    }
                default:
                    stopped["\(tenant) \(endpoint)"] = nil
                }
            case .malformed(let tenant, let endpoint, let reason, _):
                diagnostics("[\(tenant) \(endpoint)] malformed frame: \(TextLine.sanitize(reason))")
            case .command(let tenant, let endpoint, let command, let outcome):
                diagnostics("[\(tenant) \(endpoint)] \(command): \(outcome)")
            case .notice(let text):
                diagnostics("realtime-dash: \(TextLine.sanitize(text))")
            case .restarted(let r):
                // tail runs one ConnectionManager and never restarts it; said if it ever does.
                diagnostics("realtime-dash: \(TextLine.sanitize(r.note))")
            case .latency, .error, .jobSnapshot, .campaigns:
                break
            }
        }
        return nil
    }
}
