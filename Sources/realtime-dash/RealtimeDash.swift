import ArgumentParser
import RealtimeProtocol

/// The `realtime-dash` command: the console by default, plus headless subcommands.
@main
struct RealtimeDash: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "realtime-dash",
        abstract: "A terminal NOC console for the DotMac realtime API (SSE and WebSocket).",
        discussion: """
            Watches ONU events, alerts, tickets, subscribers, RADIUS sessions and bulk jobs live, \
            per tenant. Tokens are read from a file or the REALTIME_DASH_TOKEN environment \
            variable, never from the command line.
            """,
        version: version,
        subcommands: [TailCommand.self, DemoServerCommand.self, TokenCommand.self, Bench.self]
    )

    func run() async throws {
        // The console arrives with the console issue; until then, say what exists.
        print(RealtimeDash.helpMessage())
    }
}
