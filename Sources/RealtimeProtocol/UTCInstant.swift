#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as whole microseconds since 1970-01-01T00:00:00 UTC.
///
/// The backend sends ISO-8601 UTC, usually without a zone (`2025-12-08T10:30:00.123456`),
/// sometimes with `Z` or `+00:00`, and without the fraction when it is zero.
/// ``init(iso8601:)`` accepts all of those (and any `±HH:MM` / `±HHMM` offset, which it
/// applies), with `T` or a space between date and time, and 1–9 fraction digits (beyond
/// microseconds they are truncated).
public struct UTCInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    public init(secondsSinceEpoch: Double) {
        self.microseconds = Int64((secondsSinceEpoch * 1_000_000).rounded())
    }

    public var secondsSinceEpoch: Double { Double(microseconds) / 1_000_000 }

    /// Now, from the system's real-time clock: the one wall clock every target reads.
    public static func now() -> UTCInstant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UTCInstant(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    public static func < (a: UTCInstant, b: UTCInstant) -> Bool { a.microseconds < b.microseconds }

    public var description: String { iso8601 }

    // MARK: Parsing

    public init?(iso8601 text: String) {
        var text = text
        let parsed = text.withUTF8 { UTCInstant.parse(UnsafeRawBufferPointer($0)) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses the timestamp forms described on the type, from UTF-8 bytes.
    public static func parse(_ s: UnsafeRawBufferPointer) -> UTCInstant? {
        parseBackendForm(s) ?? parseAnyForm(s)
    }

    /// Every form the type accepts, read a field at a time.
    static func parseAnyForm(_ s: UnsafeRawBufferPointer) -> UTCInstant? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = s[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func take(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), take(0x2D), let month = digits(2), take(0x2D), let day = digits(2) else { return nil }
        guard i < s.count, s[i] == 0x54 || s[i] == 0x74 || s[i] == 0x20 else { return nil }
        i += 1
        guard let hour = digits(2), take(0x3A), let minute = digits(2), take(0x3A), let second = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var micros = 0
        if take(0x2E) {
            var n = 0
            while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                if n < 6 { micros = micros * 10 + Int(s[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n >= 1 && n <= 9 else { return nil }
            for _ in n..<max(n, 6) { micros *= 10 }
        }
        var offsetSeconds = 0
        if i < s.count {
            if s[i] == 0x5A || s[i] == 0x7A {
                i += 1
            } else if s[i] == 0x2B || s[i] == 0x2D {
                let sign = s[i] == 0x2D ? -1 : 1
                i += 1
                guard let oh = digits(2) else { return nil }
                _ = take(0x3A)
                guard let om = digits(2), oh <= 23, om <= 59 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == s.count else { return nil }
        let days = daysFromCivil(year, month, day)
        // A leap second (":60") is counted as the last microsecond of its minute.
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        let extra = second == 60 ? Int64(999_999) : Int64(micros)
        return UTCInstant(microseconds: secs * 1_000_000 + extra)
    }

    /// The form the backend writes every timestamp in, `2025-12-08T10:30:00.123456` (naive UTC,
    /// microseconds), read at fixed places: nil for anything else, which ``parse(_:)`` then reads
    /// the general way (and agrees with: tested).
    @inline(__always)
    static func parseBackendForm(_ s: UnsafeRawBufferPointer) -> UTCInstant? {
        guard s.count == 26, s[4] == 0x2D, s[7] == 0x2D, s[10] == 0x54, s[13] == 0x3A, s[16] == 0x3A, s[19] == 0x2E
        else { return nil }
        var bad = false
        func number(_ at: Int, _ n: Int) -> Int {
            var v = 0
            for k in at..<(at + n) {
                let d = s[k] &- 0x30
                bad = bad || d > 9
                v = v &* 10 &+ Int(d)
            }
            return v
        }
        let year = number(0, 4), month = number(5, 2), day = number(8, 2)
        let hour = number(11, 2), minute = number(14, 2), second = number(17, 2), micros = number(20, 6)
        guard !bad, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month), hour <= 23, minute <= 59,
            second <= 60
        else { return nil }
        let secs = Int64(daysFromCivil(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
        return UTCInstant(microseconds: secs * 1_000_000 + (second == 60 ? 999_999 : Int64(micros)))
    }

    // MARK: Formatting

    /// Naive UTC with microseconds, as the backend sends: `2025-12-08T10:30:00.123456`.
    public var iso8601: String {
        let (secs, us) = floorDiv(microseconds, 1_000_000)
        let (days, sod) = floorDiv(secs, 86_400)
        let (y, m, d) = UTCInstant.civilFromDays(Int(days))
        let h = Int(sod / 3600), mi = Int(sod % 3600 / 60), s = Int(sod % 60)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(Int(us), 6))"
    }

    /// `HH:MM:SS` of the UTC day, for compact table columns.
    public var timeOfDay: String {
        let (secs, _) = floorDiv(microseconds, 1_000_000)
        let (_, sod) = floorDiv(secs, 86_400)
        return "\(pad(Int(sod / 3600), 2)):\(pad(Int(sod % 3600 / 60), 2)):\(pad(Int(sod % 60), 2))"
    }

    // MARK: Calendar arithmetic (proleptic Gregorian; Howard Hinnant's algorithms)

    static func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
    var q = a / b
    var r = a % b
    if r < 0 { q -= 1; r += b }
    return (q, r)
}

private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
