import Foundation
import RealtimeClient
import RealtimeProtocol

/// A ``StreamClock`` that moves only when a test says so: sleepers wake when ``advance(by:)``
/// passes their deadline, or with `CancellationError` when their task is cancelled.
///
/// Time-outs (command answers, cancel confirmation, stale limits, backoff) then happen exactly
/// when the test decides, whatever the machine's load.
public final class ManualStreamClock: StreamClock, @unchecked Sendable {
    private struct Sleeper {
        var deadline: Double
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var elapsed = 0.0
    private let start: UTCInstant
    private var sleepers: [UInt64: Sleeper] = [:]
    private var nextID: UInt64 = 0

    public init(start: UTCInstant = .now()) { self.start = start }

    public func now() -> Moment {
        let t = lock.withLock { elapsed }
        return Moment(monotonic: 1_000 + t, wall: UTCInstant(microseconds: start.microseconds + Int64(t * 1e6)))
    }

    /// How many sleeps are waiting for time to pass.
    public var waiting: Int { lock.withLock { sleepers.count } }

    public func sleep(seconds: Double) async throws {
        let id = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let immediate: (any Error)?? = lock.withLock {
                    if Task.isCancelled { return .some(CancellationError()) }
                    if seconds <= 0 { return .some(nil) }
                    sleepers[id] = Sleeper(deadline: elapsed + seconds, continuation: c)
                    return .none
                }
                switch immediate {
                case .some(let error?): c.resume(throwing: error)
                case .some(nil): c.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper = lock.withLock { sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time on by `seconds` and wakes every sleeper whose deadline has passed.
    public func advance(by seconds: Double) {
        let due: [Sleeper] = lock.withLock {
            elapsed += seconds
            let ids = sleepers.filter { $0.value.deadline <= elapsed }.map(\.key)
            return ids.compactMap { sleepers.removeValue(forKey: $0) }
        }
        for s in due { s.continuation.resume() }
    }
}
