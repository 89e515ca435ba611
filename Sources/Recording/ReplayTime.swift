import Foundation
import RealtimeProtocol

/// `--from` and `--to` of `realtime-dash replay`: a time in the recording.
public enum ReplayTime {
    /// Reads `text` against a recording that starts at `start`:
    /// - a full timestamp: `2026-12-07T03:12:07Z` (any form the backend's timestamps take);
    /// - a time of day, UTC: `03:12` or `03:12:07`, on the recording's first day (or the next
    ///   day, if that time had passed when it began: a recording across midnight);
    /// - an offset from the start: `+90s`, `+5m`, `+1h`, `+30` (seconds).
    /// Otherwise a failure says what the forms are.
    public static func parse(_ text: String, start: UTCInstant) -> Result<UTCInstant, RecordingError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("+") {
            var number = t.dropFirst()
            var unit = 1.0
            switch number.last {
            case "s": number = number.dropLast()
            case "m": (number, unit) = (number.dropLast(), 60)
            case "h": (number, unit) = (number.dropLast(), 3600)
            default: break
            }
            guard let v = Double(number), v >= 0, v.isFinite, v < 1e9 else {
                return .failure(RecordingError("'\(text)' is not an offset like +90s, +5m or +1h"))
            }
            return .success(UTCInstant(microseconds: start.microseconds + Int64(v * unit * 1_000_000)))
        }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        if (2...3).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { ("0"..."9").contains($0) } })
        {
            let h = Int(parts[0])!
            let m = Int(parts[1])!
            let s = parts.count == 3 ? Int(parts[2])! : 0
            guard h < 24, m < 60, s < 60 else { return .failure(RecordingError("'\(text)' is not a time of day")) }
            let day: Int64 = 86_400_000_000
            let midnight = start.microseconds - ((start.microseconds % day) + day) % day
            var at = midnight + Int64((h * 3600 + m * 60 + s)) * 1_000_000
            // Before the recording began that day: the next day (a recording across midnight).
            if at < start.microseconds - 1_000_000 { at += day }
            return .success(UTCInstant(microseconds: at))
        }
        if let at = UTCInstant(iso8601: t) { return .success(at) }
        return .failure(
            RecordingError("'\(text)' is not a time: use 03:12:07 (UTC), +5m (from the start) or 2026-12-07T03:12:07Z"))
    }
}
