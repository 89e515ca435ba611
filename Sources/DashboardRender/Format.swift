import Foundation

/// How numbers read on screen: one place for every pane and panel.
public enum Format {
    /// One decimal: -27.5.
    public static func decimal1(_ v: Double) -> String { v.isFinite ? String(format: "%.1f", v) : "-" }

    /// 1.2G, 340M, 12k, 999.
    public static func bytes(_ v: Int64) -> String {
        if v < 0 { return "-" + bytes(v == .min ? .max : -v) }
        let d = Double(v)
        if d >= 1e12 { return String(format: "%.1fT", d / 1e12) }
        if d >= 1e9 { return String(format: "%.1fG", d / 1e9) }
        if d >= 1e6 { return String(format: "%.1fM", d / 1e6) }
        if d >= 1e4 { return String(format: "%.0fk", d / 1e3) }
        return String(v)
    }

    /// A byte rate as bits per second: 12.3Mb/s.
    public static func bits(_ bytesPerSecond: Double) -> String {
        guard bytesPerSecond.isFinite else { return "-" }
        let b = max(0, bytesPerSecond) * 8
        if b >= 1e9 { return String(format: "%.1fGb/s", b / 1e9) }
        if b >= 1e6 { return String(format: "%.1fMb/s", b / 1e6) }
        if b >= 1e3 { return String(format: "%.0fkb/s", b / 1e3) }
        return String(format: "%.0fb/s", b)
    }

    /// 1:02:03, or 3d4h from a day on; "-" when unknown or negative.
    public static func duration(_ seconds: Int64?) -> String {
        guard let s = seconds, s >= 0 else { return "-" }
        if s >= 86_400 { return "\(s / 86_400)d\(s % 86_400 / 3600)h" }
        return String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
    }

    /// `[#####     ] 52%`, clamped to 0–100 (the backend's value may be absurd).
    public static func progressBar(_ percent: Double?, width: Int) -> String {
        guard let p = percent, p.isFinite else { return "  -" }
        let c = min(100, max(0, p))
        let filled = Int((c / 100 * Double(width)).rounded())
        // The number first: a narrow column cuts the bar, never the percentage.
        return String(format: "%3.0f%% ", c) + "[" + String(repeating: "#", count: filled)
            + String(repeating: " ", count: width - filled) + "]"
    }

    /// How long ago, as a clock: 0:42, 12:05, 1:02:03.
    public static func elapsed(_ seconds: Int64) -> String {
        let s = max(0, seconds)
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    /// A count, or `?` when it cannot be known.
    public static func count(_ n: Int64?) -> String { n.map(String.init) ?? "-" }
}
