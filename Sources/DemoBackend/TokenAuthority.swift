import Crypto
import RealtimeProtocol

/// Mints and verifies HS256 JWTs with the claims of PROTOCOL.md §4.
public struct TokenAuthority: Sendable {
    /// The secret's bytes (SymmetricKey is not Sendable on every platform; it is made per use).
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Every permission the backend checks (PROTOCOL.md §4).
    public static let allPermissions = [
        "sessions.read", "radius.sessions.read",
        "jobs.read", "jobs.cancel", "jobs.pause",
        "campaigns.read", "firmware.campaigns.read", "campaigns.pause", "campaigns.resume", "campaigns.cancel",
    ]

    public init(secret: [UInt8]) {
        precondition(!secret.isEmpty, "an HS256 secret must not be empty")
        self.secret = secret
    }

    /// A fresh random secret (32 bytes).
    public static func randomSecret() -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public func mint(_ claims: JWTClaims) -> String {
        let signingInput = Self.header + "." + Base64URL.encode(Array(claims.json.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + Base64URL.encode(Array(mac))
    }

    /// Mints an access token for `tenant` valid for `lifetime` seconds from `now`.
    public func mint(
        tenant: String?, subject: String = "demo-operator", permissions: [String] = TokenAuthority.allPermissions,
        lifetime: Int64 = 900, now: Int64
    ) -> String {
        mint(
            JWTClaims(
                subject: subject, tenantID: tenant, email: "\(subject)@example.net", permissions: permissions,
                type: "access", expiresAt: now + lifetime, issuedAt: now))
    }

    public enum Failure: Error, Sendable, Equatable {
        case malformed, unsupportedAlgorithm, badSignature, expired, notAnAccessToken
    }

    /// Verifies signature, algorithm, type and expiry.
    public func verify(_ token: String, now: Int64) -> Result<JWTClaims, Failure> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerBytes = Base64URL.decode(String(parts[0])),
            let header = try? JSONValue.parse(headerBytes),
            let signature = Base64URL.decode(String(parts[2]))
        else { return .failure(.malformed) }
        guard header["alg"]?.stringValue == "HS256" else { return .failure(.unsupportedAlgorithm) }
        let signingInput = Array((parts[0] + "." + parts[1]).utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else {
            return .failure(.badSignature)
        }
        guard let claims = JWTClaims.decodeUnverified(token) else { return .failure(.malformed) }
        guard claims.type == "access" else { return .failure(.notAnAccessToken) }
        guard claims.expiresAt > now else { return .failure(.expired) }
        return .success(claims)
    }
}
