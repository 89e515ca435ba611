import Foundation
import RealtimeProtocol

/// A field's value as a query compares it: text, a number, or an alert severity (ordered).
public enum FieldValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case severity(AlertSeverity)

    /// How `=`, `!=` and `~` read it.
    var text: String {
        switch self {
        case .text(let s): s
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .severity(let s): s.rawValue
        }
    }

    var number: Double? {
        switch self {
        case .number(let n): n
        case .text(let s): Double(s.trimmingCharacters(in: .whitespaces))
        case .severity: nil
        }
    }
}

/// Why a query cannot be used, said the way the prompt shows it.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The `/` query of a pane: bare words (case-insensitive substrings of the row, as before),
/// `field=value`, `field!=value`, `field~regex`, and `<` `<=` `>` `>=` on numbers and severities
/// (`sev>=error`, `dbm<-27`, `progress<50`). Terms separated by spaces must all hold; `or`
/// separates alternatives (and binds looser than the spaces); a leading `!` inverts the whole
/// query. Values with spaces are quoted: `message="cpu above"`.
///
/// `=` is exact (case-insensitive) on the field's whole value, so `pon=11` never matches PON 110;
/// a field a row does not have matches nothing, except for `!=`.
public struct Query: Sendable {
    public enum Op: String, Sendable, CaseIterable {
        case notEqual = "!=", atLeast = ">=", atMost = "<=", equal = "=", regex = "~", greater = ">", less = "<"
    }

    enum Term: Sendable {
        /// A lowercased substring of the row's search key.
        case word([UInt8])
        case field(name: String, op: Op, value: String, number: Double?, severity: AlertSeverity?, regex: Pattern?)
    }

    /// A compiled `~` pattern (NSRegularExpression is immutable and safe to share).
    struct Pattern: @unchecked Sendable {
        let regex: NSRegularExpression
        func matches(_ s: String) -> Bool {
            regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
    }

    /// The text as typed.
    public let text: String
    public let inverted: Bool
    /// Alternatives (`or`) of terms that must all hold.
    let alternatives: [[Term]]

    /// No condition: every row. Stored, not computed: the sessions table asks it per row.
    public let isEmpty: Bool

    /// Whether any term reads a field (not only the search key).
    public let usesFields: Bool

    /// Whether any term is a bare word (a search of the row's every value).
    public let usesWords: Bool

    /// The field names the query reads.
    public var fieldNames: [String] {
        alternatives.flatMap { $0.compactMap { if case .field(let n, _, _, _, _, _) = $0 { n } else { nil } } }
    }

    /// A query of one bare word that is `text` as it is (for a value set by the console itself,
    /// like a subscriber id after a jump, which must not be read as query syntax).
    public static func literal(_ text: String) -> Query {
        Query(text: text, inverted: false, alternatives: text.isEmpty ? [] : [[.word(lowered(text))]])
    }

    init(text: String, inverted: Bool, alternatives: [[Term]]) {
        self.text = text
        self.inverted = inverted
        self.alternatives = alternatives
        isEmpty = alternatives.allSatisfy { $0.isEmpty }
        usesFields = alternatives.contains { terms in terms.contains { if case .field = $0 { true } else { false } } }
        usesWords = alternatives.contains { terms in terms.contains { if case .word = $0 { true } else { false } } }
    }

    /// Parses `text`; the error says what is wrong and where.
    public static func parse(_ text: String) -> Result<Query, QueryError> {
        var body = Substring(text)
        while body.first == " " { body.removeFirst() }
        let inverted = body.first == "!"
        if inverted { body.removeFirst() }
        let tokens: [(text: String, quoted: Bool)]
        switch tokenize(body) {
        case .success(let t): tokens = t
        case .failure(let e): return .failure(e)
        }
        var alternatives: [[Term]] = [[]]
        for (i, token) in tokens.enumerated() {
            if !token.quoted && token.text.lowercased() == "or" {
                if alternatives[alternatives.count - 1].isEmpty || i == tokens.count - 1 {
                    return .failure(QueryError(message: "'or' needs a condition on each side"))
                }
                alternatives.append([])
                continue
            }
            switch term(token.text, quoted: token.quoted) {
            case .success(let t): alternatives[alternatives.count - 1].append(t)
            case .failure(let e): return .failure(e)
            }
        }
        return .success(Query(text: text, inverted: inverted, alternatives: alternatives.filter { !$0.isEmpty }))
    }

    /// Does a row match? `key` makes its search key (only if a bare word needs it), `field` reads
    /// one of its fields by name.
    public func matches(key: () -> [UInt8], field: (String) -> FieldValue?) -> Bool {
        guard !isEmpty else { return true }
        var madeKey: [UInt8]? = nil
        let hit = alternatives.contains { terms in
            terms.allSatisfy { term in
                switch term {
                case .word(let needle):
                    if madeKey == nil { madeKey = key() }
                    return containsBytes(madeKey!, needle)
                case .field(let name, let op, let value, let number, let severity, let regex):
                    return Self.compare(field(name), op, value, number, severity, regex)
                }
            }
        }
        return hit != inverted
    }

    /// Matches on the search key alone (rows with no fields of their own, like gaps).
    public func matches(key: [UInt8]) -> Bool { matches(key: { key }, field: { _ in nil }) }

    static func compare(
        _ v: FieldValue?, _ op: Op, _ value: String, _ number: Double?, _ severity: AlertSeverity?, _ regex: Pattern?
    ) -> Bool {
        switch op {
        case .equal, .notEqual:
            let equal: Bool
            switch v {
            case nil: equal = false
            case .severity(let s)?: equal = severity.map { $0 == s } ?? (s.rawValue.lowercased() == value.lowercased())
            case .number(let n)?: equal = number.map { $0 == n } ?? (v!.text.lowercased() == value.lowercased())
            case .text(let s)?: equal = s.lowercased() == value.lowercased()
            }
            return equal == (op == .equal)
        case .regex:
            guard let v, let regex else { return false }
            return regex.matches(v.text)
        case .atLeast, .atMost, .greater, .less:
            let order: Int?
            if case .severity(let s)? = v, let severity {
                order = s.rank == severity.rank ? 0 : s.rank < severity.rank ? -1 : 1
            } else if let n = v?.number, let number {
                order = n == number ? 0 : n < number ? -1 : 1
            } else {
                order = nil
            }
            guard let order else { return false }
            switch op {
            case .atLeast: return order >= 0
            case .atMost: return order <= 0
            case .greater: return order > 0
            default: return order < 0
            }
        }
    }

    // MARK: Parsing

    /// Splits on spaces, keeping quoted text (`"…"`) together; quotes are removed.
    static func tokenize(_ s: Substring) -> Result<[(text: String, quoted: Bool)], QueryError> {
        var tokens: [(text: String, quoted: Bool)] = []
        var current = ""
        var quoted = false, inQuote = false, started = false
        for c in s {
            if c == "\"" {
                inQuote.toggle()
                quoted = true
                started = true
            } else if c == " " && !inQuote {
                if started { tokens.append((current, quoted)) }
                current = ""
                quoted = false
                started = false
            } else {
                current.append(c)
                started = true
            }
        }
        if inQuote { return .failure(QueryError(message: "a quote is not closed")) }
        if started { tokens.append((current, quoted)) }
        return .success(tokens)
    }

    static func term(_ token: String, quoted: Bool) -> Result<Term, QueryError> {
        // `name op value`: a name of letters, digits, `_` and `.`, right before the operator.
        let scalars = Array(token.unicodeScalars)
        var i = 0
        while i < scalars.count, isNameScalar(scalars[i]) { i += 1 }
        let opStart = i
        let rest = String(String.UnicodeScalarView(scalars[opStart...]))
        guard let op = Op.allCases.first(where: { rest.hasPrefix($0.rawValue) }) else {
            // No operator right after a name: a bare word (`olt-03/1` stays a substring).
            if !quoted, opStart == 0, let first = scalars.first, "=<>~".unicodeScalars.contains(first) {
                return .failure(QueryError(message: "'\(token)': a field name is needed before '\(first)'"))
            }
            return .success(.word(lowered(token)))
        }
        if opStart == 0 {
            return .failure(QueryError(message: "'\(token)': a field name is needed before '\(op.rawValue)'"))
        }
        let name = String(String.UnicodeScalarView(scalars[..<opStart])).lowercased()
        let value = String(rest.dropFirst(op.rawValue.count))
        if value.isEmpty && !quoted {
            return .failure(QueryError(message: "'\(token)': a value is needed after '\(op.rawValue)'"))
        }
        let number = Double(value)
        let severity = severityNamed(value)
        var pattern: Pattern? = nil
        switch op {
        case .regex:
            do {
                pattern = Pattern(regex: try NSRegularExpression(pattern: value, options: [.caseInsensitive]))
            } catch {
                return .failure(QueryError(message: "'\(token)': '\(value)' is not a regular expression"))
            }
        case .atLeast, .atMost, .greater, .less:
            if number == nil && severity == nil {
                return .failure(
                    QueryError(
                        message:
                            "'\(token)': '\(op.rawValue)' compares numbers or severities (info, warning, error, critical), not '\(value)'"
                    ))
            }
        case .equal, .notEqual:
            break
        }
        return .success(.field(name: name, op: op, value: value, number: number, severity: severity, regex: pattern))
    }

    static func isNameScalar(_ u: Unicode.Scalar) -> Bool {
        (u >= "a" && u <= "z") || (u >= "A" && u <= "Z") || (u >= "0" && u <= "9") || u == "_" || u == "."
    }

    /// `error`, `err`, `crit`, `warn`: a severity by its name or a unique start of it.
    static func severityNamed(_ s: String) -> AlertSeverity? {
        let s = s.lowercased()
        guard !s.isEmpty else { return nil }
        let names: [AlertSeverity] = [.info, .warning, .error, .critical]
        let hits = names.filter { $0.rawValue.hasPrefix(s) }
        return hits.count == 1 ? hits[0] : nil
    }

    static func lowered(_ s: String) -> [UInt8] {
        var key: [UInt8] = []
        SearchKey.append(s, to: &key)
        return key
    }
}
