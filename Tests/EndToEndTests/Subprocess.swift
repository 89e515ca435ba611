import DashTestSupport
import Foundation

struct ProcessResult: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// The built `realtime-dash` binary as a child process, its output collected in files.
///
/// Started with ``Child`` (posix_spawn with every descriptor above 2 closed), not Foundation's
/// `Process`: a child must not hold copies of other tests' sockets.
final class Subprocess: Sendable {
    let child: Child
    let directory: String

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        directory = try scratchDirectory()
        child = try Child.spawn(
            [realtimeDashBinary] + arguments, environment: environment, stdout: directory + "/out",
            stderr: directory + "/err")
    }

    /// Waits for the exit (killing the process after `timeout` seconds).
    func wait(timeout: Double = 20) async -> ProcessResult {
        let status = await child.wait(timeout: timeout)
        let out = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/out"))) ?? Data()
        let err = (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: directory)
        return ProcessResult(status: status, stdout: Array(out), stderr: err)
    }
}
