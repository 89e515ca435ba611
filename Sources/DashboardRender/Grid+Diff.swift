/// What must reach the terminal to turn the last frame into this one.
public struct GridDiff: Sendable, Equatable {
    /// The screen is cleared first (no last frame, or its size differs).
    public var clear: Bool
    /// The cells to write, as `y * cols + x`, in screen order. A continuation cell (the right
    /// half of a wide character) is never listed: writing the wide character covers it.
    public var cells: [Int]

    public init(clear: Bool, cells: [Int]) {
        self.clear = clear
        self.cells = cells
    }
}

extension Grid {
    /// The cells that differ from `previous`: every cell, after a clear, when there is no
    /// previous frame or its size differs.
    ///
    /// A wide character that replaces two narrow ones is one write (its continuation is
    /// covered); two narrow characters that replace a wide one are two writes, since the old
    /// continuation cell now differs too.
    ///
    /// - Complexity: O(cols × rows).
    public func diff(from previous: Grid?) -> GridDiff {
        let full = previous.map { $0.cols != cols || $0.rows != rows } ?? true
        var out: [Int] = []
        for i in cells.indices where !cells[i].isContinuation {
            if full || previous!.cells[i] != cells[i] { out.append(i) }
        }
        return GridDiff(clear: full, cells: out)
    }
}
