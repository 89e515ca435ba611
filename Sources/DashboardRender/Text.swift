import RealtimeProtocol
/// The one sanitiser and the one width function every network string goes through before it
/// reaches a cell.
public enum TerminalText {
    /// Control characters and bidi controls become visible placeholders: C0 as Unicode control
    /// pictures (ESC shows as ␛), DEL as ␡, C1 and bidi overrides/isolates as ⍰. Nothing that a
    /// terminal would interpret survives.
    public static func sanitize(_ s: String) -> String {
        // Printable ASCII has nothing to replace: checked a buffer at a time, not a scalar at a
        // time (every cell of every frame comes through here).
        if isPrintableASCII(s) { return s }
        return TerminalSafety.replacingUnsafe(s) { scalar in
            switch scalar.value {
            case 0x00..<0x20: String(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: "\u{2421}"
            default: "\u{2370}"
            }
        }
    }

    /// For a terminal whose locale is not UTF-8: the symbols the screens use as ASCII look-alikes,
    /// any other non-ASCII character as `?` (`??` for a wide one, so columns stay where they were).
    public static func ascii(_ s: String) -> String {
        guard !s.utf8.allSatisfy({ $0 < 0x80 }) else { return s }
        var out = ""
        for c in s {
            if c.isASCII { out.append(c); continue }
            switch c {
            case "▼": out += "v"
            case "▲": out += "^"
            case "…": out += "~"
            case "▸": out += ">"
            case "▏", "│", "┃": out += "|"
            case "─", "━": out += "-"
            case "●": out += "*"
            case "◌": out += "~"
            case "✖": out += "x"
            case "■": out += "#"
            case "█", "▓", "▒": out += "#"
            case "░": out += "."
            case "·": out += "."
            case "—", "–": out += "-"
            default: out += width(c) == 2 ? "??" : (width(c) == 0 ? "" : "?")
            }
        }
        return out
    }

    @inline(__always)
    /// Columns a character takes: 0 for combining marks and zero-width characters, 2 for East
    /// Asian wide and fullwidth characters and emoji, 1 otherwise.
    public static func width(_ c: Character) -> Int {
        var w = 0
        for (i, scalar) in c.unicodeScalars.enumerated() {
            let sw = width(scalar)
            if i == 0 { w = sw } else if sw == 2 && scalar.properties.isEmojiPresentation { w = 2 }
        }
        if c.unicodeScalars.contains(where: { $0.value == 0xFE0F }) { w = 2 }
        return w
    }

    public static func width(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        // Printable ASCII: one column, without a Unicode property lookup.
        if v >= 0x20 && v < 0x7F { return 1 }
        if v == 0 { return 0 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1160...0x11FF).contains(v) || v == 0x200B { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3, 0x25FD...0x25FE, 0x2614...0x2615,
            0x2648...0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
            0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C, 0x274E, 0x2753...0x2755, 0x2757,
            0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C, 0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E,
            0x1F1E6...0x1F1FF,
            0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
            0x1FA70...0x1FAFF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Display width of a whole string.
    public static func width(_ s: String) -> Int {
        if isPrintableASCII(s) { return s.utf8.count }
        if let n = narrowScalarCount(s) { return n }
        return s.reduce(0) { $0 + width($1) }
    }

    /// Every byte printable ASCII: one column each, one character each (the fast path of a frame
    /// full of ids, times and numbers).
    static func isPrintableASCII(_ s: String) -> Bool {
        // 0x20..<0x7F, as one unsigned comparison per byte and no early exit: a loop the
        // compiler vectorises (cells are short; a scan to the end costs less than a branch per byte).
        s.utf8.withContiguousStorageIfAvailable { bytes in
            var outside: UInt8 = 0
            for b in bytes { outside |= b &- 0x20 >= 0x5F ? 1 : 0 }
            return outside == 0
        } ?? s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// How many scalars `s` has when every one is a one-column character of its own: printable
    /// ASCII, Latin-1 and Latin Extended letters (not the soft hyphen), the dashes, bullets and
    /// ellipsis of General Punctuation, box drawing and blocks; nil otherwise (a combining mark,
    /// a control, anything wide or unusual takes the per-character path). The screens' own
    /// separators (` · `, `…`, `─`) keep a line on this fast path.
    static func narrowScalarCount(_ s: String) -> Int? {
        var n = 0
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x20..<0x7F, 0xA0..<0xAD, 0xAE..<0x300, 0x2010...0x2027, 0x2500..<0x25A0: n += 1
            default: return nil
            }
        }
        return n
    }

    /// Cuts `s` to at most `columns` display columns, ending in … when cut.
    public static func truncate(_ s: String, to columns: Int) -> String {
        guard columns > 0 else { return "" }
        if isPrintableASCII(s) { return s.utf8.count <= columns ? s : String(s.prefix(columns - 1)) + "…" }
        if let n = narrowScalarCount(s) {
            guard n > columns else { return s }
            let scalars = s.unicodeScalars
            return String(scalars[..<scalars.index(scalars.startIndex, offsetBy: columns - 1)]) + "…"
        }
        guard width(s) > columns else { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = width(c)
            if used + w > columns - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }
}
