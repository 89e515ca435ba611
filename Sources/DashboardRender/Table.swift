/// One column of a ``Table``: its header, how narrow it may get, how much it matters.
public struct ColumnSpec: Sendable, Equatable {
    public enum Alignment: Sendable { case left, right }

    public var title: String
    /// The narrowest it is drawn; a column that cannot have this much is dropped.
    public var minWidth: Int
    /// Higher is kept longer: when the table is narrow the lowest-priority columns go first.
    public var priority: Int
    /// Takes the width left once every visible value fits.
    public var flex: Bool
    /// May be drawn narrower than its values (text a reader can take cut, like a message); a
    /// column that may not (numbers, times, ids) is shown whole or not at all.
    public var cuttable: Bool
    public var alignment: Alignment

    /// `minWidth` defaults to the title's width, so a header never needs `…`.
    public init(
        _ title: String, min: Int? = nil, priority: Int, flex: Bool = false, cuttable: Bool? = nil,
        alignment: Alignment = .left
    ) {
        self.title = title
        self.minWidth = max(1, min ?? TerminalText.width(title))
        self.priority = priority
        self.flex = flex
        self.cuttable = cuttable ?? flex
        self.alignment = alignment
    }
}

/// Rows of cells under column headers, with an optional selection marker column on the left.
///
/// Widths (``widths(_:natural:available:)``): the most important columns first, each as wide as
/// its visible values; the least important are dropped when the row is full; spare width goes to
/// the flexible columns. So no visible value is truncated while blank space remains in the row.
public struct Table: Widget {
    public struct Line: Sendable {
        public var cells: [String]
        public var style: Style
        /// Drawn across the whole line instead of cells (a gap in a history).
        public var banner: String?
        public init(_ cells: [String], style: Style = Style()) {
            self.cells = cells
            self.style = style
        }
        public init(banner: String, style: Style) {
            self.cells = []
            self.style = style
            self.banner = banner
        }
    }

    public var columns: [ColumnSpec]
    public var lines: [Line]
    /// Index into `lines` of the selected line, drawn reversed with a marker.
    public var selected: Int?
    /// A column on the left for the selection marker (visible without colour).
    public var markerColumn = true
    /// Appended to the title of the column the rows are sorted by.
    public var sortMark: (column: Int, descending: Bool)? = nil
    public var headerStyle = Style(.dim, bold: true)

    public init(columns: [ColumnSpec], lines: [Line], selected: Int? = nil) {
        self.columns = columns
        self.lines = lines
        self.selected = selected
    }

    /// Column widths for `available` cells (0: dropped). `natural` is each column's widest
    /// visible value (header included).
    ///
    /// Columns are placed most important first, each at the width its values need (a flexible
    /// column claims at most half the table at this stage); a column that does not fit whole gets
    /// what is left if it may be cut and that is at least its minimum, else it is dropped and narrower, less
    /// important columns may still take the room. What remains goes to the flexible columns.
    public static func widths(_ columns: [ColumnSpec], natural: [Int], available: Int) -> [Int] {
        guard !columns.isEmpty else { return [] }
        var widths = Array(repeating: 0, count: columns.count)
        let order = columns.indices.sorted { (columns[$0].priority, -$0) > (columns[$1].priority, -$1) }
        var used = -1  // n columns need n - 1 gaps
        for i in order {
            let c = columns[i]
            var want = max(c.minWidth, natural[i])
            if c.flex { want = min(want, max(c.minWidth, available / 2)) }
            let room = available - used - 1
            if want <= room {
                widths[i] = want
            } else if c.cuttable && room >= max(c.minWidth, min(natural[i], 8)) {
                widths[i] = room
            } else if used < 0 {
                widths[i] = max(0, available)  // the most important column, cut to what there is
            } else {
                continue
            }
            used += widths[i] + 1
        }
        let flexible = columns.indices.filter { columns[$0].flex && widths[$0] > 0 }
        var spare = available - used
        // Flexible columns first take what their values still need, then share the rest.
        for i in flexible where spare > 0 {
            let give = min(spare, max(0, natural[i] - widths[i]))
            widths[i] += give
            spare -= give
        }
        for (k, i) in flexible.enumerated() where spare > 0 {
            widths[i] += spare / flexible.count + (k < spare % flexible.count ? 1 : 0)
        }
        return widths
    }

    /// The header's titles and each column's width in `area` (0: dropped).
    func layout(in area: Rect) -> (titles: [String], widths: [Int]) {
        let (titles, widths, _) = measure(in: area)
        return (titles, widths)
    }

    /// The layout, and the visible lines' cells sanitised with their widths: each cell is
    /// sanitised and measured once per frame, for the layout and for drawing alike.
    private func measure(in area: Rect) -> (titles: [String], widths: [Int], cells: [[(text: String, width: Int)]]) {
        let titles = columns.enumerated().map { i, c in
            sortMark?.column == i ? c.title + (sortMark!.descending ? "▼" : "▲") : c.title
        }
        var natural = titles.map { TerminalText.width($0) }
        var cells: [[(text: String, width: Int)]] = []
        cells.reserveCapacity(max(0, min(lines.count, area.height - 1)))
        for line in lines.prefix(max(0, area.height - 1)) {
            var measured: [(text: String, width: Int)] = []
            measured.reserveCapacity(line.cells.count)
            for (i, cell) in line.cells.enumerated() {
                let text = TerminalText.sanitize(cell)
                let w = TerminalText.width(text)
                if i < natural.count { natural[i] = max(natural[i], w) }
                measured.append((text, w))
            }
            cells.append(measured)
        }
        return (titles, Self.widths(columns, natural: natural, available: area.width - (markerColumn ? 1 : 0)), cells)
    }

    /// Where each shown column is drawn in `area`: its index, first cell and width.
    public func columnSpans(in area: Rect) -> [(column: Int, x: Int, width: Int)] {
        guard area.height > 0, area.width > 0 else { return [] }
        return Self.spans(layout(in: area).widths, in: area, lead: markerColumn ? 1 : 0)
    }

    private static func spans(_ widths: [Int], in area: Rect, lead: Int) -> [(column: Int, x: Int, width: Int)] {
        var x = area.x + lead
        var spans: [(column: Int, x: Int, width: Int)] = []
        for i in widths.indices where widths[i] > 0 {
            spans.append((i, x, widths[i]))
            x += widths[i] + 1
        }
        return spans
    }

    public func render(in area: Rect, into grid: inout Grid) { draw(in: area, into: &grid) }

    /// Draws the table (as ``render(in:into:)``) and says where its columns went (as
    /// ``columnSpans(in:)``), from one layout.
    @discardableResult
    public func draw(in area: Rect, into grid: inout Grid) -> [(column: Int, x: Int, width: Int)] {
        guard area.height > 0, area.width > 0 else { return [] }
        let lead = markerColumn ? 1 : 0
        let (titles, widths, measured) = measure(in: area)
        func drawCells(_ cells: [(text: String, width: Int)], y: Int, style: Style) {
            var x = area.x + lead
            for (i, c) in columns.enumerated() where widths[i] > 0 {
                if i < cells.count {
                    Self.cell(cells[i], &grid, x: x, y: y, width: widths[i], right: c.alignment == .right, style: style)
                }
                x += widths[i] + 1
            }
        }
        // The table owns its rectangle: what it does not write is blank, not whatever was there.
        grid.fill(x: area.x, y: area.y, width: area.width, height: area.height)
        drawCells(titles.map { ($0, TerminalText.width($0)) }, y: area.y, style: headerStyle)
        for (r, line) in lines.prefix(area.height - 1).enumerated() {
            let y = area.y + 1 + r
            var style = line.style
            if selected == r {
                style = Style(.selected, bold: true, reverse: true)
                grid.fill(x: area.x, y: y, width: area.width, height: 1, style: style)
                if lead > 0 { grid.write(grid.ascii ? ">" : "▸", x: area.x, y: y, style: style) }
            }
            if let banner = line.banner {
                let text = TerminalText.sanitize(banner)
                Self.cell(
                    (text, TerminalText.width(text)), &grid, x: area.x + lead, y: y, width: area.width - lead, right: false,
                    style: style)
            } else {
                drawCells(measured[r], y: y, style: style)
            }
        }
        return Self.spans(widths, in: area, lead: lead)
    }

    /// Sanitised text of display width `cell.width`, cut to `width`.
    static func cell(
        _ cell: (text: String, width: Int), _ g: inout Grid, x: Int, y: Int, width: Int, right: Bool, style: Style
    ) {
        var (t, w) = cell
        if w > width {
            t = TerminalText.truncate(t, to: width)
            w = TerminalText.width(t)
        }
        g.write(t, x: right ? x + width - w : x, y: y, maxWidth: width, style: style)
    }
}
