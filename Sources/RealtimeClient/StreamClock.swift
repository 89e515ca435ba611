import Foundation
import RealtimeProtocol

/// The client's time, read from the `Clock<Duration>` it was given (`ContinuousClock` in the
/// console and `tail`, a test's manual clock in tests): monotonic seconds since the clock was
/// handed over, for durations; wall time, as the wall clock read then plus the same elapsed time,
/// for what people read; and sleeping on that clock.
///
/// One conversion, in one place: everything inside the client reads ``Moment``s, so backoff,
/// stall detection, pings and command time-outs run on whichever clock was injected.
struct StreamClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void
    private let wallOrigin: UTCInstant

    init<C: Clock>(_ clock: C, wallOrigin: UTCInstant = .now()) where C.Duration == Duration {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleeper = { try await clock.sleep(for: $0) }
        self.wallOrigin = wallOrigin
    }

    func now() -> Moment {
        let (seconds, attoseconds) = elapsed().components
        let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return Moment(monotonic: Double(micros) / 1e6, wall: UTCInstant(microseconds: wallOrigin.microseconds + micros))
    }

    func sleep(seconds: Double) async throws {
        try await sleeper(.microseconds(Int64(max(0, seconds) * 1e6)))
    }
}
