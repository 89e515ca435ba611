import DashboardRender
import Testing

@Suite("Grid.diff")
struct GridDiffTests {
    func grid(_ lines: [String]) -> Grid {
        var g = Grid(cols: lines.map { TerminalText.width($0) }.max() ?? 0, rows: lines.count)
        for (y, line) in lines.enumerated() { g.write(line, x: 0, y: y) }
        return g
    }

    /// The (x, y) of each cell the diff writes.
    func written(_ d: GridDiff, cols: Int) -> [String] { d.cells.map { "\($0 % cols),\($0 / cols)" } }

    @Test("no previous frame: clear, then every cell but continuations")
    func first() {
        let g = grid(["a日b", "cdef"])
        let d = g.diff(from: nil)
        #expect(d.clear)
        #expect(written(d, cols: 4) == ["0,0", "1,0", "3,0", "0,1", "1,1", "2,1", "3,1"])
    }

    @Test("the same frame again writes nothing")
    func same() {
        let g = grid(["abcd", "efgh"])
        #expect(g.diff(from: g) == GridDiff(clear: false, cells: []))
    }

    @Test("one changed cell is one write; a style change is a change")
    func oneCell() {
        let old = grid(["abcd", "efgh"])
        var new = old
        new.write("X", x: 2, y: 1)
        #expect(written(new.diff(from: old), cols: 4) == ["2,1"])
        var styled = old
        styled.write("a", x: 0, y: 0, style: Style(.critical, bold: true))
        #expect(written(styled.diff(from: old), cols: 4) == ["0,0"])
    }

    @Test("a wide character over two narrow ones is one write; narrow ones over a wide one are two")
    func wide() {
        let narrow = grid(["abcd"])
        let wide = grid(["a日d"])
        #expect(written(wide.diff(from: narrow), cols: 4) == ["1,0"])
        #expect(written(narrow.diff(from: wide), cols: 4) == ["1,0", "2,0"])
    }

    @Test("a new size clears and writes everything")
    func resized() {
        let d = grid(["abc"]).diff(from: grid(["abcd"]))
        #expect(d.clear && d.cells.count == 3)
    }
}
