/// A rectangle of cells on the screen: where a widget draws.
public struct Rect: Sendable, Equatable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < x + width && py >= y && py < y + height }

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// Smaller by `n` cells on every side (a box's inside is `inset(1)`).
    public func inset(_ n: Int) -> Rect { Rect(x: x + n, y: y + n, width: width - 2 * n, height: height - 2 * n) }

    /// The first `rows` rows, and the rest.
    public func splitTop(_ rows: Int) -> (top: Rect, rest: Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }

    /// The last `rows` rows, and what is above them.
    public func splitBottom(_ rows: Int) -> (rest: Rect, bottom: Rect) {
        let r = min(max(0, rows), height)
        return (Rect(x: x, y: y, width: width, height: height - r), Rect(x: x, y: maxY - r, width: width, height: r))
    }

    /// Side by side, in proportion to `weights`; the rounding is spread so the parts tile exactly.
    public func columns(_ weights: [Int]) -> [Rect] {
        cuts(width, weights).map { Rect(x: x + $0.start, y: y, width: $0.length, height: height) }
    }

    /// One above the other, in proportion to `weights`.
    public func rows(_ weights: [Int]) -> [Rect] {
        cuts(height, weights).map { Rect(x: x, y: y + $0.start, width: width, height: $0.length) }
    }

    /// `count` cells of an even grid with `columns` columns, row by row.
    public func grid(_ count: Int, columns: Int) -> [Rect] {
        guard count > 0, columns > 0 else { return [] }
        let lines = (count + columns - 1) / columns
        return rows(Array(repeating: 1, count: lines)).flatMap { $0.columns(Array(repeating: 1, count: columns)) }
            .prefix(count).map { $0 }
    }

    /// A `width` × `height` rectangle centred in this one (clamped to it).
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width), ch = min(h, height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }

    private func cuts(_ length: Int, _ weights: [Int]) -> [(start: Int, length: Int)] {
        let total = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0 else { return weights.map { _ in (0, 0) } }
        var out: [(Int, Int)] = []
        var acc = 0
        for w in weights {
            let start = length * acc / total
            acc += max(0, w)
            out.append((start, length * acc / total - start))
        }
        return out
    }
}

/// Something that draws itself into a rectangle of a grid and nowhere else (ratatui's shape).
public protocol Widget {
    func render(in area: Rect, into grid: inout Grid)
}
