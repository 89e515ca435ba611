import Foundation

/// How numbers read on screen: one place for every pane and panel.
public enum Format {
    /// One decimal: -27.5.
    public static func decimal1(_ v: Double) -> String { v.isFinite ? fixed1(v) : "-" }

    // Numbers are written by hand, not with `String(format:)`: Foundation's formatter was 6 % of
    // the console's CPU while it watched a busy network (every visible byte count and rate, every
    // frame). They read as printf's except within a hair of a tie: `v * 10` is rounded (to
    // nearest, ties to even), not the exact decimal value of the double, so 0.35 reads 0.4 where
    // printf says 0.3; and -0.0 reads 0.0.

    /// `v` with one decimal, as `%.1f` writes it but for near-ties (for the magnitudes a screen shows).
    static func fixed1(_ v: Double) -> String {
        let tenths = (v * 10).rounded(.toNearestOrEven)
        guard abs(tenths) < 9e17 else { return String(format: "%.1f", v) }
        let t = Int64(tenths)
        let sign = t < 0 || (t == 0 && v.sign == .minus && v != 0) ? "-" : ""
        let m = t.magnitude
        return "\(sign)\(m / 10).\(m % 10)"
    }

    /// `v` with no decimals, as `%.0f` writes it.
    static func fixed0(_ v: Double) -> String {
        let r = v.rounded(.toNearestOrEven)
        guard abs(r) < 9e17 else { return String(format: "%.0f", v) }
        return r == 0 && v.sign == .minus && v != 0 ? "-0" : String(Int64(r))
    }

    /// `n` with at least two digits: 07.
    static func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : String(n) }

    /// 1.2G, 340M, 12k, 999.
    public static func bytes(_ v: Int64) -> String {
        if v < 0 { return "-" + bytes(v == .min ? .max : -v) }
        let d = Double(v)
        if d >= 1e12 { return fixed1(d / 1e12) + "T" }
        if d >= 1e9 { return fixed1(d / 1e9) + "G" }
        if d >= 1e6 { return fixed1(d / 1e6) + "M" }
        if d >= 1e4 { return fixed0(d / 1e3) + "k" }
        return String(v)
    }

    /// A byte rate as bits per second: 12.3Mb/s.
    public static func bits(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite else { return "-" }
        let b = max(0, bytesPerSecond) * 8
        if b >= 1e9 { return fixed1(b / 1e9) + "Gb/s" }
        if b >= 1e6 { return fixed1(b / 1e6) + "Mb/s" }
        if b >= 1e3 { return fixed0(b / 1e3) + "kb/s" }
        return fixed0(b) + "b/s"
    }

    /// 1:02:03, or 3d4h from a day on; "-" when unknown or negative.
    public static func duration(_ seconds: Int64?) -> String {
        guard let s = seconds, s >= 0 else { return "-" }
        if s >= 86_400 { return "\(s / 86_400)d\(s % 86_400 / 3600)h" }
        return "\(s / 3600):\(two(s % 3600 / 60)):\(two(s % 60))"
    }

    /// `[#####     ] 52%`, clamped to 0–100 (the backend's value may be absurd).
    public static func progressBar(_ percent: Double?, width: Int) -> String {
        guard let p = percent, p.isFinite else { return "  -" }
        let c = min(100, max(0, p))
        let filled = Int((c / 100 * Double(width)).rounded())
        // The number first: a narrow column cuts the bar, never the percentage.
        return percent3(c) + " [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "]"
    }

    /// A percentage from 0 to 100 as `%3.0f%%` writes it: `  7%`, `100%` (by hand, see above).
    public static func percent3(_ p: Double) -> String {
        let digits = fixed0(min(100, max(0, p)))
        return String(repeating: " ", count: max(0, 3 - digits.utf8.count)) + digits + "%"
    }

    /// How long ago, as a clock: 0:42, 12:05, 1:02:03.
    public static func elapsed(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        return s >= 3600 ? "\(s / 3600):\(two(s % 3600 / 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }

    /// A count, or `?` when it cannot be known.
    public static func count(_ n: Int64?) -> String { n.map(String.init) ?? "-" }
}
