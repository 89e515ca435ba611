import DashboardCore
/// Colour by meaning; TerminalCurses maps roles to colour pairs (or to nothing, in monochrome).
public enum Role: UInt8, Sendable, CaseIterable {
    case normal, dim, header, title, titleFocused, border, borderFocused, selected
    case good, info, warning, error, critical
    case statusLive, statusConnecting, statusBackoff, statusFailed, statusStopped
    case flash, overlay, frozen
    /// A profile's name in its accent colour (`profiles[].accent`).
    case accentRed, accentGreen, accentYellow, accentBlue, accentMagenta, accentCyan
}

public struct Style: Sendable, Hashable {
    public var role: Role
    public var bold: Bool
    public var reverse: Bool
    public init(_ role: Role = .normal, bold: Bool = false, reverse: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
    }
}

/// One screen cell. A wide character fills its cell and marks the next as a continuation.
public struct Cell: Sendable, Hashable {
    public var text: String
    public var style: Style
    public var isContinuation: Bool
    public static let blank = Cell(text: " ", style: Style(), isContinuation: false)
}

/// An off-screen screen: what one frame looks like, compared with the last to find what changed.
public struct Grid: Sendable, Equatable {
    public let cols: Int
    public let rows: Int
    public private(set) var cells: [Cell]
    /// Draw box lines and symbols with ASCII (no UTF-8 locale).
    public var ascii = false
    /// What a mouse click at a cell means, registered by the widgets as they draw (later ones
    /// win: a row over its pane). Only the console with the mouse on reads them.
    public var hotspots: [Hotspot] = []

    /// A rectangle of the screen and what a click there points at.
    public struct Hotspot: Sendable, Equatable {
        public var rect: Rect
        public var target: MouseTarget
    }

    /// What is under the cell (x, y), if anything a click can act on.
    public func hit(x: Int, y: Int) -> MouseTarget? {
        hotspots.last { $0.rect.contains(x: x, y: y) }?.target
    }

    /// Each ASCII byte as a one-character String, made once.
    static let asciiText: [String] = (0..<128).map { String(Character(Unicode.Scalar(UInt8($0)))) }

    public init(cols: Int, rows: Int, fill: Cell = .blank) {
        self.cols = max(0, cols)
        self.rows = max(0, rows)
        cells = Array(repeating: fill, count: self.cols * self.rows)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * cols + x] }
        set { cells[y * cols + x] = newValue }
    }

    /// Writes `text` (sanitised, measured) at (x, y), clipped to `maxWidth` columns and the
    /// grid. Returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = Style()) -> Int {
        guard y >= 0, y < rows, x < cols else { return 0 }
        let limit = min(maxWidth ?? cols, cols - max(0, x))
        guard limit > 0 else { return 0 }
        var col = x
        let end = x + limit
        // Most of a frame is printable ASCII (ids, times, numbers) or one-column text (borders,
        // ` · `, Latin names): a cell a byte or a scalar, nothing to sanitise or measure. The
        // per-character path below was most of a frame's cost while the console watched a
        // busy network (`bench watch`).
        if TerminalText.isPrintableASCII(text) {
            for b in text.utf8 {
                if col >= end { break }
                if col >= 0 { self[col, y] = Cell(text: Self.asciiText[Int(b)], style: style, isContinuation: false) }
                col += 1
            }
            return col - x
        }
        if !ascii, TerminalText.narrowScalarCount(text) != nil {
            for scalar in text.unicodeScalars {
                if col >= end { break }
                if col >= 0 { self[col, y] = Cell(text: String(Character(scalar)), style: style, isContinuation: false) }
                col += 1
            }
            return col - x
        }
        let clean = TerminalText.sanitize(text)
        for c in ascii ? TerminalText.ascii(clean) : clean {
            let w = TerminalText.width(c)
            if w == 0 {
                // A stray combining mark with no base in this cell: attach it to the previous cell.
                if col > x, col - 1 < cols { self[col - 1, y].text.append(c) }
                continue
            }
            if col + w > end { break }
            if col >= 0 {
                self[col, y] = Cell(text: String(c), style: style, isContinuation: false)
                if w == 2 { self[col + 1, y] = Cell(text: "", style: style, isContinuation: true) }
            }
            col += w
        }
        return col - x
    }

    /// Fills a rectangle with spaces in `style`.
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, style: Style = Style()) {
        for yy in max(0, y)..<min(rows, y + height) {
            for xx in max(0, x)..<min(cols, x + width) { self[xx, yy] = Cell(text: " ", style: style, isContinuation: false) }
        }
    }

    /// A box with a title in its top border.
    public mutating func box(x: Int, y: Int, width: Int, height: Int, title: String, focused: Bool) {
        guard width >= 2, height >= 2 else { return }
        let b = Style(focused ? .borderFocused : .border, bold: focused)
        let (h, v, tl, tr, bl, br) =
            ascii ? ("-", "|", "+", "+", "+", "+") : (focused ? ("━", "┃", "┏", "┓", "┗", "┛") : ("─", "│", "┌", "┐", "└", "┘"))
        write(tl + String(repeating: h, count: width - 2) + tr, x: x, y: y, style: b)
        for yy in (y + 1)..<(y + height - 1) {
            write(v, x: x, y: yy, style: b)
            write(v, x: x + width - 1, y: yy, style: b)
        }
        write(bl + String(repeating: h, count: width - 2) + br, x: x, y: y + height - 1, style: b)
        if width > 6 && !title.isEmpty {
            write(" \(title) ", x: x + 2, y: y, maxWidth: width - 4, style: Style(focused ? .titleFocused : .title, bold: true))
        }
    }

    /// The grid as plain text lines (continuations skipped), for tests and snapshots.
    public var lines: [String] {
        (0..<rows).map { y in
            var s = ""
            for x in 0..<cols where !self[x, y].isContinuation { s += self[x, y].text }
            return s
        }
    }
}
