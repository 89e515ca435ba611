import DemoBackend
import Foundation
import RealtimeProtocol

/// This binary's console, in a pseudo-terminal, against a running DemoBackend.
public final class ConsoleUnderTest: @unchecked Sendable {
    public let terminal: PseudoTerminal
    public let child: Child
    public let directory: String

    private init(terminal: PseudoTerminal, child: Child, directory: String) {
        self.terminal = terminal
        self.child = child
        self.directory = directory
    }

    /// Starts the console with a token for t-01 in `directory`/token (mode 0600 unless `tokenMode`).
    public static func start(
        server: RunningDemoBackend, cols: Int, rows: Int, extraArguments: [String] = [],
        executable: String, token: String? = nil, tokenMode: mode_t = 0o600
    ) async throws -> ConsoleUnderTest {
        let dir = try scratchDirectory()
        let tokenFile = dir + "/token"
        try SecretFile.write(token ?? server.backend.mintToken(tenant: "t-01", lifetime: 3600), to: tokenFile)
        chmod(tokenFile, tokenMode)
        let terminal = try PseudoTerminal(cols: cols, rows: rows)
        let child = try Child.spawn(
            [executable, "--api-url", server.origin, "--token-file", tokenFile, "--log-file", dir + "/log"] + extraArguments,
            environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"],
            terminal: terminal.slavePath)
        return ConsoleUnderTest(terminal: terminal, child: child, directory: dir)
    }

    /// Starts the console with `config` (its tenants and token files) instead of one token.
    public static func start(config: String, cols: Int, rows: Int, executable: String) async throws -> ConsoleUnderTest {
        let dir = try scratchDirectory()
        let terminal = try PseudoTerminal(cols: cols, rows: rows)
        let child = try Child.spawn(
            [executable, "--config", config, "--log-file", dir + "/log"],
            environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "XDG_STATE_HOME": dir + "/state"],
            terminal: terminal.slavePath)
        return ConsoleUnderTest(terminal: terminal, child: child, directory: dir)
    }

    public var bytesWritten: Int { terminal.count }
    public var tokenFile: String { directory + "/token" }
    public var logFile: String { directory + "/log" }

    public func send(_ key: String) { terminal.write(key) }

    /// Waits until `condition` holds for everything the console wrote so far.
    /// - Throws: ``HarnessError`` naming `what` after `timeout` seconds, or when the console exited.
    public func waitForScreen(
        timeout: Double, _ what: String = "what was expected", _ condition: (String) -> Bool
    ) async throws {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            if condition(String(decoding: terminal.bytes, as: UTF8.self)) { return }
            guard child.isRunning else { throw HarnessError("the console exited early; log in \(directory)/log") }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The log outlives the test's scratch directory, for whoever reads the failure.
        let kept = NSTemporaryDirectory() + "realtime-dash-failed-\(child.pid).log"
        try? FileManager.default.copyItem(atPath: logFile, toPath: kept)
        let screen = String(decoding: terminal.bytes.suffix(4000), as: UTF8.self)
        try? screen.write(toFile: kept + ".screen", atomically: true, encoding: .utf8)
        throw HarnessError("the console did not show \(what) within \(timeout) s; its log is kept in \(kept)")
    }

    /// Writes `key` and waits for `marker` to come back from the console; milliseconds, or nil on timeout.
    public func keyToFrame(_ key: String, marker: String, timeout: Double) async throws -> Double? {
        let mark = terminal.count
        let t0 = monotonicSeconds()
        terminal.write(key)
        let m = Array(marker.utf8)
        while monotonicSeconds() - t0 < timeout {
            if let arrived = terminal.find(m, from: mark) { return (arrived - t0) * 1000 }
            try await Task.sleep(for: .microseconds(500))
        }
        return nil
    }

    public func cpuSeconds() -> Double { child.cpuSeconds() }
    public func rssMB() -> Int { child.rssMB() }

    /// Presses q and waits for the exit; the CPU seconds getrusage gives for the whole life.
    public func quit() async -> Double {
        terminal.write("q")
        return await child.waitWithUsage(timeout: 10).cpu
    }

    public func stop() {
        if child.isRunning { kill(child.pid, SIGKILL) }
        terminal.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
