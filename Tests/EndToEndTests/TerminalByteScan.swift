import DashTestSupport
import Foundation

/// Everything a program wrote to its terminal, taken apart: escape sequences by kind, and any
/// byte or character a terminal would act on that is not part of curses' drawing vocabulary.
struct TerminalByteScan: CustomStringConvertible {
    var bytes = 0
    /// CSI sequences by final byte (private ones with their `?`), e.g. "m", "H", "?h".
    var csi: [String: Int] = [:]
    /// Two-byte escapes and charset designations, e.g. "ESC =", "ESC ( B".
    var shortEscapes: [String: Int] = [:]
    /// String sequences: OSC, DCS, APC, PM, SOS. Curses draws without any.
    var stringSequences: [String: Int] = [:]
    /// C0 controls other than ESC, CR, LF, BS, TAB.
    var otherC0: [UInt8: Int] = [:]
    /// C1 controls (U+0080–U+009F) and bidi controls, as characters.
    var c1AndBidi: [UInt32: Int] = [:]

    /// The CSI final bytes ncurses uses to draw on xterm-like terminals (terminfo xterm-256color).
    static let cursesCSI: Set<String> = [
        "m", "H", "J", "K", "h", "l", "?h", "?l", "r", "A", "B", "C", "D", "G", "d", "X", "P", "@",
        "L", "M", "S", "T", "b", "E", "F", "t", ">c", "c", "n", "?n", "g", "I", "Z", "s", "u", "!p", ">m",
    ]

    init(_ data: [UInt8]) {
        bytes = data.count
        var i = 0
        while i < data.count {
            let b = data[i]
            if b == 0x1B, i + 1 < data.count {
                let next = data[i + 1]
                switch next {
                case UInt8(ascii: "["):
                    var j = i + 2
                    var privateMark = ""
                    while j < data.count, (0x30...0x3F).contains(data[j]) {
                        if data[j] == UInt8(ascii: "?") || data[j] == UInt8(ascii: ">") || data[j] == UInt8(ascii: "!") {
                            privateMark = String(UnicodeScalar(data[j]))
                        }
                        j += 1
                    }
                    while j < data.count, (0x20...0x2F).contains(data[j]) {
                        if data[j] == UInt8(ascii: "!") { privateMark = "!" }
                        j += 1
                    }
                    if j < data.count { csi[privateMark + String(UnicodeScalar(data[j])), default: 0] += 1 }
                    i = j + 1
                    continue
                case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"), UInt8(ascii: "^"), UInt8(ascii: "X"):
                    let name = [
                        UInt8(ascii: "]"): "OSC", UInt8(ascii: "P"): "DCS", UInt8(ascii: "_"): "APC", UInt8(ascii: "^"): "PM",
                        UInt8(ascii: "X"): "SOS",
                    ][next]!
                    stringSequences[name, default: 0] += 1
                    i += 2
                    continue
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"):
                    if i + 2 < data.count {
                        shortEscapes["ESC \(UnicodeScalar(next)) \(UnicodeScalar(data[i + 2]))", default: 0] += 1
                    }
                    i += 3
                    continue
                default:
                    shortEscapes["ESC \(UnicodeScalar(next))", default: 0] += 1
                    i += 2
                    continue
                }
            }
            if b < 0x20 && b != 0x1B && b != 0x0D && b != 0x0A && b != 0x08 && b != 0x09 { otherC0[b, default: 0] += 1 }
            if b == 0x7F { otherC0[b, default: 0] += 1 }
            i += 1
        }
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x80...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: c1AndBidi[scalar.value, default: 0] += 1
            default: break
            }
        }
    }

    /// CSI kinds outside curses' drawing vocabulary.
    var foreignCSI: [String] { csi.keys.filter { !Self.cursesCSI.contains($0) }.sorted() }

    var escapeSequences: Int { csi.values.reduce(0, +) + shortEscapes.values.reduce(0, +) + stringSequences.values.reduce(0, +) }

    var description: String {
        "\(bytes) bytes; \(escapeSequences) escape sequences: CSI \(csi.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); "
            + "short \(shortEscapes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); "
            + "string sequences \(stringSequences); other C0 \(otherC0); C1/bidi \(c1AndBidi)"
    }
}
