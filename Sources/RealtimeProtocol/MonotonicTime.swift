#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic seconds (CLOCK_MONOTONIC): for pacing, deadlines and rates, never for what is
/// shown. The one copy every target uses; ``UTCInstant/now()`` is the one wall clock.
@Sendable public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
