import Foundation

/// Buffered output: written in large blocks, flushed by the caller (at least every 100 ms and
/// at exit), so a pipe or a file gets throughput and a terminal gets lines promptly.
///
/// Writes to a file descriptor (standard output by default) or, for tests, to a closure. When
/// the reader of a pipe goes away (`tail … | head -1`), the buffer says so (``isClosed``) and
/// drops the rest: SIGPIPE is ignored in this process (NIO ignores it), so a write to a closed
/// pipe fails with EPIPE instead of ending the process, and tail must act on it.
public final class OutputBuffer: @unchecked Sendable {
    private var buffer: [UInt8] = []
    private let fd: Int32?
    private let sink: (([UInt8]) -> Void)?
    /// Nothing more can be written: the reader closed the pipe, or the descriptor failed.
    public private(set) var isClosed = false

    /// Output to file descriptor `fd`.
    public init(fd: Int32 = 1) {
        self.fd = fd
        sink = nil
        buffer.reserveCapacity(1 << 16)
    }

    /// Output to `sink`, called with each flushed block.
    public init(sink: @escaping ([UInt8]) -> Void) {
        fd = nil
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ bytes: [UInt8]) {
        guard !isClosed else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        if let sink { return sink(buffer) }
        guard let fd, !isClosed else { return }
        var offset = 0
        while offset < buffer.count {
            let n = buffer[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                // A non-blocking descriptor that is full: wait until it drains (or its reader leaves).
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 1000)
            } else {
                isClosed = true  // EPIPE, or a descriptor that cannot be written at all
                return
            }
        }
    }

    /// Whether the reader went away, found without writing: the write end of a pipe whose
    /// reader closed polls as an error. (A terminal or a file never does.)
    public func readerGone() -> Bool {
        guard !isClosed, let fd else { return isClosed }
        var p = pollfd(fd: fd, events: 0, revents: 0)
        if poll(&p, 1, 0) == 1 && p.revents & Int16(POLLERR | POLLHUP) != 0 { isClosed = true }
        return isClosed
    }
}
