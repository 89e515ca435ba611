import ArgumentParser
import Foundation
import RealtimeProtocol

/// `realtime-dash bench`: measures the hot paths. Meant for `swift run -c release`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the hot paths (run with swift run -c release).",
        discussion: "Scenarios: parse (SSE framing + event decoding), decode-foundation (JSONDecoder baseline), ingest (reduce into AppState), render (one 200x60 frame)."
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

    func run() throws {
        let chosen = scenarios.isEmpty ? BenchScenarios.all : BenchScenarios.all.filter { scenarios.contains($0.name) }
        var results: [BenchResult] = []
        for s in chosen {
            results.append(s.run(quick, quick ? 1 : repetitions))
        }
        if json {
            print("[" + results.map(\.json).joined(separator: ",") + "]")
        } else {
            print(BenchResult.table(results))
        }
    }
}
