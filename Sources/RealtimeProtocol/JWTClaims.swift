/// The claims of a DotMac access token (PROTOCOL.md §4).
///
/// ``decodeUnverified(_:)`` reads them without checking the signature: the client uses it only
/// to warn that a token is about to expire; servers verify before trusting anything here.
public struct JWTClaims: Sendable, Equatable {
    public var subject: String
    /// `nil` when the claim is missing (SSE then uses the tenant `platform`).
    public var tenantID: String?
    public var email: String?
    public var permissions: [String]
    public var type: String
    /// Expiry, seconds since the epoch.
    public var expiresAt: Int64
    public var issuedAt: Int64?

    public init(
        subject: String, tenantID: String?, email: String? = nil, permissions: [String], type: String = "access",
        expiresAt: Int64, issuedAt: Int64? = nil
    ) {
        self.subject = subject
        self.tenantID = tenantID
        self.email = email
        self.permissions = permissions
        self.type = type
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
    }

    /// The claims as compact JSON, keys in a fixed order.
    public var json: String {
        var s = "{\"sub\":\(JSONValue.quoted(subject))"
        if let tenantID { s += ",\"tenant_id\":\(JSONValue.quoted(tenantID))" }
        if let email { s += ",\"email\":\(JSONValue.quoted(email))" }
        s += ",\"permissions\":[" + permissions.map(JSONValue.quoted).joined(separator: ",") + "]"
        s += ",\"type\":\(JSONValue.quoted(type)),\"exp\":\(expiresAt)"
        if let issuedAt { s += ",\"iat\":\(issuedAt)" }
        return s + "}"
    }

    /// Parses the claims JSON; `nil` when required claims are missing or mistyped.
    public init?(json value: JSONValue) {
        guard let sub = value["sub"]?.stringValue ?? value["sub"].flatMap({ if case .number(let n) = $0 { n } else { nil } }),
            let exp = value["exp"].flatMap({ if case .number(let n) = $0 { Double(n) } else { nil } }), exp.isFinite
        else { return nil }
        subject = sub
        tenantID = value["tenant_id"]?.stringValue
        email = value["email"]?.stringValue
        if case .array(let items)? = value["permissions"] {
            permissions = items.compactMap(\.stringValue)
        } else {
            permissions = []
        }
        type = value["type"]?.stringValue ?? ""
        expiresAt = Int64(exp.rounded(.down))
        issuedAt = value["iat"].flatMap { if case .number(let n) = $0 { Double(n).map { Int64($0) } } else { nil } }
    }

    /// Reads the payload segment of a JWT without verifying its signature.
    public static func decodeUnverified(_ token: String) -> JWTClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
            let value = try? JSONValue.parse(payload)
        else { return nil }
        return JWTClaims(json: value)
    }
}

/// Base64url without padding (RFC 7515 §2).
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let b = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((b.count * 4 + 2) / 3)
        var i = 0
        while i + 2 < b.count {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        if b.count - i == 1 {
            let n = UInt32(b[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
        } else if b.count - i == 2 {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64url (padding tolerated); `nil` on any other character.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        for c in text.utf8 {
            switch c {
            case 0x41...0x5A: values.append(c - 0x41)
            case 0x61...0x7A: values.append(c - 0x61 + 26)
            case 0x30...0x39: values.append(c - 0x30 + 52)
            case 0x2D, 0x2B: values.append(62)
            case 0x5F, 0x2F: values.append(63)
            case 0x3D: continue
            default: return nil
            }
        }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 3 / 4)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (k, v) in chunk.enumerated() { n |= UInt32(v) << (18 - 6 * k) }
            out.append(UInt8(n >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}
