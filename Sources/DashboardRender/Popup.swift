/// A bordered box centred over the screen, with lines that scroll: `more ↑` / `more ↓` in its
/// border say there is more than fits.
public struct Popup: Widget {
    public var title: String
    public var lines: [String]
    /// The first line shown (clamped so the last page stays full).
    public var scroll: Int
    /// A line drawn selected (reversed, with a marker).
    public var highlight: Int?

    public init(title: String, lines: [String], scroll: Int = 0, highlight: Int? = nil) {
        self.title = title
        self.lines = lines
        self.scroll = scroll
        self.highlight = highlight
    }

    /// Lines visible in a popup on a screen `rows` high.
    public static func visibleLines(screenRows rows: Int) -> Int { max(1, rows - 4) }

    public func render(in area: Rect, into g: inout Grid) {
        let widest = lines.map { TerminalText.width(TerminalText.sanitize($0)) }.max() ?? 0
        let h = min(area.height - 2, lines.count + 2)
        // Room in the bottom edge for the `more` mark when the lines do not all fit.
        let markRoom = lines.count > h - 2 ? 14 : 0
        let w = min(area.width - 2, max(TerminalText.width(title) + 6, widest + 4, markRoom))
        guard w >= 4, h >= 3 else { return }
        let box = area.centered(width: w, height: h)
        let visible = h - 2
        let first = min(max(0, scroll), max(0, lines.count - visible))
        g.fill(x: box.x, y: box.y, width: box.width, height: box.height, style: Style(.overlay))
        let up = first > 0, down = first + visible < lines.count
        let arrows = (up ? (g.ascii ? "^" : "↑") : "") + (down ? (g.ascii ? "v" : "↓") : "")
        Box(title: title, focused: true, footer: arrows.isEmpty ? nil : " more \(arrows) ")
            .render(in: box, into: &g)
        for (i, line) in lines.dropFirst(first).prefix(visible).enumerated() {
            let selected = highlight == first + i
            let style = selected ? Style(.selected, bold: true, reverse: true) : Style(.overlay)
            if selected {
                g.fill(x: box.x + 1, y: box.y + 1 + i, width: w - 2, height: 1, style: style)
                g.write(g.ascii ? ">" : "▸", x: box.x + 1, y: box.y + 1 + i, style: style)
            }
            g.write(
                TerminalText.truncate(TerminalText.sanitize(line), to: w - 4), x: box.x + 2, y: box.y + 1 + i, maxWidth: w - 4,
                style: style)
        }
    }
}
