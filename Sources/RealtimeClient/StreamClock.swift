import Foundation
import RealtimeProtocol

/// Time for the client: monotonic seconds, wall time, and sleeping. Injected so tests can
/// run backoff and stall detection without waiting.
public protocol StreamClock: Sendable {
    func now() -> Moment
    func sleep(seconds: Double) async throws
}

/// The real clocks.
public struct SystemStreamClock: StreamClock {
    public init() {}

    public func now() -> Moment {
        var mono = timespec(), wall = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        clock_gettime(CLOCK_REALTIME, &wall)
        return Moment(
            monotonic: Double(mono.tv_sec) + Double(mono.tv_nsec) / 1e9,
            wall: UTCInstant(microseconds: Int64(wall.tv_sec) * 1_000_000 + Int64(wall.tv_nsec) / 1000))
    }

    public func sleep(seconds: Double) async throws {
        try await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000)))
    }
}
