import DashSettings
import Foundation
import RealtimeProtocol

/// Where a tenant's token comes from. Never a command-line value.
public enum TokenSource: Sendable, Equatable, CustomStringConvertible {
    case file(String)
    case environment(String)

    public var description: String {
        switch self {
        case .file(let p): "token file \(p)"
        case .environment(let v): "environment variable \(v)"
        }
    }
}

/// A token problem, with a sentence naming the source and the fix. Never contains the token.
public struct TokenError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// Reads tokens and notices when a token file changes.
///
/// Tokens are read when needed and cached with the file's identity (inode, size, modification and
/// change times, from one `stat`); ``changedTenants()`` looks at the sources again and says whose
/// token changed, so auth-failed streams can retry at once. A file whose `stat` has not changed is
/// not read again: with 100 tenants the console re-read and re-trimmed 100 files every 2 s, a
/// fifth of its CPU while idle (`bench scale`).
public final class TokenStore: Sendable {
    private struct Entry {
        var token: String?
        var stamp: String
    }

    public let sources: [String: TokenSource]
    private let cache = Locked<[String: Entry]>([:])
    private let environment: [String: String]

    public init(sources: [String: TokenSource], environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.sources = sources
        self.environment = environment
    }

    /// The current token of `tenant`.
    public func token(for tenant: String) throws(TokenError) -> String {
        guard let source = sources[tenant] else { throw TokenError("no token source is configured for tenant '\(tenant)'") }
        let (token, stamp) = try current(tenant, source)
        cache.withLock { $0[tenant] = Entry(token: token, stamp: stamp) }
        return token
    }

    /// The token of `source` and its stamp: the cached one while its file's `stat` is unchanged.
    private func current(_ tenant: String, _ source: TokenSource) throws(TokenError) -> (String, String) {
        if case .file(let path) = source, let stamp = Self.fileStamp(expandTilde(path)),
            let cached = cache.withLock({ $0[tenant] }), cached.stamp == stamp, let token = cached.token
        {
            return (token, stamp)
        }
        return try Self.read(source, environment: environment)
    }

    /// A file's identity as far as a change to it goes; nil when it cannot be stat'ed.
    static func fileStamp(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return "\(st.st_ino)/\(st.st_size)/\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)/\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }

    /// Re-reads every source; returns the tenants whose token changed since last read.
    public func changedTenants() -> [String] {
        var changed: [String] = []
        for (tenant, source) in sources {
            let fresh = (try? current(tenant, source)) ?? (nil, "unreadable")
            let old = cache.withLock { $0[tenant] }
            if let old, old.stamp != fresh.1 || old.token != fresh.0 {
                changed.append(tenant)
            }
            cache.withLock { $0[tenant] = Entry(token: fresh.0, stamp: fresh.1) }
        }
        return changed.sorted()
    }

    /// Warnings an operator should see: a token file others can read, a token about to expire or expired.
    public func warnings(now: UTCInstant) -> [String] { notices(now: now).map(\.full) }

    /// Standing warnings about the tokens, each with a short form that fits a header line.
    public func notices(now: UTCInstant) -> [Notice] {
        var out: [Notice] = []
        for (tenant, source) in sources.sorted(by: { $0.key < $1.key }) {
            var st = stat()
            if case .file(let path) = source, stat(expandTilde(path), &st) == 0, Int(st.st_mode) & 0o077 != 0 {
                let mode = Int(st.st_mode) & 0o7777
                out.append(
                    Notice(
                        short: "token file \(tenant) readable by others: chmod 600",
                        full:
                            "the token file \(path) for tenant \(tenant) is readable by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)"
                    ))
            }
            guard let token = try? token(for: tenant), let claims = JWTClaims.decodeUnverified(token) else { continue }
            let left = claims.expiresAt - Int64(now.secondsSinceEpoch)
            if left <= 0 {
                out.append(
                    Notice(
                        short: "token \(tenant) expired: write a fresh one, press R",
                        full: "the token for tenant \(tenant) (\(source)) expired \(-left) s ago; write a fresh one and press R"))
            } else if left < 300 {
                out.append(
                    Notice(
                        short: "token \(tenant) expires in \(left) s",
                        full: "the token for tenant \(tenant) (\(source)) expires in \(left) s"))
            }
        }
        return out
    }

    static func read(_ source: TokenSource, environment: [String: String]) throws(TokenError) -> (String, String) {
        switch source {
        case .environment(let name):
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
                throw TokenError("the environment variable \(name) is not set (it should hold the access token)")
            }
            return (value, "env")
        case .file(let path):
            let p = expandTilde(path)
            guard let data = FileManager.default.contents(atPath: p) else {
                guard FileManager.default.fileExists(atPath: p) else { throw TokenError("no such file: \(p) (the token file)") }
                throw TokenError("cannot read the token file \(p): permission denied")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw TokenError("the token file \(p) is empty") }
            return (token, fileStamp(p) ?? "read/\(data.count)")
        }
    }
}
