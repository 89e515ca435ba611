import DashSettings
import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

/// A private CA and a server certificate for 127.0.0.1, made with the openssl command.
struct TestPKI {
    let directory: String
    var caFile: String { directory + "/ca.pem" }
    var certificate: String { directory + "/server.pem" }
    var key: String { directory + "/server.key" }

    static func make() throws -> TestPKI {
        let dir = try scratchDirectory()
        let script = """
            set -e
            cd '\(dir)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=realtime-dash test CA' 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            """
        // Child, not Foundation's Process: the shell must not inherit other tests' sockets.
        let status = try Child.spawn(["/bin/sh", "-c", script]).waitBlocking(timeout: 60)
        guard status == 0 else {
            throw HarnessError("openssl could not make the test certificates (exit \(status.map(String.init) ?? "killed"))")
        }
        return TestPKI(directory: dir)
    }
}

@Suite("TLS: https and wss", .serialized)
struct TLSTests {
    func backend(_ pki: TestPKI) -> DemoBackend.Configuration {
        quietBackend { $0.tls = (pki.certificate, pki.key) }
    }

    @Test("with --ca-file for the private CA, SSE over https and the WebSocket over wss go live and carry events")
    func privateCA() async throws {
        let pki = try TestPKI.make()
        try await withDemoBackend(backend(pki)) { server in
            #expect(server.origin.hasPrefix("https://"))
            let b = server.backend
            var config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts, .wsSessions])
            config.tls = try ClientSetup.tlsConfiguration(caFile: pki.caFile, insecure: false)
            try await withManager(config) { _, collected in
                try await eventually("both streams live over TLS") {
                    collected.isLive("t-01", .alerts) && collected.isLive("t-01", .wsSessions)
                }
                b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "tls-1"))
                try await eventually("the event over https") { collected.events(.alerts).contains { $0.1.raw.count > 0 } }
            }
        }
    }

    @Test("without the CA the system trust store refuses the certificate: never live, the reason says so")
    func untrusted() async throws {
        let pki = try TestPKI.make()
        try await withDemoBackend(backend(pki)) { server in
            let b = server.backend
            var config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts, .wsSessions])
            config.tls = try ClientSetup.tlsConfiguration(caFile: nil, insecure: false)
            try await withManager(config) { _, collected in
                try await eventually("a TLS failure on both streams") {
                    [Endpoint.alerts, .wsSessions].allSatisfy { e in
                        collected.states("t-01", e).contains { if case .backingOff = $0 { true } else { false } }
                    }
                }
                #expect(
                    !collected.states("t-01", .alerts).contains(.live) && !collected.states("t-01", .wsSessions).contains(.live))
                let reasons = collected.states("t-01", .alerts).compactMap {
                    if case .backingOff(_, _, let r) = $0 { r } else { nil }
                }
                #expect(
                    reasons.contains { $0.lowercased().contains("certificate") || $0.lowercased().contains("tls") },
                    "reasons: \(reasons)")
            }
        }
    }

    @Test("--insecure-skip-tls-verify connects to anything, and the configuration says it is insecure")
    func insecure() async throws {
        let pki = try TestPKI.make()
        try await withDemoBackend(backend(pki)) { server in
            let b = server.backend
            var config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts, .wsSessions])
            config.tls = try ClientSetup.tlsConfiguration(caFile: nil, insecure: true)
            let t0 = Date()
            try await withManager(config) { _, collected in
                try await eventually("live without verification") {
                    collected.isLive("t-01", .alerts) && collected.isLive("t-01", .wsSessions)
                }
                print("live after \(Date().timeIntervalSince(t0))")
            }
            print("manager done after \(Date().timeIntervalSince(t0))")
        }
        // Through ClientSetup, as the command line does it.
        var options = ClientSetup.Options()
        options.apiURL = "https://noc.example.net"
        options.insecureSkipTLSVerify = true
        let resolved = try ClientSetup.resolve(options, config: DashConfig(), environment: ["REALTIME_DASH_TOKEN": "x.y.z"])
        #expect(resolved.insecureTLS && resolved.tls.map { $0.certificateVerification == .none } == true)
        options.insecureSkipTLSVerify = false
        let verified = try ClientSetup.resolve(options, config: DashConfig(), environment: ["REALTIME_DASH_TOKEN": "x.y.z"])
        #expect(!verified.insecureTLS && verified.tls.map { $0.certificateVerification == .fullVerification } == true)
    }

    @Test("a CA file that is missing or not PEM is refused with a clear message")
    func badCAFile() throws {
        #expect(throws: ConfigError.self) { try ClientSetup.tlsConfiguration(caFile: "/nonexistent/ca.pem", insecure: false) }
        let path = try scratchDirectory() + "/not-a-cert.pem"
        try "hello".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ClientSetup.tlsConfiguration(caFile: path, insecure: false)
            Issue.record("a non-PEM CA file was accepted")
        } catch {
            #expect(error.description.contains(path), "\(error.description)")
        }
    }
}
