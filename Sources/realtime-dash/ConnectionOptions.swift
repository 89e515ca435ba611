import ArgumentParser
import RealtimeClient
import RealtimeProtocol

/// The connection options shared by the console and `tail`.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Config file (default: $XDG_CONFIG_HOME/realtime-dash/config.json, if it exists).")
    var config: String?

    @Option(help: "A profile of the config: its backend, tenants and look (default: the config's 'profile').")
    var profile: String?

    @Option(help: "Backend origin, e.g. https://noc.example.net (overrides api_url).")
    var apiURL: String?

    @Option(help: "REST base path: /api/isp/v1 (default), /api/v1 (older releases) or /api/platform/v1.")
    var basePath: String?

    @Option(help: "File holding the access token (or set REALTIME_DASH_TOKEN). Tokens are never accepted as a value.")
    var tokenFile: String?

    @Option(help: "PEM file of a private CA to trust for https:// and wss:// (the system trust store is always used too).")
    var caFile: String?

    @Flag(
        name: .customLong("insecure-skip-tls-verify"),
        help: "DANGEROUS: accept any TLS certificate (no verification). Shown in red on screen and warned on stderr while in use."
    )
    var insecureSkipTLSVerify = false

    var setupOptions: ClientSetup.Options {
        var o = ClientSetup.Options()
        o.configPath = config
        o.profile = profile
        o.apiURL = apiURL
        o.basePath = basePath
        o.tokenFile = tokenFile
        o.caFile = caFile
        o.insecureSkipTLSVerify = insecureSkipTLSVerify
        return o
    }
}
