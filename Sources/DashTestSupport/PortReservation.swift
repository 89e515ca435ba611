import Foundation

/// A loopback port held for a test: bound (with SO_REUSEADDR) but not listening.
///
/// While it is held, nothing else in the machine is given this port (neither a `port 0` server
/// of a test running in parallel nor a client's ephemeral source port), and a connection to it
/// is refused at once, as to a server that is down. A DemoBackend can still listen on it
/// (Hummingbird binds with SO_REUSEADDR too, and Linux allows that while no other socket
/// listens), so a test can take a server down and bring it back on the same port without
/// racing other tests for it. ``release()`` when the test is done.
public final class PortReservation: @unchecked Sendable {
    public let port: Int
    public let host: String
    private var fd: Int32

    /// - Parameter host: the loopback address to hold the port on. A test that takes a server
    ///   down and up again uses an address of its own (127.0.0.2, 127.0.0.3, …): every backend
    ///   binds with SO_REUSEADDR, and the kernel may hand a reserved port to another `port 0`
    ///   bind on the same address.
    public init(host: String = "127.0.0.1") throws {
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr(host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            let reason = String(cString: strerror(errno))
            Foundation.close(fd)
            throw HarnessError("cannot reserve a loopback port: \(reason)")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Gives the port back. Safe to call twice.
    public func release() {
        if fd >= 0 { Foundation.close(fd) }
        fd = -1
    }

    deinit { release() }
}
