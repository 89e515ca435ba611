import Foundation

/// The `:` command history: one command per line in the state directory's `history`, oldest
/// first, at most ``DashboardCore/Commands/historyLimit`` lines.
public struct HistoryStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The commands in the file; none when there is no file. A line with a control character
    /// (the file was edited or damaged) is skipped, never typed back at the prompt.
    public func load(limit: Int) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let clean = lines.filter { line in !line.isEmpty && !line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        }
        return Array(clean.suffix(limit))
    }

    public func save(_ commands: [String]) throws {
        try AtomicFile.write(Array(commands.map { $0 + "\n" }.joined().utf8), to: path)
    }
}

/// The files and switches the console's local effects use: where `y` writes (`yank.json`),
/// whether it may also set the terminal's clipboard (OSC 52), and where the command history is
/// kept. nil paths: not kept.
public struct LocalFiles: Sendable {
    public var yankPath: String?
    public var osc52: Bool
    public var history: HistoryStore?

    /// A path as the flash line says it: the home directory as `~`, so the file name stays in sight.
    public static func shown(_ path: String, home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String {
        guard let home, home.count > 1, path.hasPrefix(home + "/") else { return path }
        return "~" + path.dropFirst(home.count)
    }

    public init(yankPath: String? = nil, osc52: Bool = false, history: HistoryStore? = nil) {
        self.yankPath = yankPath
        self.osc52 = osc52
        self.history = history
    }
}

/// OSC 52, "set the clipboard": `ESC ] 52 ; c ; <base64> BEL`. The only part built from the
/// copied bytes is the base64 payload, whose alphabet has no control character, so no text from
/// the network can reach the terminal as a control sequence.
public enum OSC52 {
    /// Most terminals drop longer sequences (xterm's default limit is about 100 KB).
    public static let maxPayload = 100_000

    /// The sequence for `bytes`, or nil when its payload would be too long to be kept.
    public static func sequence(for bytes: [UInt8]) -> [UInt8]? {
        let payload = Data(bytes).base64EncodedString()
        guard payload.utf8.count <= maxPayload else { return nil }
        return [0x1B] + Array("]52;c;".utf8) + Array(payload.utf8) + [0x07]
    }
}
