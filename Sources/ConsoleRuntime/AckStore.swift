import DashboardCore
import Foundation
import RealtimeProtocol

#if canImport(Glibc)
import Glibc
#endif

/// Where the console keeps its acknowledgements and silences: `acks.json` in the state
/// directory. Written whole to a temporary file that is flushed to disk and renamed over the
/// old one, so a crash mid-write leaves the old file or the new one, never half of either. A
/// file that cannot be read is set aside (renamed, never deleted) and said.
public struct AckStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The book in the file: empty when there is none; when the file is corrupt, empty with a
    /// sentence saying where the unreadable file was put.
    public func load(now: UTCInstant = .now()) -> (book: AckBook, problem: String?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (AckBook(), nil) }
        do {
            let book = try JSONDecoder().decode(AckBook.self, from: data)
            guard book.version == 1 else { throw AckStoreError("version \(book.version) is not one this console reads") }
            return (book, nil)
        } catch {
            let aside = path + ".corrupt-\(now.microseconds / 1_000_000)"
            let moved = rename(path, aside) == 0
            let why = (error as? AckStoreError)?.description ?? "not a valid acks file"
            return (
                AckBook(),
                moved
                    ? "\(path) could not be read (\(why)): set aside as \(aside); starting with no acknowledgements"
                    : "\(path) could not be read (\(why)) nor set aside; acknowledgements will not be kept"
            )
        }
    }

    /// Writes `book` atomically.
    public func save(_ book: AckBook) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try AtomicFile.write(Array(try encoder.encode(book)), to: path)
        } catch let error as AtomicFile.Failure {
            throw AckStoreError(error.description)
        }
    }
}

/// A file replaced whole: written to a temporary file beside it, flushed to disk and renamed
/// over the old one, so a crash mid-write leaves the old file or the new one, never half of
/// either. Its directory is made (mode 0700) when missing; the file is 0600.
public enum AtomicFile {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw Failure(description: "cannot make \(dir): \(error.localizedDescription)")
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

public struct AckStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
