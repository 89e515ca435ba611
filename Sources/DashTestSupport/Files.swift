import DemoBackend
import Foundation

/// A fresh private directory (mode 0700) for token files, logs and recordings.
public func scratchDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "realtime-dash-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(
        atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return dir
}

/// Writes `token` and a newline to `path`, mode 0600.
public func writeToken(_ token: String, to path: String) throws {
    try SecretFile.write(token + "\n", to: path)
}

/// This process's own executable (the benchmark starts the console as a copy of itself).
public let selfExecutable: String = {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}()

/// The built `realtime-dash` binary, next to the test bundle (`swift build` puts both in one
/// folder).
public let realtimeDashBinary: String = {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let path = candidate.appendingPathComponent("realtime-dash").path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return dir.appendingPathComponent("realtime-dash").path
}()
