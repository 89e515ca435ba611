import ArgumentParser
import ConsoleRuntime
import DashSettings
import DashboardCore
import Foundation
import RealtimeClient
import RealtimeProtocol
import TerminalCurses

/// `realtime-dash info`: where everything is and whether it can be read, like `k9s info`.
/// Token values are never printed: only where each comes from and what its claims say of expiry.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the version, config, log and state files, profiles and token sources, and the terminal.")

    // The same options as the console (`--config` among them): ArgumentParser gives a
    // subcommand's option of the same name as the root's to the root otherwise.
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        print(Self.report(connection.setupOptions, environment: env, now: .now()), terminator: "")
        // A config named with --config that the console could not use: the console would refuse
        // to start (exit 64), so info does not exit 0 either.
        if let path = connection.config {
            do {
                _ = try DashConfig.load(path: path)
            } catch {
                throw ExitCode(64)
            }
        }
    }

    static func report(_ options: ClientSetup.Options, environment env: [String: String], now: UTCInstant) -> String {
        let configPath = options.configPath
        var out = "realtime-dash \(RealtimeDash.version)\n\n"
        // Every value goes through the terminal sanitiser: a tenant id or a claim can hold anything.
        func line(_ label: String, _ value: String) {
            let safe = TerminalSafety.replacingUnsafe(value) { u in "\\u{\(String(u.value, radix: 16))}" }
            out += label.padding(toLength: 13, withPad: " ", startingAt: 0) + safe + "\n"
        }
        let paths = XDGPaths(environment: env)

        // The config: which file, where it looked, whether it loads.
        let path = configPath.map(expandTilde) ?? paths.configFile
        var config = DashConfig()
        if FileManager.default.fileExists(atPath: path) {
            do {
                config = try DashConfig.load(path: path)
                line("config", "\(path) (read)")
            } catch {
                line("config", "\(path) (cannot be used: \(error.description))")
            }
        } else if configPath != nil {
            line("config", "\(path) (NOT found: the console refuses to start with it)")
        } else {
            line("config", "\(path) (not found; built-in defaults in use)")
        }
        line(
            "", configPath != nil ? "looked at: --config" : "looked at: --config, else $XDG_CONFIG_HOME/realtime-dash/config.json"
        )

        let log = expandTilde(config.log.file)
        line("log file", "\(log) (\(writable(file: log)))")
        let state = paths.stateDirectory
        line("state dir", "\(state) (\(writable(directory: state)))")
        for (name, what) in [("acks.json", "acknowledgements"), ("history", "command history"), ("yank.json", "last yank")] {
            let p = state + "/" + name
            line(
                "",
                "\(name): \(FileManager.default.fileExists(atPath: p) ? (readable(p) ? "readable" : "NOT readable") : "none yet") (\(what))"
            )
        }

        // What the command line changes: it wins over the config.
        var overrides: [String] = []
        if let p = options.profile { overrides.append("--profile \(p)") }
        if let u = options.apiURL { overrides.append("--api-url \(u)") }
        if let b = options.basePath { overrides.append("--base-path \(b)") }
        if let c = options.caFile {
            overrides.append("--ca-file \(c) (\(readable(expandTilde(c)) ? "readable" : "NOT readable"))")
        }
        if options.insecureSkipTLSVerify { overrides.append("--insecure-skip-tls-verify: TLS certificates NOT verified") }
        if let t = options.tokenFile {
            overrides.append(
                "--token-file: \(TokenSource.file(t)) (\(tokenState(.file(t), env: env, now: now))), instead of the tenants' tokens"
            )
        } else if let v = env[ClientSetup.tokenVariable], !v.isEmpty {
            overrides.append("\(ClientSetup.tokenVariable) is set (\(claimsState(v, now: now))), instead of the tenants' tokens")
        }
        if let p = options.profile, !config.profiles.contains(where: { $0.name == p }) {
            overrides.append("--profile \(p) is NOT a profile of the config")
        }
        if !overrides.isEmpty { out += "\n" }
        for (i, o) in overrides.enumerated() { line(i == 0 ? "command line" : "", o) }

        // Profiles and tenants: where each token comes from, and whether it can be read.
        out += "\n"
        let profiles: [String?] = config.profiles.isEmpty ? [nil] : config.profiles.map(\.name)
        if config.profiles.isEmpty { line("profiles", "none in the config") }
        for name in profiles {
            let applied = (try? config.applying(profile: name)) ?? config
            if let name {
                var title = name
                if name == (options.profile ?? config.profile) { title += options.profile == nil ? " (default)" : " (chosen)" }
                if let p = applied.activeProfile {
                    if let a = p.accent { title += ", accent \(a)" }
                    if p.readOnly { title += ", read-only" }
                }
                line(name == profiles.first ? "profiles" : "", title)
            }
            let indent = name == nil ? "" : "  "
            line(
                name == nil ? "backend" : "",
                "\(indent)backend \(applied.apiURL), base path \(applied.basePath)\(applied.caFile.map { ", CA file \($0) (\(readable(expandTilde($0)) ? "readable" : "NOT readable"))" } ?? "")"
            )
            if applied.tenants.isEmpty {
                line(
                    name == nil ? "tenants" : "",
                    "\(indent)no tenants in the config (the console then needs --token-file or \(ClientSetup.tokenVariable))")
            }
            for (i, t) in applied.tenants.enumerated() {
                let source: TokenSource = t.tokenFile.map { .file($0) } ?? .environment(t.tokenEnv ?? "")
                line(
                    name == nil && i == 0 ? "tenants" : "",
                    "\(indent)\(t.id): \(source) (\(tokenState(source, env: env, now: now)))")
            }
        }

        // The terminal.
        out += "\n"
        let term = env["TERM"] ?? ""
        let facts = TerminalFacts.probe(term: term)
        line(
            "terminal",
            term.isEmpty
                ? "TERM not set (the console needs one; tail does not)"
                : "TERM=\(term) (\(facts.known ? "known to curses" : "NOT known to curses"))")
        line("", "colours: \(facts.known ? String(facts.colors) : "?")\(env["NO_COLOR"] != nil ? " (NO_COLOR set: mono)" : "")")
        line("", "UTF-8: \(facts.utf8 ? "yes" : "no (ASCII look-alikes are drawn)") (codeset \(facts.codeset))")
        line(
            "",
            "standard input/output: \(isatty(0) == 1 && isatty(1) == 1 ? "a terminal" : "not a terminal (the console needs one)")"
        )
        return out
    }

    static func readable(_ path: String) -> Bool { FileManager.default.isReadableFile(atPath: path) }

    static func writable(file path: String) -> String {
        if FileManager.default.fileExists(atPath: path) {
            return FileManager.default.isWritableFile(atPath: path) ? "writable" : "NOT writable"
        }
        return writable(directory: (path as NSString).deletingLastPathComponent, creating: "created on first use")
    }

    static func writable(directory path: String, creating: String = "created on first use") -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { return "NOT a directory" }
            return FileManager.default.isWritableFile(atPath: path) ? "writable" : "NOT writable"
        }
        return creating
    }

    /// Whether a token can be read and what its claims say of expiry; never the token.
    static func tokenState(_ source: TokenSource, env: [String: String], now: UTCInstant) -> String {
        switch source {
        case .environment(let name):
            guard let v = env[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return "NOT set" }
            return "set, " + claimsState(v, now: now)
        case .file(let p):
            let path = expandTilde(p)
            var st = stat()
            guard stat(path, &st) == 0 else { return "NOT found" }
            guard let data = FileManager.default.contents(atPath: path) else { return "NOT readable" }
            let mode = Int(st.st_mode) & 0o777
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let modeText =
                mode & 0o077 != 0
                ? "mode \(String(mode, radix: 8)): readable by others, chmod 600" : "mode \(String(mode, radix: 8))"
            return token.isEmpty ? "readable, EMPTY, \(modeText)" : "readable, \(modeText), " + claimsState(token, now: now)
        }
    }

    static func claimsState(_ token: String, now: UTCInstant) -> String {
        guard let claims = JWTClaims.decodeUnverified(token) else { return "not a JWT the console can read" }
        let left = claims.expiresAt - Int64(now.secondsSinceEpoch)
        let tenant = claims.tenantID.map { "tenant_id \($0), " } ?? ""
        return left <= 0 ? "\(tenant)EXPIRED \(Self.span(-left)) ago" : "\(tenant)expires in \(Self.span(left))"
    }

    static func span(_ seconds: Int64) -> String {
        seconds >= 86_400
            ? "\(seconds / 86_400)d \(seconds % 86_400 / 3600)h"
            : seconds >= 3600 ? "\(seconds / 3600)h \(seconds % 3600 / 60)m" : seconds >= 60 ? "\(seconds / 60)m" : "\(seconds)s"
    }
}
