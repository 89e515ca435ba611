import DashTestSupport
import DemoBackend
import Foundation
import RealtimeProtocol
import Testing

func quiet() -> DemoBackend.Configuration {
    var c = DemoBackend.Configuration()
    c.runsSimulation = false
    c.randomStorms = false
    c.pingInterval = .milliseconds(200)
    return c
}

func tokenFile(_ token: String) throws -> String {
    let path = NSTemporaryDirectory() + "rd-e2e-\(UUID().uuidString).token"
    try SecretFile.write(token + "\n", to: path)
    return path
}

func alert(_ i: Int, tenant: String = "t-01") -> String {
    EventEncoder.json(
        type: .alertRaised, tenantID: tenant, timestamp: UTCInstant(iso8601: "2025-12-08T10:30:0\(i % 10)")!,
        payload: .alert(
            AlertEvent(
                alertID: "a-\(i)", alertType: "device_offline", severity: .critical, source: "olt-0\(i)",
                message: "OLT unreachable \(i)", details: .object([.init("n", .number("\(i)"))]))))
}

/// Waits (bounded) until the backend has `n` open streams.
func subscribed(_ b: DemoBackend, _ n: Int) async throws {
    let deadline = Date().addingTimeInterval(15)
    while b.openConnections < n {
        guard Date() < deadline else { throw CancellationError() }
        try await Task.sleep(for: .milliseconds(10))
    }
}

@Suite("realtime-dash tail (subprocess)", .serialized)
struct TailTests {
    @Test("jsonl: each event's JSON exactly as received, one per line; exit 0 at --count; states on stderr")
    func jsonl() async throws {
        try await withDemoBackend(quiet()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01")
            let file = try tokenFile(token)
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--token-file", file, "--endpoint", "alerts", "--format", "jsonl", "--count",
                "3",
            ])
            try await subscribed(b, 1)
            for i in 1...4 { b.publish(tenant: "t-01", endpoint: .alerts, json: alert(i)) }
            let r = await p.wait()
            #expect(r.status == 0, "stderr: \(r.stderr)")
            #expect(r.stdoutText == (1...3).map { alert($0) + "\n" }.joined())
            #expect(r.stderr.contains("[t-01 alerts] live"))
            #expect(!r.stderr.contains(token) && !r.stdoutText.contains(token), "the token never appears")
        }
    }

    @Test("text: one readable line per event")
    func text() async throws {
        try await withDemoBackend(quiet()) { server in
            let b = server.backend
            let file = try tokenFile(b.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--token-file", file, "--endpoint", "alerts", "--format", "text", "--count",
                "1",
            ])
            try await subscribed(b, 1)
            b.publish(tenant: "t-01", endpoint: .alerts, json: alert(7))
            let r = await p.wait()
            #expect(r.status == 0)
            #expect(r.stdoutText == "10:30:07 t-01 alert.raised CRITICAL olt-07 device_offline: OLT unreachable 7\n")
        }
    }

    @Test("count: only the total, after --duration, over an SSE stream and the sessions socket together")
    func count() async throws {
        try await withDemoBackend(quiet()) { server in
            let b = server.backend
            let file = try tokenFile(b.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--token-file", file, "--format", "count", "--duration", "2",
                "--endpoint", "alerts", "--endpoint", "ws-sessions",
            ])
            try await subscribed(b, 2)
            for i in 1...5 { b.publish(tenant: "t-01", endpoint: .alerts, json: alert(i)) }
            let session = EventEncoder.json(
                type: .sessionStarted, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
                payload: .session(SessionEvent(username: "u", sessionID: "s", nasIPAddress: "n")))
            b.publish(tenant: "t-01", endpoint: .wsSessions, json: session)
            let r = await p.wait()
            #expect(r.status == 0, "stderr: \(r.stderr)")
            #expect(r.stdoutText == "6\n")
        }
    }

    @Test("an expired token: one clear line and exit status 2, no retry loop")
    func authFailure() async throws {
        try await withDemoBackend(quiet()) { server in
            let b = server.backend
            let file = try tokenFile(b.mintToken(tenant: "t-01", lifetime: -30))
            let r = await (try Subprocess(["tail", "--api-url", server.origin, "--token-file", file, "--endpoint", "tickets"]))
                .wait()
            #expect(r.status == 2)
            #expect(
                r.stderr.contains(
                    "realtime-dash: authentication failed for tenant t-01 on tickets: the token file \(file) was rejected (HTTP 401)"
                ))
            #expect(b.connectionAttempts["tickets"] == 1)
        }
    }

    @Test("bad options are refused with a sentence")
    func badOptions() async throws {
        let r = await (try Subprocess(["tail", "--endpoint", "nope", "--token-file", "/dev/null"])).wait()
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown endpoint 'nope'"))
        let noToken = await
            (try Subprocess(["tail", "--api-url", "http://127.0.0.1:9"], environment: ["XDG_CONFIG_HOME": "/nonexistent"])).wait()
        #expect(noToken.status != 0)
        #expect(noToken.stderr.contains("no token: pass --token-file FILE, set REALTIME_DASH_TOKEN"))
    }

    /// Runs `tail ARGS | CONSUMER` in bash; returns the pipeline's output and tail's own exit status.
    func pipeline(
        _ tailArguments: [String], into consumer: String, timeout: Double = 20
    ) async throws -> (status: Int32, output: String) {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quoted = ([realtimeDashBinary, "tail"] + tailArguments).map { "'\($0)'" }.joined(separator: " ")
        let child = try Child.spawn(
            ["/bin/bash", "-c", "\(quoted) 2>/dev/null | \(consumer); echo \"tail-status=${PIPESTATUS[0]}\""],
            environment: ["PATH": "/usr/bin:/bin"], stdout: dir + "/out")
        let status = await child.wait(timeout: timeout)
        return (status, (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "")
    }

    @Test("tail | head -1: tail exits 0 once its reader is gone, while events keep coming")
    func headOne() async throws {
        var c = quiet()
        c.runsSimulation = true
        c.rate = 20
        try await withDemoBackend(c) { server in
            let file = try tokenFile(server.backend.mintToken(tenant: "t-01"))
            let r = try await pipeline(["--api-url", server.origin, "--token-file", file], into: "head -1")
            #expect(r.status == 0, "the pipeline ended (bash's status \(r.status)): \(r.output)")
            let lines = r.output.split(separator: "\n")
            #expect(lines.count == 2 && lines.first?.hasPrefix("{") == true, "one event, then the status: \(r.output)")
            #expect(lines.last == "tail-status=0", "tail's own exit status: \(r.output)")
        }
    }

    @Test("tail | true: a reader that leaves before any event is noticed without one")
    func readerLeavesFirst() async throws {
        try await withDemoBackend(quiet()) { server in
            let file = try tokenFile(server.backend.mintToken(tenant: "t-01"))
            let r = try await pipeline(["--api-url", server.origin, "--token-file", file, "--endpoint", "alerts"], into: "true")
            #expect(r.output.contains("tail-status=0"), "tail ended on its own with 0: \(r.output)")
        }
    }

    @Test("a wrong --base-path: 3 attempts, one line naming the full URL and the status, exit 1")
    func wrongBasePath() async throws {
        try await withDemoBackend(quiet()) { server in
            let file = try tokenFile(server.backend.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--base-path", "/api/nope/v1", "--token-file", file, "--endpoint", "alerts",
                "--endpoint", "tickets",
            ])
            let r = await p.wait(timeout: 30)
            #expect(r.status == 1, "stderr: \(r.stderr)")
            let url = server.origin + "/api/nope/v1/realtime/alerts"
            #expect(r.stderr.contains("HTTP 404 from \(url)"), "names the URL: \(r.stderr)")
            #expect(r.stderr.contains("3 times"), "\(r.stderr)")
        }
    }

    @Test("a wrong --base-path on a WebSocket: the 403 names the URL and both readings; SSE decides it is the path, exit 1")
    func wrongBasePathWebSocket() async throws {
        try await withDemoBackend(quiet()) { server in
            let file = try tokenFile(server.backend.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--base-path", "/api/nope/v1", "--token-file", file, "--endpoint", "alerts",
                "--endpoint", "ws-sessions",
            ])
            let r = await p.wait(timeout: 30)
            #expect(r.status == 1, "not 2: the SSE stream did not reject the token. stderr: \(r.stderr)")
            let ws = server.origin.replacingOccurrences(of: "http://", with: "ws://") + "/api/nope/v1/realtime/ws/sessions"
            #expect(
                r.stderr.contains(
                    "HTTP 403 from \(ws): the token was rejected or there is no such endpoint (check --base-path)"),
                "\(r.stderr)")
            #expect(r.stderr.contains("so the path is wrong"), "\(r.stderr)")
        }
    }

    @Test("--give-up-after ends a stream that keeps failing with 5xx; exit 1")
    func giveUp() async throws {
        try await withDemoBackend(quiet()) { server in
            server.backend.failNextConnections(10_000, status: 500)
            let file = try tokenFile(server.backend.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--token-file", file, "--endpoint", "alerts", "--give-up-after", "1",
            ])
            let r = await p.wait(timeout: 30)
            #expect(r.status == 1, "stderr: \(r.stderr)")
            #expect(r.stderr.contains("still failing after 1 s") && r.stderr.contains("HTTP 500 from"), "\(r.stderr)")
        }
    }

    @Test("a missing token file is reported before any connection, as what it is")
    func missingTokenFile() async throws {
        try await withDemoBackend(quiet()) { server in
            let r = try await Subprocess([
                "tail", "--api-url", server.origin, "--token-file", "/nonexistent/rd.token", "--endpoint", "alerts",
            ]).wait()
            #expect(r.status == 2)
            #expect(r.stderr.contains("no such file: /nonexistent/rd.token"), "\(r.stderr)")
            #expect(!r.stderr.contains("HTTP 0"))
            #expect(server.backend.connectionAttempts.isEmpty, "no connection was tried")
        }
    }
}
