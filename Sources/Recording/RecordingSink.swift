import CZlib
import RealtimeProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a recording's bytes go: a file, plain or gzip. The writer thread is its only user.
public protocol RecordingSink: AnyObject {
    /// Writes all of `bytes` (a gzip sink compresses them and writes what is ready).
    func write(_ bytes: UnsafeRawBufferPointer) throws(RecordingWriteError)
    /// Makes everything written so far readable from the file (a gzip sink flushes its
    /// compressor to a byte boundary), so a crash keeps it.
    func sync() throws(RecordingWriteError)
    /// Ends the file (a gzip sink writes its trailer) and closes it.
    func close() throws(RecordingWriteError)
    /// Bytes in the file so far (after compression).
    var size: Int64 { get }
}

extension RecordingSink {
    public func write(_ bytes: [UInt8]) throws(RecordingWriteError) {
        try write(slice: bytes[...])
    }

    public func write(slice: ArraySlice<UInt8>) throws(RecordingWriteError) {
        var failure: RecordingWriteError? = nil
        slice.withUnsafeBytes { raw in
            do { try write(raw) } catch { failure = error as? RecordingWriteError ?? RecordingWriteError("\(error)") }
        }
        if let failure { throw failure }
    }
}

public struct RecordingWriteError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The sink for `path`: gzip when the name ends in `.gz`.
public func openRecordingSink(_ path: String) throws(RecordingWriteError) -> any RecordingSink {
    path.hasSuffix(".gz") ? try GzipSink(path: path) : try FileSink(path: path)
}
