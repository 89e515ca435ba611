/// What the `/` filter matches: every value in an event's JSON (strings decoded, numbers and
/// literals as written; member names left out, so `status` does not match every row), plus
/// whatever the caller adds (tenant, event type), lowercased, separated by U+001F so no match
/// spans two values. The same function makes the key for every pane.
///
/// - Complexity: O(n) in the raw bytes; one allocation for the key.
public enum SearchKey {
    static let separator: UInt8 = 0x1F

    public static func make(raw: [UInt8], extra: [String] = []) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(raw.count + 32)
        for e in extra { append(e, to: &key) }
        raw.withUnsafeBytes { buf in
            var scanner = JSONScanner(buf)
            // A body that is not JSON is still searchable as text (the detail view shows it as such).
            do {
                try collect(&scanner, into: &key, depth: 0)
            } catch {
                append(String(decoding: raw, as: UTF8.self), to: &key)
            }
        }
        return key
    }

    /// Lowercases `text` into `key`, ASCII by byte and anything else through `String`.
    public static func append(_ text: String, to key: inout [UInt8]) {
        if !key.isEmpty { key.append(separator) }
        var ascii = true
        for b in text.utf8 where b >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            for b in text.utf8 { key.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        } else {
            key.append(contentsOf: text.lowercased().utf8)
        }
    }

    private static func collect(_ s: inout JSONScanner, into key: inout [UInt8], depth: Int) throws(JSONError) {
        guard depth < JSONScanner.maxDepth else { throw JSONError("nesting too deep", at: s.pos) }
        switch try s.peek() {
        case 0x22: append(try s.readString(), to: &key)
        case 0x7B:
            guard try s.beginObject() else { return }
            repeat {
                _ = try s.readKey()
                try collect(&s, into: &key, depth: depth + 1)
            } while try s.nextMember()
        case 0x5B:
            s.pos += 1
            if try s.peek() == 0x5D {
                s.pos += 1
                return
            }
            while true {
                try collect(&s, into: &key, depth: depth + 1)
                let c = try s.peek()
                s.pos += 1
                if c == 0x2C { continue }
                if c == 0x5D { return }
                throw JSONError("expected ',' or ']'", at: s.pos - 1)
            }
        case 0x74: try s.literal("true"); append("true", to: &key)
        case 0x66: try s.literal("false"); append("false", to: &key)
        case 0x6E: try s.literal("null")
        default: append(s.numberText(try s.readNumber()), to: &key)
        }
    }
}
