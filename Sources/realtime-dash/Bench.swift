import ArgumentParser
import DashBench
import Foundation
import RealtimeProtocol

/// `realtime-dash bench`: measures the hot paths. Meant for `swift run -c release`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the hot paths (run with swift run -c release).",
        discussion: """
            Scenarios: memory (RSS with 100k sessions and full histories), parse (SSE framing + event decoding), \
            decode-foundation (JSONDecoder baseline), ingest (reduce into AppState: session updates and an ONU storm), \
            render (one 200x60 frame), e2e (DemoBackend firehose over loopback through the client into AppState, SSE and \
            WebSocket, and `tail --format count`), idle (the console's CPU against a quiet backend), watch (the console's \
            CPU at 160x50 while the demo network sends about 350 events/s), scale (100 tenants and 700 connections in \
            one console: time to open them all, RSS, CPU idle and at 10,000 events/s, frame time), keys (key-to-frame \
            latency in a pseudo-terminal during a 50,000 events/s storm).
            """
    )

    @Argument(help: "Scenarios to run (default: all).")
    var scenarios: [String] = []

    @Flag(help: "Small sizes: a smoke check that finishes in seconds.")
    var quick = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Repetitions per scenario (the median is reported with min and max).")
    var repetitions: Int = 5

    func validate() throws {
        let known = BenchScenarios.all.map(\.name)
        for s in scenarios where !known.contains(s) {
            throw ValidationError("unknown scenario '\(s)'; choose from \(known.joined(separator: ", "))")
        }
        guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1") }
    }

    @Option(help: "Seconds the idle and watch scenarios measure (default 30; 3 with --quick).")
    var idleSeconds: Double?

    func run() async throws {
        let chosen = scenarios.isEmpty ? BenchScenarios.all : BenchScenarios.all.filter { scenarios.contains($0.name) }
        var results: [BenchResult] = []
        LiveBench.idleSeconds = idleSeconds ?? (quick ? 3 : 30)
        for s in chosen {
            if !json { FileHandle.standardError.write(Data("bench: \(s.name)…\n".utf8)) }
            results += try await s.run(quick, quick ? 1 : repetitions)
        }
        if json {
            print("[" + results.map(\.json).joined(separator: ",") + "]")
        } else {
            print(BenchResult.table(results))
        }
    }
}
