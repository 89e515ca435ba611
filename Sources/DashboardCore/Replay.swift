import RealtimeProtocol

/// Where a replay (`realtime-dash replay FILE`) stands: what the status bar's timeline shows.
/// nil in `AppState.replay` means the console is live.
public struct ReplayStatus: Sendable, Equatable {
    /// The recording's time now being shown.
    public var position: UTCInstant
    public var start: UTCInstant
    public var end: UTCInstant
    /// Recording seconds per second; `.infinity` is as fast as possible (`--speed max`).
    public var speed: Double
    public var paused: Bool
    /// Every frame has been played.
    public var atEnd: Bool
    /// Lines of the file skipped so far (each said in the log and once in the flash line).
    public var skipped: Int
    /// Frames the recorder said it lost (`lost` markers) up to the position.
    public var lost: Int

    public init(
        position: UTCInstant, start: UTCInstant, end: UTCInstant, speed: Double = 1, paused: Bool = false, atEnd: Bool = false,
        skipped: Int = 0, lost: Int = 0
    ) {
        self.position = position
        self.start = start
        self.end = end
        self.speed = speed
        self.paused = paused
        self.atEnd = atEnd
        self.skipped = skipped
        self.lost = lost
    }

    /// How far through the recording, 0…1.
    public var fraction: Double {
        let span = end.microseconds - start.microseconds
        guard span > 0 else { return atEnd ? 1 : 0 }
        return min(1, max(0, Double(position.microseconds - start.microseconds) / Double(span)))
    }

    /// `×8`, `×0.5`, `×max`.
    public var speedText: String {
        if speed.isInfinite { return "×max" }
        if speed == speed.rounded() { return "×\(Int(speed))" }
        return "×\(speed)"
    }
}

/// What a replay key asks of the replay.
public enum ReplayControl: Sendable, Equatable {
    case togglePause, faster, slower
    /// Seconds of recording forward (negative: back).
    case jump(Double)
    case toStart, toEnd

    /// The replay's own keys, which in a replay take precedence over the same keys' live
    /// meaning (space freezes, g/G go to the first and last row: Home and End still do).
    public static func forKey(_ key: Key) -> ReplayControl? {
        switch key {
        case .char(" "): .togglePause
        case .char("+"), .char("="): .faster
        case .char("-"): .slower
        case .char("]"): .jump(10)
        case .char("["): .jump(-10)
        case .char("g"): .toStart
        case .char("G"): .toEnd
        default: nil
        }
    }

    /// For the help overlay.
    public static let help: [(label: String, text: String)] = [
        ("space", "replay: pause / resume"),
        ("+ -", "replay: faster / slower (×0.25 … ×64, then max)"),
        ("] [", "replay: 10 s forward / back"),
        ("g G", "replay: to the start / the end (Home and End still pick the first and last row)"),
    ]
}

extension AppState {
    /// Refuses what a replay cannot do (job commands, reconnecting, switching profiles): said in
    /// the flash line. Returns true when refused.
    mutating func refusedInReplay(_ what: String) -> Bool {
        guard replay != nil else { return false }
        DashboardCore.flash(&self, "replay of a recording: \(what) refused; nothing is sent from a replay")
        return true
    }
}
