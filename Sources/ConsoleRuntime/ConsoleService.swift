import Foundation
import RealtimeProtocol
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// A request to end the run loop from outside its thread (the service group shutting down):
/// it sets a flag the loop checks and writes a byte to the loop's wake-up pipe.
public final class StopRequest: Sendable {
    private struct State {
        var requested = false
        var wakeFD: Int32 = -1
    }
    private let state = Locked(State())

    public init() {}

    public var isRequested: Bool { state.withLock { $0.requested } }

    public func request() {
        let fd = state.withLock { s -> Int32 in
            s.requested = true
            return s.wakeFD
        }
        if fd >= 0 {
            var b: UInt8 = 0x73
            _ = write(fd, &b, 1)
        }
    }

    /// The loop's wake-up pipe while it runs (-1 when it ends).
    func attach(_ fd: Int32) { state.withLock { $0.wakeFD = fd } }
}

/// The console as one service of the process's `ServiceGroup`, beside the `ConnectionManager`
/// (and, with `--demo`, the demo backend): the run loop on a thread of its own (curses is used
/// from one thread, from set-up to teardown). It ends on `q` or a stop signal, which the group
/// should turn into a graceful shutdown of the others (`successTerminationBehavior:
/// .gracefullyShutdownGroup`), or when the group shuts down or is cancelled, which asks the loop
/// to stop.
public final class ConsoleService: Service, @unchecked Sendable {
    /// Sets up the terminal, runs the loop with the given stop request, restores the terminal;
    /// returns the stop signal's number (0 for `q`).
    public typealias Body = @Sendable (StopRequest) throws -> Int32

    private let body: Body
    private let stackSize: Int
    private let outcome = Locked<Result<Int32, any Error>?>(nil)
    private let end = AsyncStream.makeStream(of: Never.self)

    public init(stackSize: Int = 8 << 20, _ body: @escaping Body) {
        self.body = body
        self.stackSize = stackSize
    }

    /// How the console ended: the stop signal (0 for `q`) or why it could not run; nil while it runs.
    public var result: Result<Int32, any Error>? { outcome.withLock { $0 } }

    /// Returns once the console has ended (the terminal is restored by then), or once
    /// ``noLongerExpected()`` says it never will run (its group ended without it).
    public func ended() async {
        for await _ in end.stream {}
    }

    /// The group ended: whoever waits in ``ended()`` stops waiting, run or not.
    public func noLongerExpected() { end.continuation.finish() }

    public func run() async throws {
        let stop = StopRequest()
        let body = self.body
        let result: Result<Int32, any Error> = await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: Result { try body(stop) })
                }
                thread.stackSize = stackSize
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            stop.request()
        }
        outcome.withLock { $0 = result }
        end.continuation.finish()
        _ = try result.get()
    }
}
