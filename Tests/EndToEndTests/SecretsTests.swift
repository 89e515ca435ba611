import DashTestSupport
import DemoBackend
import Foundation
import RealtimeProtocol
import Testing

/// Tokens are secrets: never in the log (at trace level), on screen, or on a command line.
extension EndToEnd {
    @Suite("Secrets", .serialized)
    struct SecretsTests {
        /// The token's signature: a leak of any useful part of a JWT includes it.
        func signature(_ token: String) -> String { String(token.split(separator: ".").last ?? "") }

        @Test(
            "a full console session at trace level: rotation, expiry and 401s, and no token in the log, on screen or in ps; the warnings are on screen",
            .timeLimit(.minutes(2)))
        func console() async throws {
            var c = DemoBackend.Configuration()
            c.runsSimulation = true
            c.rate = 1
            c.randomStorms = false
            c.tenantCount = 1
            c.pingInterval = .seconds(1)
            try await withDemoBackend(c) { server in
                let b = server.backend
                let config = try scratchDirectory() + "/config.json"
                try #"{"log": {"level": "trace"}}"#.write(toFile: config, atomically: true, encoding: .utf8)
                // A token that expires in two minutes, in a file others can read: two warnings.
                let first = b.mintToken(tenant: "t-01", lifetime: 120)
                let console = try await ConsoleUnderTest.start(
                    server: server, cols: 200, rows: 50, extraArguments: ["--config", config],
                    executable: realtimeDashBinary, token: first, tokenMode: 0o644)
                defer { console.stop() }
                try await console.waitForScreen(timeout: 60, "a token warning") {
                    $0.contains("readable by others") || $0.contains("expires in")
                }
                let cmdline = (try? String(contentsOfFile: "/proc/\(console.child.pid)/cmdline", encoding: .utf8)) ?? ""
                #expect(!cmdline.isEmpty && !cmdline.contains(signature(first)), "no token on the command line")
                console.send("C")
                try await console.waitForScreen(timeout: 30, "both warnings in the C panel") {
                    $0.contains("expires in") && $0.contains("chmod 600")
                }
                console.send("C")

                // An expired token: every stream fails with 401 and says so.
                let expired = b.mintToken(tenant: "t-01", lifetime: -60)
                try SecretFile.write(expired, to: console.tokenFile)
                b.dropAllConnections()
                try await console.waitForScreen(timeout: 60, "auth failures after the token expired") { $0.contains("auth") }
                // A fresh one: picked up from the file, live again.
                let fresh = b.mintToken(tenant: "t-01", lifetime: 3600)
                try SecretFile.write(fresh, to: console.tokenFile)
                let mark = console.bytesWritten
                console.send("R")
                try await Task.sleep(for: .seconds(2))
                _ = mark
                _ = await console.quit()

                let log = (try? String(contentsOfFile: console.logFile, encoding: .utf8)) ?? ""
                let screen = String(decoding: console.terminal.bytes, as: UTF8.self)
                #expect(log.count > 1000, "the trace log has the session (\(log.count) bytes)")
                #expect(log.contains("401") || log.lowercased().contains("auth"), "the 401s are in the log")
                for token in [first, expired, fresh] {
                    #expect(!log.contains(signature(token)), "a token in the log")
                    #expect(!screen.contains(signature(token)), "a token on screen")
                }
            }
        }

        @Test("tail with REALTIME_DASH_TOKEN: the token is in neither output, nor the command line")
        func tailFromEnvironment() async throws {
            try await withDemoBackend(quiet()) { server in
                let token = server.backend.mintToken(tenant: "t-01")
                let dir = try scratchDirectory()
                let child = try Child.spawn(
                    [
                        realtimeDashBinary, "tail", "--api-url", server.origin, "--endpoint", "alerts", "--format", "text",
                        "--duration", "1",
                    ],
                    environment: ["REALTIME_DASH_TOKEN": token], stdout: dir + "/out", stderr: dir + "/err")
                let cmdline = (try? String(contentsOfFile: "/proc/\(child.pid)/cmdline", encoding: .utf8)) ?? ""
                let status = await child.wait(timeout: 20)
                #expect(status == 0)
                let out = (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? ""
                let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
                #expect(err.contains("live"))
                #expect(!cmdline.contains(signature(token)) && !out.contains(signature(token)) && !err.contains(signature(token)))
            }
        }
    }
}
