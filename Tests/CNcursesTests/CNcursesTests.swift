import CNcurses
import Testing

/// Proves the module imports, links against ncursesw, and that the wide-character API works
/// without a terminal.
@Suite("CNcurses")
struct CNcursesTests {
    @Test("setcchar round-trips wide characters and wcwidth measures them")
    func wideCharacters() throws {
        // wcwidth needs a UTF-8 locale; C.UTF-8 is always present on Debian.
        let previous = setlocale(LC_CTYPE, nil).map { String(cString: $0) }
        #expect(setlocale(LC_CTYPE, "C.UTF-8") != nil)
        defer { _ = previous.map { setlocale(LC_CTYPE, $0) } }

        let text = "日本é"
        let widths = text.unicodeScalars.map { Int(cn_wcwidth(wchar_t(bitPattern: $0.value))) }
        #expect(widths == [2, 2, 1])
        #expect(cn_wcwidth(wchar_t(0x0301)) == 0, "a combining mark has no width of its own")

        for scalar in text.unicodeScalars {
            var cell = cchar_t()
            var wch: [wchar_t] = [wchar_t(bitPattern: scalar.value), 0]
            let rc = cn_setcchar(&cell, &wch, cn_a_bold(), 0)
            #expect(rc == cn_ok())
            var out = [wchar_t](repeating: 0, count: 8)
            var attrs: attr_t = 0
            var pair: Int16 = 0
            #expect(getcchar(&cell, &out, &attrs, &pair, nil) == cn_ok())
            #expect(out[0] == wchar_t(bitPattern: scalar.value))
            #expect(attrs & cn_a_bold() != 0)
        }
    }
}
