/// A JSON value kept losslessly: object members in their original order, numbers as their
/// original text (so an integer beyond Int64 survives untouched).
///
/// Used where the schema is open: an alert's `details`, events of unknown types, the
/// detail view's pretty printing.
public indirect enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    /// The number's JSON text, exactly as received.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([Member])

    public struct Member: Sendable, Equatable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Parses one JSON document (surrounding white space allowed, nothing else).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let array = Array(bytes)
        do {
            return try array.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> JSONValue in
                var scanner = JSONScanner(raw)
                let value = try scanner.readValue()
                try scanner.expectEnd()
                return value
            }
        } catch {
            throw (error as? JSONError) ?? JSONError("\(error)", at: 0)
        }
    }

    /// Parses one JSON document from text.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// The member named `key` of an object (the last one when repeated), else `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.key == key })?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        if case .number(let n) = self { return Int(n) }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    public var isNull: Bool { self == .null }
}

/// A JSON syntax error with the byte offset where it was noticed.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    /// Compact JSON text (no spaces), with strings escaped as JSON requires.
    public var compactText: String {
        var out = ""
        write(to: &out, indent: nil, level: 0)
        return out
    }

    /// Indented JSON text for people (two spaces per level), members in their original order.
    public var prettyText: String {
        var out = ""
        write(to: &out, indent: "  ", level: 0)
        return out
    }

    private func write(to out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSONValue.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                item.write(to: &out, indent: indent, level: level + 1)
            }
            if let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += "," }
                if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                JSONValue.appendQuoted(m.key, to: &out)
                out += indent == nil ? ":" : ": "
                m.value.write(to: &out, indent: indent, level: level + 1)
            }
            if let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string literal: quotes, backslash and control characters escaped.
    /// With `asciiOnly`, every non-ASCII character is escaped too (`\u00e9`, surrogate pairs
    /// above U+FFFF), as Python's `json.dumps` does by default.
    public static func appendQuoted(_ s: String, to out: inout String, asciiOnly: Bool = false) {
        func u4(_ v: UInt32) -> String {
            let hex = String(v, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E && scalar.value <= 0xFFFF) {
                    out += u4(scalar.value)
                } else if asciiOnly && scalar.value > 0xFFFF {
                    let v = scalar.value - 0x10000
                    out += u4(0xD800 + (v >> 10)) + u4(0xDC00 + (v & 0x3FF))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `s` as a JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = ""
        appendQuoted(s, to: &out)
        return out
    }
}
