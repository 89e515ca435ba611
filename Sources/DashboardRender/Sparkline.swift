/// A trend in one line of block glyphs (`▁▂▃▄▅▆▇█`), the newest value at the right; in an
/// ASCII grid (`LANG=C`, a terminal without UTF-8) `_.-=+*#@`. Values are scaled to the largest
/// shown; a value that is not known (nil: the stream was down that second) is a blank, so a
/// gap never reads as zero traffic.
public struct Sparkline: Widget {
    public var values: [Double?]
    public var style: Style

    public init(_ values: [Double?], style: Style = Style(.info)) {
        self.values = values
        self.style = style
    }

    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let ascii: [Character] = ["_", ".", "-", "=", "+", "*", "#", "@"]

    /// The last `width` values as glyphs (fewer when there are fewer values).
    public static func text(_ values: [Double?], width: Int, ascii: Bool) -> String {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let top = shown.compactMap { $0 }.filter(\.isFinite).max() ?? 0
        let glyphs = ascii ? Self.ascii : blocks
        return String(
            shown.map { v -> Character in
                guard let v, v.isFinite else { return " " }
                guard top > 0, v > 0 else { return glyphs[0] }
                return glyphs[min(glyphs.count - 1, max(0, Int((v / top * Double(glyphs.count - 1)).rounded())))]
            })
    }

    public func render(in area: Rect, into grid: inout Grid) {
        guard area.width > 0, area.height > 0 else { return }
        let line = Self.text(values, width: area.width, ascii: grid.ascii)
        // Right-aligned: the newest sample at the right edge, as time runs.
        grid.write(line, x: area.maxX - line.count, y: area.y, maxWidth: area.width, style: style)
    }
}
