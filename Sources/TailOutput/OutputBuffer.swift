import Foundation

/// Buffered output: written in large blocks, flushed by the caller (at least every 100 ms and
/// at exit), so a pipe or a file gets throughput and a terminal gets lines promptly.
///
/// Writes to a file descriptor (standard output by default) or, for tests, to a closure.
public final class OutputBuffer: @unchecked Sendable {
    private var buffer: [UInt8] = []
    private let sink: ([UInt8]) -> Void

    /// Output to file descriptor `fd`; a write that fails (a closed pipe) drops the rest.
    public convenience init(fd: Int32 = 1) {
        self.init { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                offset += n
            }
        }
    }

    /// Output to `sink`, called with each flushed block.
    public init(sink: @escaping ([UInt8]) -> Void) {
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        sink(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
