/// The one definition of what a terminal would act on, used by every place that writes network
/// text where a terminal can see it: the console's cells, `tail --format text` and
/// `tail --format jsonl` to a terminal. Each chooses how an unsafe scalar looks; none decides
/// on its own which scalars are unsafe.
public enum TerminalSafety {
    /// C0 controls (ESC among them), DEL, C1 controls (8-bit CSI, OSC, DCS …), and the bidi
    /// embedding, override, isolate and mark characters that reorder what follows them.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true
        default: false
        }
    }

    /// `text` with each unsafe scalar replaced by what `replacement` gives for it.
    ///
    /// - Returns: `text` itself (no copy) when nothing in it is unsafe, the common case.
    /// - Complexity: O(n) scalars.
    public static func replacingUnsafe(_ text: String, with replacement: (Unicode.Scalar) -> String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out.append(contentsOf: replacement(scalar).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
