import Foundation
import RealtimeProtocol

/// A pseudo-terminal: the master end read by a thread of its own, everything kept with the time
/// it arrived.
///
/// The reader waits in `poll` with a short timeout, never in a blocking `read`, so ``close()``
/// can stop it: it sets a flag, waits (bounded) for the reader to leave, and only then closes
/// the descriptor. Closing a descriptor that another thread still reads is a trap: the number
/// is reused at once (by a socket of a test running in parallel) and the reader would steal
/// that socket's bytes.
public final class PseudoTerminal: @unchecked Sendable {
    public let master: Int32
    public let slavePath: String
    private let lock = NSLock()
    private var output: [UInt8] = []
    /// (end offset in `output`, arrival time) for every read.
    private var arrivals: [(Int, Double)] = []
    private var stopping = false
    private var readerDone = false
    private var closed = false

    public init(cols: Int, rows: Int) throws {
        // posix_openpt/grantpt/unlockpt/ptsname are not exported to Swift on Linux; these are
        // what they do there: open the multiplexer, unlock the slave, ask for its number.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431 /* TIOCSPTLCK */, &unlock) == 0,
            ioctl(master, 0x8004_5430 /* TIOCGPTN */, &number) == 0
        else {
            throw HarnessError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        slavePath = "/dev/pts/\(number)"
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
        let thread = Thread { [self] in self.readLoop() }
        thread.start()
    }

    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        loop: while !shouldStop {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 1, 50)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            if fds[0].revents & Int16(POLLIN) == 0 {
                // POLLHUP with nothing to read: no process has the slave open (yet, or any more).
                // Keep waiting: a child may open it later; close() ends the loop.
                usleep(10_000)
                continue
            }
            let n = read(master, &buffer, buffer.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 {
                if n < 0 && errno == EIO {
                    usleep(10_000)
                    continue
                }
                break loop
            }
            let now = monotonicSeconds()
            lock.lock()
            output.append(contentsOf: buffer[0..<n])
            arrivals.append((output.count, now))
            lock.unlock()
        }
        lock.lock()
        readerDone = true
        lock.unlock()
    }

    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return output.count
    }

    /// Everything the program wrote so far.
    public var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return output
    }

    public func write(_ text: String) {
        var b = Array(text.utf8)
        _ = Foundation.write(master, &b, b.count)
    }

    /// When `marker` first appears at or after `offset`: the arrival time of the read that completed it.
    public func find(_ marker: [UInt8], from offset: Int) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard !marker.isEmpty, output.count >= offset + marker.count else { return nil }
        var i = max(0, offset)
        let last = output.count - marker.count
        while i <= last {
            if output[i] == marker[0] && output[i..<(i + marker.count)].elementsEqual(marker) {
                let end = i + marker.count
                return arrivals.first { $0.0 >= end }?.1
            }
            i += 1
        }
        return nil
    }

    /// Stops the reader (waiting at most 2 s for it), then closes the master. Safe to call twice.
    public func close() {
        lock.lock()
        if closed {
            lock.unlock()
            return
        }
        closed = true
        stopping = true
        lock.unlock()
        let deadline = monotonicSeconds() + 2
        while monotonicSeconds() < deadline {
            lock.lock()
            let done = readerDone
            lock.unlock()
            if done { break }
            usleep(2_000)
        }
        Foundation.close(master)
    }
}
