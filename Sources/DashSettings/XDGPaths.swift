import Foundation

/// Where realtime-dash keeps its files, by the XDG base-directory rules.
///
/// `$XDG_CONFIG_HOME` and `$XDG_STATE_HOME` when set and not empty, else `~/.config` and
/// `~/.local/state` under `$HOME` (or the account's home directory when `HOME` is unset).
public struct XDGPaths: Sendable, Equatable {
    /// `$XDG_CONFIG_HOME/realtime-dash`.
    public var configDirectory: String
    /// `$XDG_STATE_HOME/realtime-dash`: logs and other state that is not configuration.
    public var stateDirectory: String

    public init(environment: [String: String]) {
        func base(_ variable: String, _ fallback: String) -> String {
            if let value = environment[variable], !value.isEmpty { return value }
            return (environment["HOME"] ?? NSHomeDirectory()) + fallback
        }
        configDirectory = base("XDG_CONFIG_HOME", "/.config") + "/realtime-dash"
        stateDirectory = base("XDG_STATE_HOME", "/.local/state") + "/realtime-dash"
    }

    /// The default config file, `configDirectory/config.json`.
    public var configFile: String { configDirectory + "/config.json" }
}
