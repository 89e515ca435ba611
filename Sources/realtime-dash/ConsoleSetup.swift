import DashSettings
import DashboardCore
import Logging

/// What the live console and a replay set up alike.
enum ConsoleSetup {
    /// Sends every log to the config's log file (`--log-file` first), never to the terminal the
    /// console draws on; a file that cannot be opened means no logs at all.
    static func startLogging(logFile: String?, config: DashConfig, label: String) -> Logger {
        let sink = FileLogHandler.sink(path: expandTilde(logFile ?? config.log.file))
        LoggingSystem.bootstrap { label in
            guard let sink else { return SwiftLogNoOpLogHandler() }
            var h = FileLogHandler(label: label, sink: sink)
            h.logLevel = Logger.Level(rawValue: config.log.level) ?? .info
            return h
        }
        return Logger(label: label)
    }

    /// The config's rules for outages and flapping alert groups.
    static func applyRules(_ config: DashConfig, to state: inout AppState) {
        state.outages.rules.minONUs = config.outages.minONUs
        state.outages.rules.window = config.outages.windowSeconds
        state.outages.rules.minPONsOLT = config.outages.minPONsOLT
        state.outages.rules.minONUsOLT = config.outages.minONUsOLT
        state.flapRule.count = config.alerts.flapCount
        state.flapRule.window = config.alerts.flapWindowSeconds
    }
}
