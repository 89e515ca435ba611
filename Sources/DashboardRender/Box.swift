/// A border with a title in its top edge; heavy when focused, ASCII when the grid is.
public struct Box: Widget {
    public var title: String
    public var focused: Bool
    /// Drawn at the right of the bottom edge (a position indicator, `more ↓`).
    public var footer: String?

    public init(title: String, focused: Bool = false, footer: String? = nil) {
        self.title = title
        self.focused = focused
        self.footer = footer
    }

    public func render(in area: Rect, into grid: inout Grid) {
        grid.box(x: area.x, y: area.y, width: area.width, height: area.height, title: title, focused: focused)
        if let footer, area.width > TerminalText.width(footer) + 4, area.height >= 2 {
            grid.write(
                footer, x: area.maxX - 1 - TerminalText.width(footer), y: area.maxY - 1, style: Style(.dim))
        }
    }
}
