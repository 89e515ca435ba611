import Foundation
import RealtimeProtocol

/// A child process started with posix_spawn (no Foundation `Process`: its exit detection and
/// signal mask are not what a benchmark of a terminal program wants).
public final class Child: @unchecked Sendable {
    public let pid: pid_t

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments` (an absolute path first); standard input from /dev/null, output to files
    /// or to a terminal when `terminal` names a pty's slave (then it also becomes the child's
    /// controlling terminal, in a session of its own).
    public static func spawn(
        _ arguments: [String], environment: [String: String] = [:], stdout: String = "/dev/null",
        stderr: String? = nil, terminal: String? = nil
    ) throws -> Child {
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
        // Nothing else of this process reaches the child: a test process holds other tests'
        // listening sockets and connections, and a child (a tmux server above all) that inherits
        // them keeps them open after their owner closed them: ports that cannot be bound again,
        // streams that never end.
        closeInheritedDescriptors(&actions)
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
        guard rc == 0 else { throw HarnessError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
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
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        reaped = (code, cpu)
        return (code, cpu)
    }

    /// Waits on this thread for the exit (SIGKILL after `timeout` seconds); nil when it was killed.
    public func waitBlocking(timeout: Double) -> Int32? {
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
    public func wait(timeout: Double) async -> Int32 {
        await waitWithUsage(timeout: timeout).status
    }

    /// The exit status and the CPU seconds (user + system) getrusage reports for the child's life.
    public func waitWithUsage(timeout: Double) async -> (status: Int32, cpu: Double) {
        let deadline = monotonicSeconds() + timeout
        while true {
            if let r = reap() { return r }
            if monotonicSeconds() > deadline { return reap(kill: true)! }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    public var isRunning: Bool { reaped == nil && kill(pid, 0) == 0 }

    /// CPU seconds so far, summed over the child's threads (/proc schedstat, nanoseconds).
    public func cpuSeconds() -> Double {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return 0 }
        var ns = 0.0
        for t in tasks {
            if let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/schedstat", encoding: .utf8),
                let first = text.split(separator: " ").first, let v = Double(first)
            {
                ns += v
            }
        }
        return ns / 1e9
    }

    /// Resident memory now, in MB (/proc status VmRSS).
    public func rssMB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kb / 1024
        }
        return 0
    }
}

/// Adds "close every descriptor from 3 up" to `actions`: glibc's
/// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; not exported to Swift, so found
/// with dlsym), else one close action per descriptor open now (/proc/self/fd).
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") {
        let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
        if closeFrom(&actions, 3) == 0 { return }
    }
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap(Int32.init) where fd >= 3 {
        posix_spawn_file_actions_addclose(&actions, fd)
    }
}
