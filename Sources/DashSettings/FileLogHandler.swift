import Foundation
import Logging

/// swift-log to a file: logs never reach the terminal while the console draws.
public struct FileLogHandler: LogHandler {
    /// The open log file, shared by every logger; writes are serialised by a lock.
    public final class Sink: @unchecked Sendable {
        let handle: FileHandle
        let lock = NSLock()
        init(handle: FileHandle) { self.handle = handle }
        public func write(_ line: String) {
            lock.lock()
            handle.write(Data(line.utf8))
            lock.unlock()
        }
    }

    let label: String
    let sink: Sink
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String, sink: Sink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(ISO8601DateFormatter().string(from: Date())) \(level) \(label): \(message)\(meta)\n")
    }

    /// Opens (appending) the log file, creating its directory; nil when it cannot be written.
    public static func sink(path: String) -> Sink? {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        h.seekToEndOfFile()
        return Sink(handle: h)
    }
}
