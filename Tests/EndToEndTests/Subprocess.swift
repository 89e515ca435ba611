import DashTestSupport
import DashTestSupport
import Foundation

struct ProcessResult: Sendable {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// A child process with its output collected off the cooperative thread pool.
final class Subprocess: @unchecked Sendable {
    let process = Process()
    private let out = Pipe()
    private let err = Pipe()
    private let lock = NSLock()
    private var outData = Data()
    private var errData = Data()
    private let done = DispatchGroup()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: realtimeDashBinary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "REALTIME_DASH_TOKEN")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        for (pipe, isOut) in [(out, true), (err, false)] {
            done.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                self.lock.lock()
                if isOut { self.outData = data } else { self.errData = data }
                self.lock.unlock()
                self.done.leave()
            }
        }
        try process.run()
    }

    /// Waits for the exit (killing the process after `timeout` seconds).
    func wait(timeout: Double = 20) async -> ProcessResult {
        await withCheckedContinuation { (c: CheckedContinuation<ProcessResult, Never>) in
            DispatchQueue.global().async {
                let deadline = Date().addingTimeInterval(timeout)
                while self.process.isRunning && Date() < deadline { usleep(10_000) }
                if self.process.isRunning { self.process.terminate() }
                self.process.waitUntilExit()
                // The readers end at EOF; bounded in case something inherited the pipes.
                _ = self.done.wait(timeout: .now() + 5)
                self.lock.lock()
                let r = ProcessResult(
                    status: self.process.terminationStatus, stdout: Array(self.outData),
                    stderr: String(decoding: self.errData, as: UTF8.self))
                self.lock.unlock()
                c.resume(returning: r)
            }
        }
    }
}
