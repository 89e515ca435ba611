import Foundation
import RealtimeProtocol

extension DemoBackend {
    /// What `demo-server` prints once it listens on `port`: the origin, the tenants, how to
    /// connect, and the test controls when they are on. With `tokenOut`, a token for the first
    /// tenant (every permission, `tokenLifetime` seconds) is written there, mode 0600; the token
    /// itself is never in the lines.
    public func banner(port: Int, tokenOut: String?, tokenLifetime: Int64) -> [String] {
        let config = configuration
        let origin = "\(config.scheme)://\(config.host):\(port)"
        var lines = [
            "demo-server listening on \(origin)  (era \(config.era.rawValue), REST base \(config.restBase), seed \(config.seed))",
            "tenants: \(tenantIDs.joined(separator: ", "))",
        ]
        if let tokenOut {
            do {
                try SecretFile.write(mintToken(tenant: tenantIDs[0], lifetime: tokenLifetime) + "\n", to: tokenOut)
                let alerts = (try? EndpointCatalogue(origin: origin, basePath: config.restBase))?.url(for: .alerts) ?? origin
                lines += [
                    "token for \(tenantIDs[0]) (every permission) written to \(tokenOut) (mode 0600)",
                    "try:  curl -sN -H \"Authorization: Bearer $(cat \(tokenOut))\" \(alerts)",
                    "      realtime-dash tail --api-url \(origin) --base-path \(config.restBase) --token-file \(tokenOut)",
                ]
            } catch {
                lines.append("could not write the token: \(error)")
            }
        } else {
            lines.append("no token written: pass --token-out FILE (or mint one with 'realtime-dash token')")
        }
        if config.admin {
            lines.append(
                "test controls: POST \(origin)/__admin/{publish,storm,drop,stall,unstall,fail,ws-close,resume-mode,job-sockets,ws-forwarding,firehose,job,token}"
            )
        }
        lines.append("Ctrl-C stops it.")
        return lines
    }
}

extension SecretFile {
    /// The HS256 secret in `path`, or a new random one written there (mode 0600) when the file
    /// does not exist yet: what lets `realtime-dash token` mint tokens for a running demo-server.
    public static func loadOrCreateSecret(at path: String) throws -> [UInt8] {
        if FileManager.default.fileExists(atPath: path) { return Array(try read(path).utf8) }
        let secret = TokenAuthority.randomSecret().map { String(format: "%02x", $0) }.joined()
        try write(secret + "\n", to: path)
        return Array(secret.utf8)
    }
}
