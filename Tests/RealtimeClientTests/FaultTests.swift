import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

/// The network side of the fault matrix (FAULTS.md) not covered by the live client tests.
@Suite("Faults", .serialized)
struct FaultTests {
    /// Attempts the manager made on a stream: each `connecting(attempt:)` it reported.
    func attempts(_ got: Collected, _ endpoint: Endpoint) -> Int {
        got.states("t-01", endpoint).filter { if case .connecting = $0 { true } else { false } }.count
    }

    @Test("backend down at start: refused, backing off on schedule, then live once it comes up")
    func downAtStart() async throws {
        let secret = Array("down-secret".utf8)
        // A port held but not listening: refused, and no test running in parallel can take it.
        let reservation = try PortReservation(host: "127.0.0.2")
        defer { reservation.release() }
        let port = reservation.port
        let probe = DemoBackend(
            quietBackend {
                $0.secret = secret; $0.host = reservation.host
            })
        let token = probe.mintToken(tenant: "t-01", lifetime: 3600)
        let config = try clientConfiguration(
            RunningDemoBackend(backend: probe, port: port), tenants: ["t-01": token], endpoints: [.alerts]
        ) {
            $0.backoff = Backoff(initialDelay: 0.05, multiplier: 2, maxDelay: 0.4, jitter: 0, resetAfter: 60)
        }
        try await withManager(config) { _, got in
            let t0 = Date()
            try await eventually("backing off: connection refused") {
                got.states("t-01", .alerts).contains {
                    if case .backingOff(_, _, let r) = $0 { r.contains("refused") } else { false }
                }
            }
            try await Task.sleep(for: .seconds(2))
            // The schedule allows 0.05 + 0.1 + 0.2 + 0.4 + 0.4 … : at most ~8 attempts in the time so far.
            let elapsed = Date().timeIntervalSince(t0)
            let made = attempts(got, .alerts)
            let allowed = 4 + Int(elapsed / 0.4) + 1
            // The upper bound is the property (never faster than the schedule); that it keeps trying is
            // shown by going live once the backend is up.
            #expect(made >= 1 && made <= allowed, "\(made) attempts in \(elapsed) s; the schedule allows \(allowed)")
            print(
                "fault matrix: refused at start: \(made) attempts in \(String(format: "%.1f", elapsed)) s (schedule allows \(allowed))"
            )
            let (_, _, task) = try await startBackend(
                quietBackend {
                    $0.secret = secret
                    $0.host = reservation.host
                    $0.port = port
                })
            defer { task.cancel() }
            try await eventually("live once the backend is up") { got.isLive("t-01", .alerts) }
        }
    }

    @Test("a 5xx storm: every answer 503 with Retry-After, and the client keeps to the slower of Retry-After and its schedule")
    func serverErrors() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            b.failNextConnections(10_000, status: 503)
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts]) {
                $0.backoff = Backoff(initialDelay: 0.05, multiplier: 2, maxDelay: 0.4, jitter: 0, resetAfter: 60)
            }
            try await withManager(config) { _, got in
                let t0 = Date()
                try await Task.sleep(for: .seconds(3))
                let elapsed = Date().timeIntervalSince(t0)
                let made = b.connectionAttempts["alerts"] ?? 0
                // Retry-After: 2 s from the backend: one attempt at once, then one per 2 s.
                #expect(made >= 1 && made <= 1 + Int(elapsed / 2) + 1, "\(made) requests in \(elapsed) s against Retry-After: 2")
                print("fault matrix: 503 storm: \(made) requests in \(String(format: "%.1f", elapsed)) s with Retry-After: 2")
                #expect(
                    got.states("t-01", .alerts).contains {
                        if case .backingOff(_, _, let r) = $0 { r.contains("503") } else { false }
                    })
                b.failNextConnections(0, status: 503)
                try await eventually("live once the errors stop", timeout: 10) { got.isLive("t-01", .alerts) }
            }
        }
    }

    @Test("slow-drip bytes: a frame a byte every 2 ms arrives whole and the stream never goes stale")
    func slowDrip() async throws {
        try await withDemoBackend(quietBackend { $0.pingInterval = .seconds(30) }) { server in
            let b = server.backend
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts]) {
                $0.staleAfter = 1
            }
            try await withManager(config) { _, got in
                try await eventually("live") { got.isLive("t-01", .alerts) }
                b.drip(.milliseconds(2))
                for i in 0..<3 { b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "drip-\(i)")) }
                // About 3 x 330 bytes at 2 ms each: two seconds of dripping, longer than staleAfter,
                // but bytes keep coming, so the stream stays live.
                try await eventually("three dripped events, whole", timeout: 20) { got.events(.alerts).count >= 3 }
                b.drip(nil)
                #expect(got.events(.alerts).map { $0.1.rawText }.allSatisfy { $0.contains("drip-") })
                #expect(!got.states("t-01", .alerts).contains(.stale), "dripping bytes are not silence")
                #expect(got.all.allSatisfy { if case .malformed = $0 { false } else { true } })
            }
        }
    }
}
