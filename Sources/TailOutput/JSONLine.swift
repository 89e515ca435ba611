import Foundation
import RealtimeProtocol

/// One event's JSON as one jsonl line.
///
/// An event that decoded is valid JSON, so a control byte in it can only be whitespace between
/// tokens (a payload that arrived pretty-printed over several `data:` lines): those become spaces,
/// which keeps one event per line and changes no value. To a terminal, C1 controls, DEL, bidi
/// controls and invalid UTF-8 are also written as `\uXXXX` escapes (valid JSON, same value), so
/// nothing in an event can drive the operator's terminal; to a pipe or file the bytes are exact.
public enum JSONLine {
    public static func safe(_ raw: [UInt8], terminal: Bool) -> [UInt8] {
        var clean = true
        for b in raw where b < 0x20 || (terminal && b >= 0x7F) { clean = false; break }
        if clean { return raw }
        if !terminal {
            return raw.map { $0 < 0x20 ? 0x20 : $0 }
        }
        var out = ""
        out.reserveCapacity(raw.count + 16)
        for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20: out += " "
            case _ where TerminalSafety.isUnsafe(scalar) || scalar.value == 0xFFFD:
                // Invalid UTF-8 (decoded as U+FFFD) is escaped too: the bytes a terminal got would not be it.
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return Array(out.utf8)
    }
}
