/// A forward-only JSON reader over raw bytes: the engine under ``EventDecoder`` and
/// ``JSONValue/parse(_:)-swift.type.method``.
///
/// It reads values straight from the buffer without building an intermediate tree, so the
/// event decoder can read the fields it knows into typed storage and skip the rest.
/// Strings without escapes become `String`s in one copy; invalid UTF-8 becomes U+FFFD.
/// Nesting deeper than ``maxDepth`` is an error rather than a stack overflow.
///
/// - Complexity: O(n) in the bytes read.
struct JSONScanner {
    static let maxDepth = 128

    let buf: UnsafeRawBufferPointer
    var pos = 0

    init(_ buf: UnsafeRawBufferPointer) {
        self.buf = buf
    }

    /// A number token: its byte range, whether it has a fraction or exponent.
    struct NumberToken {
        var start: Int
        var end: Int
        var isInteger: Bool
    }

    // MARK: - Basics

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < buf.count {
            let b = buf[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 } else { return }
        }
    }

    @inline(__always)
    mutating func peek() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard pos < buf.count else { throw JSONError("unexpected end of input", at: pos) }
        return buf[pos]
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONError) {
        let b = try peek()
        guard b == byte else {
            throw JSONError("expected '\(Character(Unicode.Scalar(byte)))', found \(Self.describe(b))", at: pos)
        }
        pos += 1
    }

    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if pos != buf.count { throw JSONError("unexpected \(Self.describe(buf[pos])) after the value", at: pos) }
    }

    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + String(b, radix: 16)
    }

    // MARK: - Objects

    /// Starts an object: consumes `{`. Returns false (and consumes `}`) if it is empty.
    mutating func beginObject() throws(JSONError) -> Bool {
        try expect(0x7B)
        if try peek() == 0x7D {
            pos += 1
            return false
        }
        return true
    }

    /// After a member value: consumes `,` (true: another member follows) or `}` (false).
    mutating func nextMember() throws(JSONError) -> Bool {
        let b = try peek()
        pos += 1
        if b == 0x2C { return true }
        if b == 0x7D { return false }
        throw JSONError("expected ',' or '}' in object, found \(Self.describe(b))", at: pos - 1)
    }

    /// Reads a member key and its colon. Returns the raw key bytes when the key has no
    /// escapes (the common case), else the decoded key's UTF-8.
    mutating func readKey() throws(JSONError) -> KeyToken {
        guard try peek() == 0x22 else {
            throw JSONError("expected a string key, found \(Self.describe(buf[pos]))", at: pos)
        }
        let start = pos + 1
        let i = nextQuoteOrBackslash(buf, from: start)
        if i < buf.count && buf[i] == 0x22 {
            pos = i + 1
            try expect(0x3A)
            return .raw(start, i)
        }
        let s = try readString()
        try expect(0x3A)
        return .decoded(Array(s.utf8))
    }

    enum KeyToken {
        case raw(Int, Int)
        case decoded([UInt8])
    }

    func keyBytes(_ key: KeyToken) -> [UInt8] {
        switch key {
        case .raw(let s, let e): return Array(UnsafeRawBufferPointer(rebasing: buf[s..<e]))
        case .decoded(let b): return b
        }
    }

    func keyString(_ key: KeyToken) -> String {
        switch key {
        case .raw(let s, let e): return String(decoding: UnsafeRawBufferPointer(rebasing: buf[s..<e]), as: UTF8.self)
        case .decoded(let b): return String(decoding: b, as: UTF8.self)
        }
    }

    // MARK: - Literals

    /// Consumes `null` if it is next; returns whether it did.
    @inline(__always)
    mutating func consumeNull() throws(JSONError) -> Bool {
        guard try peek() == 0x6E else { return false }
        // The four bytes at once; anything else starting with `n` gets the literal's message.
        if pos + 4 <= buf.count, buf.loadUnaligned(fromByteOffset: pos, as: UInt32.self) == Self.nullWord {
            pos += 4
            return true
        }
        try literal("null")
        return true
    }

    /// `null` as a word read from memory.
    private static let nullWord = UInt32(littleEndian: 0x6C6C_756E)

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { throw JSONError("truncated literal", at: pos) }
        let p = word.utf8Start
        for k in 0..<n where buf[pos + k] != p[k] {
            throw JSONError("invalid literal", at: pos)
        }
        pos += n
    }

    // MARK: - Strings

    /// Reads a string value. The fast path (no escapes) copies the bytes once.
    mutating func readString() throws(JSONError) -> String {
        guard try peek() == 0x22 else {
            throw JSONError("expected a string, found \(Self.describe(buf[pos]))", at: pos)
        }
        let start = pos + 1
        let i = nextQuoteOrBackslash(buf, from: start)
        guard i < buf.count else { throw JSONError("unterminated string", at: start - 1) }
        if buf[i] == 0x5C { return try readEscapedString(from: start, firstEscape: i) }
        pos = i + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
    }

    private mutating func readEscapedString(from start: Int, firstEscape: Int) throws(JSONError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(firstEscape - start + 16)
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[start..<firstEscape]))
        var i = firstEscape
        while i < buf.count {
            let b = buf[i]
            if b == 0x22 {
                pos = i + 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if b != 0x5C {
                bytes.append(b)
                i += 1
                continue
            }
            guard i + 1 < buf.count else { break }
            let e = buf[i + 1]
            i += 2
            switch e {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x2F: bytes.append(0x2F)
            case 0x62: bytes.append(0x08)
            case 0x66: bytes.append(0x0C)
            case 0x6E: bytes.append(0x0A)
            case 0x72: bytes.append(0x0D)
            case 0x74: bytes.append(0x09)
            case 0x75:
                var scalar = try hex4(at: i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate: valid only when a low one follows.
                    if i + 6 <= buf.count, buf[i] == 0x5C, buf[i + 1] == 0x75,
                        let low = try? hex4(at: i + 2), (0xDC00...0xDFFF).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD  // a lone low surrogate
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &bytes)
            default:
                throw JSONError("invalid escape '\\\(Character(Unicode.Scalar(e)))'", at: i - 2)
            }
        }
        throw JSONError("unterminated string", at: start - 1)
    }

    private func hex4(at i: Int) throws(JSONError) -> UInt32 {
        guard i + 4 <= buf.count else { throw JSONError("truncated \\u escape", at: i) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = buf[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw JSONError("invalid \\u escape", at: i)
            }
            v = v << 4 | d
        }
        return v
    }

    private func appendUTF8(_ s: Unicode.Scalar, to bytes: inout [UInt8]) {
        for unit in UTF8.encode(s)! { bytes.append(unit) }
    }

    // MARK: - Numbers

    mutating func readNumber() throws(JSONError) -> NumberToken {
        _ = try peek()
        let start = pos
        var i = pos
        var isInteger = true
        if i < buf.count && buf[i] == 0x2D { i += 1 }
        let intStart = i
        while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 { i += 1 }
        if i == intStart { throw JSONError("expected a number, found \(Self.describe(buf[start]))", at: start) }
        if i - intStart > 1 && buf[intStart] == 0x30 { throw JSONError("leading zero in number", at: start) }
        if i < buf.count && buf[i] == 0x2E {
            isInteger = false
            i += 1
            let f = i
            while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 { i += 1 }
            if i == f { throw JSONError("expected digits after '.'", at: i) }
        }
        if i < buf.count && (buf[i] == 0x65 || buf[i] == 0x45) {
            isInteger = false
            i += 1
            if i < buf.count && (buf[i] == 0x2B || buf[i] == 0x2D) { i += 1 }
            let e = i
            while i < buf.count, buf[i] >= 0x30, buf[i] <= 0x39 { i += 1 }
            if i == e { throw JSONError("expected digits in exponent", at: i) }
        }
        pos = i
        return NumberToken(start: start, end: i, isInteger: isInteger)
    }

    func numberText(_ t: NumberToken) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buf[t.start..<t.end]), as: UTF8.self)
    }

    /// The token as Int64, or nil if it is out of range. A fraction-free token only
    /// (`5.0` and `5e0` are integers too when their value is integral).
    func int64(_ t: NumberToken) -> Int64? {
        if !t.isInteger {
            guard let d = double(t), d.rounded() == d, d >= -9.2233720368547758e18, d < 9.2233720368547758e18 else { return nil }
            return Int64(d)
        }
        var i = t.start
        var negative = false
        if buf[i] == 0x2D { negative = true; i += 1 }
        var v: Int64 = 0
        while i < t.end {
            let d = Int64(buf[i] - 0x30)
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return v
    }

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The token as a Double. Short decimals take an exact fast path (mantissa < 2^53 and
    /// a power of ten ≤ 22, both exactly representable, one correctly rounded division or
    /// multiplication); anything else goes through the standard library's parser.
    func double(_ t: NumberToken) -> Double? {
        var i = t.start
        var negative = false
        if buf[i] == 0x2D { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var simple = true
        var seenDot = false
        while i < t.end {
            let b = buf[i]
            if b == 0x2E { seenDot = true; i += 1; continue }
            if b == 0x65 || b == 0x45 { simple = false; break }
            mantissa = mantissa &* 10 &+ UInt64(b - 0x30)
            digits += 1
            if seenDot { fractionDigits += 1 }
            if digits > 15 { simple = false; break }
            i += 1
        }
        if simple && fractionDigits <= 22 {
            var d = Double(mantissa)
            if fractionDigits > 0 { d /= Self.exactPowersOfTen[fractionDigits] }
            return negative ? -d : d
        }
        let d = Double(numberText(t))
        return d?.isFinite == true ? d : nil
    }

    // MARK: - Generic values

    /// Reads any value into a ``JSONValue``.
    mutating func readValue(depth: Int = 0) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw JSONError("nesting deeper than \(Self.maxDepth) levels", at: pos) }
        let b = try peek()
        switch b {
        case 0x22: return .string(try readString())
        case 0x7B:
            var members: [JSONValue.Member] = []
            guard try beginObject() else { return .object([]) }
            repeat {
                let key = try readKey()
                let value = try readValue(depth: depth + 1)
                members.append(.init(keyString(key), value))
            } while try nextMember()
            return .object(members)
        case 0x5B:
            pos += 1
            var items: [JSONValue] = []
            if try peek() == 0x5D {
                pos += 1
                return .array([])
            }
            while true {
                items.append(try readValue(depth: depth + 1))
                let c = try peek()
                pos += 1
                if c == 0x2C { continue }
                if c == 0x5D { break }
                throw JSONError("expected ',' or ']' in array, found \(Self.describe(c))", at: pos - 1)
            }
            return .array(items)
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        default:
            return .number(numberText(try readNumber()))
        }
    }

    /// Skips any value without building it.
    mutating func skipValue(depth: Int = 0) throws(JSONError) {
        guard depth < Self.maxDepth else { throw JSONError("nesting deeper than \(Self.maxDepth) levels", at: pos) }
        let b = try peek()
        switch b {
        case 0x22:
            let start = pos
            pos += 1
            while pos < buf.count {
                pos = nextQuoteOrBackslash(buf, from: pos)
                guard pos < buf.count else { break }
                let c = buf[pos]
                if c == 0x5C {
                    // Escapes are validated here too, so a skipped value is as strict as a read one.
                    guard pos + 1 < buf.count else { break }
                    switch buf[pos + 1] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: pos += 2
                    case 0x75: _ = try hex4(at: pos + 2); pos += 6
                    default: throw JSONError("invalid escape '\\\(Character(Unicode.Scalar(buf[pos + 1])))'", at: pos)
                    }
                    continue
                }
                pos += 1
                if c == 0x22 { return }
            }
            throw JSONError("unterminated string", at: start)
        case 0x7B:
            guard try beginObject() else { return }
            repeat {
                _ = try readKey()
                try skipValue(depth: depth + 1)
            } while try nextMember()
        case 0x5B:
            pos += 1
            if try peek() == 0x5D { pos += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                let c = try peek()
                pos += 1
                if c == 0x2C { continue }
                if c == 0x5D { return }
                throw JSONError("expected ',' or ']' in array, found \(Self.describe(c))", at: pos - 1)
            }
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        default: _ = try readNumber()
        }
    }
}
