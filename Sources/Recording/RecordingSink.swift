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

/// A file opened for a recording: created with mode 0600 (a recording is operational data),
/// never following a symlink at its name, truncated if it exists.
public final class FileSink: RecordingSink {
    let fd: Int32
    let path: String
    public private(set) var size: Int64 = 0

    public init(path: String) throws(RecordingWriteError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RecordingWriteError("cannot write \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RecordingWriteError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw RecordingWriteError("writing \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        size += Int64(bytes.count)
    }

    public func sync() throws(RecordingWriteError) {}

    public func close() throws(RecordingWriteError) {
        if Glibc.close(fd) != 0 { throw RecordingWriteError("closing \(path): \(String(cString: strerror(errno)))") }
    }
}

/// A gzip file: what is written is compressed (level 1: a recording is written while a storm
/// arrives) and each ``sync()`` flushes the compressor to a byte boundary, so a reader can
/// inflate everything up to the last sync of a file that was never closed.
public final class GzipSink: RecordingSink {
    let file: FileSink
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 256 << 10)
    public var size: Int64 { file.size }

    public init(path: String) throws(RecordingWriteError) {
        file = try FileSink(path: path)
        guard cz_deflate_init_gzip(&stream, 1) == Z_OK else { throw RecordingWriteError("zlib could not start") }
    }

    private func run(_ inp: UnsafeRawBufferPointer, flush: Int32) throws(RecordingWriteError) {
        var failure: RecordingWriteError? = nil
        do {
            stream.next_in = UnsafeMutablePointer(mutating: inp.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(inp.count)
            repeat {
                let produced: Int = out.withUnsafeMutableBytes { o in
                    stream.next_out = o.bindMemory(to: UInt8.self).baseAddress
                    stream.avail_out = UInt32(o.count)
                    _ = deflate(&stream, flush)
                    return o.count - Int(stream.avail_out)
                }
                if produced > 0 {
                    do { try file.write(slice: out[0..<produced]) } catch {
                        failure = error
                        break
                    }
                }
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        if let failure { throw failure }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RecordingWriteError) {
        try run(bytes, flush: Z_NO_FLUSH)
    }

    public func sync() throws(RecordingWriteError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
    }

    public func close() throws(RecordingWriteError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        deflateEnd(&stream)
        try file.close()
    }
}

/// The sink for `path`: gzip when the name ends in `.gz`.
public func openRecordingSink(_ path: String) throws(RecordingWriteError) -> any RecordingSink {
    path.hasSuffix(".gz") ? try GzipSink(path: path) : try FileSink(path: path)
}
