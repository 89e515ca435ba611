import CZlib
import RealtimeProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
