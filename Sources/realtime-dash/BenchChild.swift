import DemoBackend
import Foundation

/// A child process started with posix_spawn (no Foundation `Process`: its exit detection and
/// signal mask are not what a benchmark of a terminal program wants).
final class Child: @unchecked Sendable {
    let pid: pid_t

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments` (an absolute path first); standard input from /dev/null, output to files
    /// or to a terminal when `terminal` names a pty's slave (then it also becomes the child's
    /// controlling terminal, in a session of its own).
    static func spawn(_ arguments: [String], environment: [String: String] = [:], stdout: String = "/dev/null",
                      stderr: String? = nil, terminal: String? = nil) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let terminal {
            posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            if stderr == stdout {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if terminal != nil { flags |= 0x80 }  // POSIX_SPAWN_SETSID (glibc), not exported to Swift
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "REALTIME_DASH_TOKEN")
        for (k, v) in environment { env[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        return Child(pid: pid)
    }

    private var reaped: (status: Int32, cpu: Double)?

    /// Reaps the child if it has exited (or, with `kill`, kills it first): its exit status (or
    /// 128 + signal) and the CPU seconds getrusage gives for its life; nil while it runs.
    private func reap(kill killIt: Bool = false) -> (status: Int32, cpu: Double)? {
        if let reaped { return reaped }
        var status: Int32 = 0
        var usage = rusage()
        if killIt {
            kill(pid, SIGKILL)
            wait4(pid, &status, 0, &usage)
        } else if wait4(pid, &status, WNOHANG, &usage) == 0 {
            return nil
        }
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        reaped = (code, cpu)
        return (code, cpu)
    }

    /// Waits on this thread for the exit (SIGKILL after `timeout` seconds); nil when it was killed.
    func waitBlocking(timeout: Double) -> Int32? {
        let deadline = monotonicSeconds() + timeout
        while true {
            if let r = reap() { return r.status }
            if monotonicSeconds() > deadline {
                _ = reap(kill: true)
                return nil
            }
            usleep(2_000)
        }
    }

    /// Waits for the exit (SIGKILL after `timeout` seconds); the exit status, or 128+signal.
    func wait(timeout: Double) async -> Int32 {
        await waitWithUsage(timeout: timeout).status
    }

    /// The exit status and the CPU seconds (user + system) getrusage reports for the child's life.
    func waitWithUsage(timeout: Double) async -> (status: Int32, cpu: Double) {
        let deadline = monotonicSeconds() + timeout
        while true {
            if let r = reap() { return r }
            if monotonicSeconds() > deadline { return reap(kill: true)! }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    var isRunning: Bool { reaped == nil && kill(pid, 0) == 0 }

    /// CPU seconds so far, summed over the child's threads (/proc schedstat, nanoseconds).
    func cpuSeconds() -> Double {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return 0 }
        var ns = 0.0
        for t in tasks {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/schedstat", encoding: .utf8),
               let first = text.split(separator: " ").first, let v = Double(first) { ns += v }
        }
        return ns / 1e9
    }

    /// Resident memory now, in MB (/proc status VmRSS).
    func rssMB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kb / 1024
        }
        return 0
    }
}

/// A pseudo-terminal: the master end read by a thread of its own, everything kept with the time
/// it arrived.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let slavePath: String
    private let lock = NSLock()
    private var output: [UInt8] = []
    /// (end offset in `output`, arrival time) for every read.
    private var arrivals: [(Int, Double)] = []
    private var closed = false

    init(cols: Int, rows: Int) throws {
        // posix_openpt/grantpt/unlockpt/ptsname are not exported to Swift on Linux; these are
        // what they do there: open the multiplexer, unlock the slave, ask for its number.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
              ioctl(master, 0x8004_5430 /* TIOCGPTN */, &number) == 0 else {
            throw BenchError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let thread = Thread { [self] in self.readLoop() }
        thread.start()
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(master, &buffer, buffer.count)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                break
            }
            let now = monotonicSeconds()
            lock.lock()
            output.append(contentsOf: buffer[0..<n])
            arrivals.append((output.count, now))
            lock.unlock()
        }
        lock.lock()
        closed = true
        lock.unlock()
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return output.count }

    /// Everything the program wrote so far.
    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return output }

    func write(_ text: String) {
        var b = Array(text.utf8)
        _ = Foundation.write(master, &b, b.count)
    }

    /// When `marker` first appears at or after `offset`: the arrival time of the read that completed it.
    func find(_ marker: [UInt8], from offset: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard output.count >= offset + marker.count else { return nil }
        var i = max(0, offset)
        let last = output.count - marker.count
        while i <= last {
            if output[i] == marker[0] && output[i..<(i + marker.count)].elementsEqual(marker) {
                let end = i + marker.count
                return arrivals.first { $0.0 >= end }?.1
            }
            i += 1
        }
        return nil
    }

    func close() { Foundation.close(master) }
}

/// This binary's console, in a pseudo-terminal, against a running DemoBackend.
final class ConsoleUnderTest: @unchecked Sendable {
    let terminal: PseudoTerminal
    let child: Child
    let directory: String

    private init(terminal: PseudoTerminal, child: Child, directory: String) {
        self.terminal = terminal
        self.child = child
        self.directory = directory
    }

    /// Starts the console with a token for t-01 in `directory`/token (mode 0600 unless `tokenMode`).
    static func start(server: RunningDemoBackend, cols: Int, rows: Int, extraArguments: [String] = [],
                      executable: String = selfExecutable, token: String? = nil, tokenMode: mode_t = 0o600) async throws -> ConsoleUnderTest {
        let dir = try scratchDirectory()
        let tokenFile = dir + "/token"
        try SecretFile.write(token ?? server.backend.mintToken(tenant: "t-01", lifetime: 3600), to: tokenFile)
        chmod(tokenFile, tokenMode)
        let terminal = try PseudoTerminal(cols: cols, rows: rows)
        let child = try Child.spawn([executable, "--api-url", server.origin, "--token-file", tokenFile, "--log-file", dir + "/log"] + extraArguments,
                                    environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"],
                                    terminal: terminal.slavePath)
        return ConsoleUnderTest(terminal: terminal, child: child, directory: dir)
    }

    var bytesWritten: Int { terminal.count }
    var tokenFile: String { directory + "/token" }
    var logFile: String { directory + "/log" }

    func send(_ key: String) { terminal.write(key) }

    func waitForScreen(timeout: Double, _ condition: (String) -> Bool) async throws {
        let deadline = monotonicSeconds() + timeout
        while monotonicSeconds() < deadline {
            if condition(String(decoding: terminal.bytes, as: UTF8.self)) { return }
            guard child.isRunning else { throw BenchError("the console exited early; log in \(directory)/log") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchError("the console did not show what was expected within \(timeout) s")
    }

    /// Writes `key` and waits for `marker` to come back from the console; milliseconds, or nil on timeout.
    func keyToFrame(_ key: String, marker: String, timeout: Double) async throws -> Double? {
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

    func cpuSeconds() -> Double { child.cpuSeconds() }
    func rssMB() -> Int { child.rssMB() }

    /// Presses q and waits for the exit; the CPU seconds getrusage gives for the whole life.
    func quit() async -> Double {
        terminal.write("q")
        return await child.waitWithUsage(timeout: 10).cpu
    }

    func stop() {
        if child.isRunning { kill(child.pid, SIGKILL) }
        terminal.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
