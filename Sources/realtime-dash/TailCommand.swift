import ArgumentParser
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol

/// `realtime-dash tail`: the headless client for scripts and for checking a backend.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Stream events to standard output (jsonl, text or a count); connection states go to standard error.",
        discussion: """
            Exit status: 0 when --count is reached, --duration ends or every stream ended normally; \
            2 on an authentication failure (one line says which token); 1 on other errors.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: "Endpoint to open (repeatable): onu-status, alerts, tickets, subscribers, radius-sessions, events, ws-sessions, job:<id>, campaign:<uuid>. Default: the five SSE streams.")
    var endpoint: [String] = []

    @Option(help: "Only this tenant (when the config lists several).")
    var tenant: String?

    @Option(help: "jsonl (each event's JSON exactly as received), text (one line per event) or count (the total at the end).")
    var format: Format = .jsonl

    @Option(help: "Stop after this many events.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, text, count }

    func validate() throws {
        for e in endpoint {
            do { _ = try Endpoint(name: e) } catch { throw ValidationError(error.description) }
        }
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() async throws {
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
                throw ValidationError("tenant '\(tenant)' is not configured; configured: \(client.tenants.joined(separator: ", "))")
            }
            client.tenants = [tenant]
        }
        let chosen = try (endpoint.isEmpty ? Endpoint.defaultSSE.map(\.name) : endpoint).map { try Endpoint(name: $0) }
        client.endpoints = chosen.filter { if case .job = $0 { false } else if case .campaign = $0 { false } else { true } }
        client.watchJobs = chosen.compactMap { if case .job(let id) = $0 { id } else { nil } }
        client.watchCampaigns = chosen.compactMap { if case .campaign(let id) = $0 { id } else { nil } }
        client.discoverJobs = false
        client.discoverCampaigns = false
        if client.insecureTLS {
            FileHandle.standardError.write(Data("realtime-dash: WARNING: TLS certificate verification is OFF (--insecure-skip-tls-verify): anyone on the path can read and change this stream\n".utf8))
        }
        for w in client.tokens.warnings(now: UTCInstant(secondsSinceEpoch: Date().timeIntervalSince1970)) {
            FileHandle.standardError.write(Data("realtime-dash: warning: \(w)\n".utf8))
        }

        let manager = ConnectionManager(configuration: client)
        let sink = TailSink(format: format, limit: count, sources: client.tokens.sources, streams: client.tenants.count * chosen.count)
        let outcome = try await withThrowingTaskGroup(of: TailSink.Outcome?.self) { group in
            group.addTask {
                await manager.run()
                return nil
            }
            group.addTask { await sink.consume(manager.inbox) }
            if let duration {
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(duration * 1000)))
                    return .finished
                }
            }
            var result = TailSink.Outcome.finished
            while let next = try await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            group.cancelAll()
            return result
        }
        // Whatever was still queued when we stopped is written too (up to --count).
        _ = sink.write(manager.inbox.drain())
        sink.writer.flush()
        if format == .count { print(sink.total) }
        switch outcome {
        case .finished: return
        case .authFailed(let line):
            FileHandle.standardError.write(Data("realtime-dash: \(line)\n".utf8))
            throw ExitCode(2)
        case .failed(let line):
            FileHandle.standardError.write(Data("realtime-dash: \(line)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Where tail's events go: formats them, counts them, and decides when tail is done.
/// Used by one consumer task at a time.
final class TailSink: @unchecked Sendable {
    enum Outcome: Sendable { case finished, authFailed(String), failed(String) }

    let format: TailCommand.Format
    let limit: Int?
    let sources: [String: TokenSource]
    let streams: Int
    let writer = StdoutWriter()
    /// jsonl to a terminal escapes what a terminal would act on; to a pipe it is byte-exact.
    let stdoutIsTerminal = isatty(1) == 1
    private(set) var total = 0
    private var stopped: [String: String] = [:]

    init(format: TailCommand.Format, limit: Int?, sources: [String: TokenSource], streams: Int) {
        self.format = format
        self.limit = limit
        self.sources = sources
        self.streams = streams
    }

    /// Reads the inbox until the count is reached, auth fails, or every stream has stopped;
    /// output is flushed at least every 100 ms.
    func consume(_ inbox: Inbox) async -> Outcome {
        while !Task.isCancelled {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await inbox.waitForEvents() }
                group.addTask { try? await Task.sleep(for: .milliseconds(100)) }
                await group.next()
                group.cancelAll()
            }
            let outcome = write(inbox.drain())
            writer.flush()
            if let outcome { return outcome }
            if inbox.isFinished { return .finished }
        }
        return .finished
    }

    /// Writes one batch; returns an outcome when tail should stop.
    func write(_ batch: Inbox.Batch) -> Outcome? {
        if batch.dropped > 0 || batch.coalesced > 0 {
            FileHandle.standardError.write(Data("realtime-dash: output fell behind: \(batch.dropped) events dropped, \(batch.coalesced) coalesced\n".utf8))
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
                FileHandle.standardError.write(Data("[\(tenant) \(endpoint)] \(s)\n".utf8))
                switch s {
                case .authFailed(let status, _):
                    let source = sources[tenant].map { "the \($0)" } ?? "the token"
                    let what = status == 0 ? "no token could be read from \(source)" : "\(source) was rejected (HTTP \(status)): it is wrong or has expired"
                    return .authFailed("authentication failed for tenant \(tenant) on \(endpoint): \(what)")
                case .stopped(let reason):
                    stopped["\(tenant) \(endpoint)"] = reason
                    if stopped.count >= streams {
                        let abnormal = stopped.values.filter { !$0.contains("job finished") && !$0.contains("204") }
                        return abnormal.isEmpty ? .finished : .failed("every stream stopped: \(abnormal.sorted().joined(separator: "; "))")
                    }
                default:
                    stopped["\(tenant) \(endpoint)"] = nil
                }
            case .malformed(let tenant, let endpoint, let reason, _):
                FileHandle.standardError.write(Data("[\(tenant) \(endpoint)] malformed frame: \(TextLine.sanitize(reason))\n".utf8))
            case .command(let tenant, let endpoint, let command, let outcome):
                FileHandle.standardError.write(Data("[\(tenant) \(endpoint)] \(command): \(outcome)\n".utf8))
            case .latency, .error, .jobSnapshot, .campaigns:
                break
            }
        }
        return nil
    }
}

/// One event's JSON as one jsonl line.
///
/// An event that decoded is valid JSON, so a control byte in it can only be whitespace between
/// tokens (a payload that arrived pretty-printed over several `data:` lines): those become spaces,
/// which keeps one event per line and changes no value. To a terminal, C1 controls, DEL, bidi
/// controls and invalid UTF-8 are also written as `\uXXXX` escapes (valid JSON, same value), so
/// nothing in an event can drive the operator's terminal; to a pipe or file the bytes are exact.
enum JSONLine {
    static func safe(_ raw: [UInt8], terminal: Bool) -> [UInt8] {
        var clean = true
        for b in raw where b < 0x20 || (terminal && b >= 0x7F) { clean = false; break }
        if clean { return raw }
        if !terminal {
            return raw.map { $0 < 0x20 ? 0x20 : $0 }
        }
        var out = ""
        out.reserveCapacity(raw.count + 16)
        for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20: out += " "
            case 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C, 0xFFFD:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return Array(out.utf8)
    }
}

/// Buffered standard output: written in large blocks, flushed by the caller (at least every
/// 100 ms and at exit), so a pipe or a file gets throughput and a terminal gets lines promptly.
final class StdoutWriter {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        var offset = 0
        while offset < buffer.count {
            let n = buffer[offset...].withUnsafeBytes { Foundation.write(1, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// `tail --format text`: one readable line per event, control characters made visible.
enum TextLine {
    static func format(tenant: String, event: Event) -> String {
        let t = event.timestamp.timeOfDay
        let detail: String
        switch event.payload {
        case .onu(let o):
            detail = "\(o.onuSerial) \(o.status)" + (o.signalDBm.map { String(format: " %.1f dBm", $0) } ?? "") + (o.oltID.map { " \($0)" } ?? "") + (o.ponPort.map { "/\($0)" } ?? "")
        case .session(let s):
            detail = "\(s.username) \(s.sessionID) \(s.framedIPAddress ?? "-") in=\(s.bytesIn.map(String.init) ?? "-") out=\(s.bytesOut.map(String.init) ?? "-")" + (s.terminateCause.map { " cause=\($0)" } ?? "")
        case .job(let j):
            detail = "\(j.jobID) \(j.jobType) \(j.status)" + (j.progressPercent.map { String(format: " %.1f%%", $0) } ?? "")
        case .ticket(let k):
            detail = "\(k.ticketNumber) [\(k.priority)] \(k.status) \(k.title)"
        case .alert(let a):
            detail = "\(a.severity.rawValue.uppercased()) \(a.source) \(a.alertType): \(a.message)"
        case .subscriber(let s):
            detail = "\(s.accountNumber) \(s.fullName) \(s.status)"
        case .unknown:
            detail = event.rawText
        }
        return sanitize("\(t) \(tenant) \(event.type.rawValue) \(detail)")
    }

    /// C0/C1 controls and bidi overrides become visible escapes; nothing raw reaches a terminal.
    static func sanitize(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
