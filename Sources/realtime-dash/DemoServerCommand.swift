import ArgumentParser
import DemoBackend
import Foundation
import Logging
import RealtimeProtocol
import ServiceLifecycle
import UnixSignals

/// `realtime-dash demo-server`: the demo backend on its own, for `tail`, curl and the console.
struct DemoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-server",
        abstract: "Run the embedded demo backend (a protocol-faithful stand-in for the DotMac realtime API).",
        discussion: """
            Serves every endpoint of the realtime API over real sockets with a seeded ISP simulation. \
            Ctrl-C stops it. With --admin it also serves test controls under /__admin \
            (publish, storm, drop, stall, fail, ws-close, resume-mode, job-sockets, ws-forwarding, firehose, job, \
            token, stats).

            POST /__admin/storm?tenant=t-01&scope=SCOPE makes a storm: scope=pon cuts one PON's fibre (its ONUs \
            offline within seconds, their sessions stopped with Lost-Carrier, a critical pon_los alert, recovery \
            after 20-60 s); scope=area is an area's power failure (dying gasps from the ONUs of 3+ neighbouring PONs \
            of one OLT, a dying_gasp alert per PON); scope=olt takes a whole OLT down; scope=flap raises and clears \
            bgp_session_down on rtr-edge-01 four times. olt=olt-03 chooses the OLT (pon, area, olt) and pon=11 the PON \
            (pon); rate=N&duration=S floods \
            ONU flaps instead. It answers what it hit: {"storm":true,"olt":"olt-03","pon":11,"onus":32}.
            """
    )

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8000
    @Option(help: "REST base path (default /api/isp/v1, or /api/v1 with --era legacy).") var basePath: String?
    @Option(help: "Which backend release to imitate: current or legacy.") var era: String = "current"
    @Option(help: "Simulation seed: the same seed gives the same events.") var seed: UInt64 = 1
    @Option(help: "Number of tenants (t-01, t-02, …).") var tenants = 2
    @Option(help: "Scale the simulation's event rates (0 = no background events).") var rate: Double = 1
    @Option(help: "Seconds between SSE ping comments.") var pingInterval: Double = 15
    @Option(help: "Write a token for the first tenant (every permission) to this file, mode 0600.") var tokenOut: String?
    @Option(help: "Lifetime of the --token-out token, in seconds.") var tokenLifetime: Int64 = 86_400
    @Option(help: "HS256 secret file: read if it exists, else created (mode 0600). Lets 'realtime-dash token' mint tokens.")
    var secretFile: String?
    @Option(
        help:
            "Every new stream first gets this many pre-rendered events, as fast as the socket takes them (one HTTP chunk per event, as the real backend writes them)."
    ) var firehose = 0
    @Option(help: "Serve https:// and wss:// with this PEM certificate chain (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Flag(help: "Serve the /__admin test controls.") var admin = false
    @Flag(help: "Answer resume_job with an ack (the current real backend ignores it).") var answerResume = false
    @Option(help: "Answer every job and campaign WebSocket upgrade with this HTTP status (the current real backend: 500).")
    var refuseJobSockets: Int?
    @Option(
        help: "Stop forwarding a WebSocket's events this many seconds after subscribing or its last event (the real backend: 5).")
    var wsForwarding: Double?

    func validate() throws {
        guard DemoBackend.Configuration.Era(rawValue: era) != nil else {
            throw ValidationError("--era must be current or legacy, not '\(era)'")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (1...50).contains(tenants) else { throw ValidationError("--tenants must be between 1 and 50") }
        guard rate >= 0, rate.isFinite else { throw ValidationError("--rate must be 0 or more") }
        guard pingInterval > 0 else { throw ValidationError("--ping-interval must be positive") }
        if let w = wsForwarding, !(w > 0) { throw ValidationError("--ws-forwarding must be a positive number of seconds") }
        if let s = refuseJobSockets, !(400...599).contains(s) {
            throw ValidationError("--refuse-job-sockets must be an HTTP error status (400-599), not \(s)")
        }
    }

    func run() async throws {
        var config = DemoBackend.Configuration()
        config.host = host
        config.port = port
        config.basePath = basePath
        config.era = DemoBackend.Configuration.Era(rawValue: era)!
        config.seed = seed
        config.tenantCount = tenants
        config.rate = rate
        config.pingInterval = .milliseconds(Int64(pingInterval * 1000))
        config.admin = admin
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): config.tls = (cert, key)
        case (nil, nil): break
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        if let secretFile { config.secret = try SecretFile.loadOrCreateSecret(at: secretFile) }
        var logger = Logger(label: "demo-server")
        // The command prints its own status lines; Hummingbird's shutdown chatter (it logs the
        // cancellation of Ctrl-C at error level) is not for operators.
        logger.logLevel = .critical
        config.logger = logger
        let backend = DemoBackend(config)
        backend.setResumeAnswered(answerResume)
        backend.refuseJobSockets(status: refuseJobSockets)
        backend.stopForwardingWebSockets(after: wsForwarding.map { .milliseconds(Int64($0 * 1000)) })
        if firehose > 0 { backend.armFirehose(count: firehose) }
        let tokenOut = self.tokenOut
        let tokenLifetime = self.tokenLifetime
        let service = DemoBackendService(backend) { port in
            let lines = backend.banner(port: port, tokenOut: tokenOut, tokenLifetime: tokenLifetime)
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        // Ctrl-C and SIGTERM shut the server down gracefully (its streams closed).
        try await ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger)
        ).run()
        FileHandle.standardError.write(Data("demo-server stopped\n".utf8))
    }
}

/// `realtime-dash token`: mints a JWT with a demo-server's secret.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint an access token for a demo-server started with --secret-file."
    )

    @Option(help: "The demo-server's secret file.") var secretFile: String
    @Option(help: "Tenant id (the token's tenant_id claim); omit for a token without one.") var tenant: String?
    @Option(help: "Comma-separated permissions (default: all of PROTOCOL.md §4).") var permissions: String?
    @Option(help: "Lifetime in seconds (negative: already expired).") var lifetime: Int64 = 900
    @Option(help: "The sub claim.") var subject = "demo-operator"
    @Option(help: "Write the token to this file (mode 0600) instead of standard output.") var out: String?

    func run() throws {
        let secret = try SecretFile.read(secretFile)
        let authority = TokenAuthority(secret: Array(secret.utf8))
        let perms =
            permissions.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? TokenAuthority.allPermissions
        let token = authority.mint(
            tenant: tenant, subject: subject, permissions: perms, lifetime: lifetime, now: Int64(Date().timeIntervalSince1970))
        if let out {
            try SecretFile.write(token + "\n", to: out)
        } else {
            print(token)
        }
    }
}
