import DashSettings
import Foundation
import NIOSSL
import RealtimeProtocol

/// Turns the config file and the connection options into a ``ClientConfiguration``.
///
/// Tokens come from `--token-file`, else `REALTIME_DASH_TOKEN`, else each configured tenant's
/// `token_file`/`token_env`; never from a command-line value. With a single token the tenant id
/// is read from its `tenant_id` claim (unverified, for display only; the server decides).
public enum ClientSetup {
    public struct Options: Sendable {
        public var configPath: String? = nil
        /// The config's profile to use (nil: the config's `profile`, else none).
        public var profile: String? = nil
        public var apiURL: String? = nil
        public var basePath: String? = nil
        public var tokenFile: String? = nil
        /// PEM file of a private CA to trust for https:// and wss:// (besides the system's roots).
        public var caFile: String? = nil
        /// Accept any certificate. Only from an explicit, loudly labelled option.
        public var insecureSkipTLSVerify = false
        public init() {}
    }

    public static let tokenVariable = "REALTIME_DASH_TOKEN"

    /// The default config path: `$XDG_CONFIG_HOME/realtime-dash/config.json` (or `~/.config/…`).
    public static func defaultConfigPath(environment: [String: String]) -> String {
        XDGPaths(environment: environment).configFile
    }

    /// Loads the config: an explicit path must exist; the default path is used only if present.
    public static func loadConfig(_ options: Options, environment: [String: String]) throws(ConfigError) -> DashConfig {
        if let path = options.configPath { return try DashConfig.load(path: path) }
        let path = defaultConfigPath(environment: environment)
        if FileManager.default.fileExists(atPath: path) { return try DashConfig.load(path: path) }
        return DashConfig()
    }

    public static func resolve(
        _ options: Options, config: DashConfig, environment: [String: String]
    ) throws(ConfigError) -> ClientConfiguration {
        let config = try config.applying(profile: options.profile ?? config.profile)
        let catalogue: EndpointCatalogue
        do {
            catalogue = try EndpointCatalogue(
                origin: options.apiURL ?? config.apiURL, basePath: options.basePath ?? config.basePath)
        } catch {
            throw ConfigError(error.description)
        }
        var sources: [String: TokenSource] = [:]
        var tenants: [String] = []
        func single(_ source: TokenSource) {
            let store = TokenStore(sources: ["_": source], environment: environment)
            let claimed = (try? store.token(for: "_")).flatMap(JWTClaims.decodeUnverified)?.tenantID
            let id = claimed ?? config.tenants.first?.id ?? "default"
            tenants = [id]
            sources = [id: source]
        }
        if let file = options.tokenFile {
            single(.file(file))
        } else if let value = environment[tokenVariable], !value.isEmpty {
            single(.environment(tokenVariable))
        } else if !config.tenants.isEmpty {
            for t in config.tenants {
                tenants.append(t.id)
                sources[t.id] = t.tokenFile.map { .file($0) } ?? .environment(t.tokenEnv!)
            }
        } else {
            throw ConfigError(
                "no token: pass --token-file FILE, set \(tokenVariable), or list tenants with a token_file or token_env in \(options.configPath ?? defaultConfigPath(environment: environment))"
            )
        }
        var c = ClientConfiguration(
            catalogue: catalogue, tenants: tenants, tokens: TokenStore(sources: sources, environment: environment))
        c.apply(config)
        var endpoints: [Endpoint] =
            config.streams.combinedEvents ? [.events] : config.streams.sse.compactMap { try? Endpoint(name: $0) }
        if config.streams.wsSessions { endpoints.append(.wsSessions) }
        c.endpoints = endpoints
        c.tls = try tlsConfiguration(caFile: options.caFile ?? config.caFile, insecure: options.insecureSkipTLSVerify)
        c.insecureTLS = options.insecureSkipTLSVerify
        return c
    }

    /// The client TLS settings: the system trust store, plus a private CA when given; with
    /// `insecure`, no verification at all (the console and tail say so loudly).
    public static func tlsConfiguration(caFile: String?, insecure: Bool) throws(ConfigError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        // Closing waits this long for the server's close_notify (NIOSSL's default is 5 s): a
        // quit, a reconnect or a token change should not stall on a server that never answers.
        tls.shutdownTimeout = .milliseconds(500)
        if let caFile {
            let path = NSString(string: caFile).expandingTildeInPath
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ConfigError("the CA file \(caFile) cannot be read")
            }
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                guard !certificates.isEmpty else { throw ConfigError("the CA file \(caFile) holds no PEM certificate") }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch let error as ConfigError {
                throw error
            } catch {
                throw ConfigError("the CA file \(caFile) is not a PEM certificate: \(error)")
            }
        }
        if insecure { tls.certificateVerification = .none }
        return tls
    }
}
