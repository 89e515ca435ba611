import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

enum Sample {
    static let ts = UTCInstant(iso8601: "2025-12-08T10:30:00")!
    static func json(_ type: EventType, _ tenant: String, _ payload: EventPayload) -> String {
        EventEncoder.json(type: type, tenantID: tenant, timestamp: ts, payload: payload)
    }
    static func onu(_ t: String) -> String { json(.onuOffline, t, .onu(ONUEvent(onuSerial: "HWTC1", status: .offline))) }
    static func alert(_ t: String, _ id: String = "a-1") -> String {
        json(
            .alertRaised, t,
            .alert(AlertEvent(alertID: id, alertType: "x", severity: .critical, source: "olt-01", message: "down")))
    }
    static func ticket(_ t: String) -> String {
        json(
            .ticketCreated, t,
            .ticket(TicketEvent(ticketID: "k", ticketNumber: "T-1", title: "t", category: "c", priority: "high", status: "open")))
    }
    static func subscriber(_ t: String) -> String {
        json(
            .subscriberCreated, t,
            .subscriber(SubscriberEvent(subscriberID: "s", accountNumber: "A", fullName: "F", status: "active")))
    }
    static func session(_ t: String, _ id: String = "s-1", bytes: Int64 = 1) -> String {
        json(
            .sessionUpdated, t,
            .session(SessionEvent(username: "u", sessionID: id, nasIPAddress: "10.0.0.1", bytesIn: bytes, bytesOut: bytes)))
    }
}

/// Starts a backend and returns it with its port and the task running it (cancel to stop).
func startBackend(
    _ configuration: DemoBackend.Configuration, retryingBind: Bool = false
) async throws -> (DemoBackend, Int, Task<Void, any Error>) {
    // The port of a server that just stopped can stay busy for a moment after its run() returned
    // (its sockets close on the event loop): retry the bind, bounded.
    let deadline = monotonicSeconds() + 10
    while true {
        do {
            return try await startBackendOnce(configuration)
        } catch let error as TimedOut where retryingBind && monotonicSeconds() < deadline && "\(error)".contains("errno: 98") {
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

func startBackendOnce(_ configuration: DemoBackend.Configuration) async throws -> (DemoBackend, Int, Task<Void, any Error>) {
    let backend = DemoBackend(configuration)
    let failed = Locked<String?>(nil)
    let task = Task {
        do {
            try await backend.run()
        } catch {
            failed.withLock { $0 = "\(error)" }
            throw error
        }
    }
    // Bounded: a backend that neither listens nor fails fails the test with what it said.
    try await eventually("the backend listening on port \(configuration.port)", timeout: 15) {
        backend.port != nil || failed.withLock { $0 } != nil
    }
    if let error = failed.withLock({ $0 }) { throw TimedOut(what: "backend start: \(error)") }
    return (backend, backend.port!, task)
}

@Suite("ConnectionManager live")
struct LiveClientTests {
    @Test("every endpoint streams: five SSE streams, the combined stream and the sessions socket")
    func allEndpoints() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let endpoints: [Endpoint] = Endpoint.defaultSSE + [.events, .wsSessions]
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: endpoints)
            try await withManager(config) { _, got in
                try await eventually("all seven streams live") { endpoints.allSatisfy { got.isLive("t-01", $0) } }
                b.publish(tenant: "t-01", endpoint: .onuStatus, json: Sample.onu("t-01"))
                b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01"))
                b.publish(tenant: "t-01", endpoint: .tickets, json: Sample.ticket("t-01"))
                b.publish(tenant: "t-01", endpoint: .subscribers, json: Sample.subscriber("t-01"))
                b.publish(tenant: "t-01", endpoint: .radiusSessions, json: Sample.session("t-01"))
                try await eventually("every event on every stream") {
                    Endpoint.defaultSSE.allSatisfy { got.events($0).count == 1 } && got.events(.events).count == 5
                        && got.events(.wsSessions).count == 1
                }
                #expect(got.events(.alerts).first?.1.type == .alertRaised)
                #expect(got.events(.wsSessions).first?.1.type == .sessionUpdated)
                #expect(Set(got.events(.events).map(\.1.type.family!)) == [.onu, .alert, .ticket, .subscriber, .session])
                // Latency samples for the SSE handshakes.
                #expect(got.all.contains { if case .latency(_, .alerts, let ms) = $0 { ms >= 0 } else { false } })
            }
        }
    }

    @Test("server restart mid-stream: backing off, then live again on its own")
    func restart() async throws {
        let secret = Array("restart-secret".utf8)
        // The port stays reserved while the server is down, so no test running in parallel takes it.
        let reservation = try PortReservation(host: "127.0.0.3")
        defer { reservation.release() }
        let (first, port, task) = try await startBackend(
            quietBackend {
                $0.secret = secret
                $0.host = reservation.host
                $0.port = reservation.port
            })
        let token = first.mintToken(tenant: "t-01", lifetime: 3600)
        let config = try clientConfiguration(
            RunningDemoBackend(backend: first, port: port), tenants: ["t-01": token], endpoints: [.alerts])
        try await withManager(config) { _, got in
            try await eventually("live") { got.isLive("t-01", .alerts) }
            task.cancel()
            #expect(await DemoBackend.finished(task, within: 20), "the first backend shut down")
            try await eventually("backing off after the server went away") {
                if case .backingOff? = got.states("t-01", .alerts).last { return true }
                return false
            }
            // The same port and secret: the old token still verifies.
            let (second, _, task2) = try await startBackend(
                quietBackend {
                    $0.secret = secret
                    $0.host = reservation.host
                    $0.port = port
                }, retryingBind: true)
            defer { task2.cancel() }
            try await eventually("live again") { got.isLive("t-01", .alerts) }
            second.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "after-restart"))
            try await eventually("events flow again") { got.events(.alerts).contains { $0.1.rawText.contains("after-restart") } }
            let states = got.states("t-01", .alerts).map(\.word)
            #expect(states.first == "connecting" && states.contains("live") && states.contains("retry") && states.last == "live")
        }
    }

    @Test("a stalled stream goes stale within the limit and reconnects")
    func stall() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.tickets]) {
                $0.staleAfter = 0.5
            }
            try await withManager(config) { _, got in
                try await eventually("live") { got.isLive("t-01", .tickets) }
                b.stall(seconds: 1.5)
                try await eventually("stale") { got.states("t-01", .tickets).contains(.stale) }
                try await eventually("live again after the stall", timeout: 15) {
                    let s = got.states("t-01", .tickets)
                    guard let i = s.firstIndex(of: .stale) else { return false }
                    return s[i...].contains(.live)
                }
            }
        }
    }

    @Test("an expired token: auth failed, no retry loop; a fresh token file brings it back")
    func expiredToken() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01", lifetime: -60)], endpoints: [.alerts])
            try await withManager(config) { _, got in
                try await eventually("auth failed") {
                    if case .authFailed(401, _)? = got.states("t-01", .alerts).last { return true }
                    return false
                }
                // Several backoff periods (50–200 ms) pass: a network-paced client would have retried many times.
                try await Task.sleep(for: .seconds(1))
                #expect(b.connectionAttempts["alerts"] == 1, "retried \(b.connectionAttempts["alerts"] ?? 0) times")
                guard case .file(let path) = config.tokens.sources["t-01"] else { return }
                try writeToken(b.mintToken(tenant: "t-01", lifetime: 600), to: path)
                try await eventually("live with the new token") { got.isLive("t-01", .alerts) }
                #expect(b.connectionAttempts["alerts"] == 2)
            }
        }
    }

    @Test("WebSocket: 403 on the upgrade is an auth failure; 1008 after accept stops with the reason")
    func webSocketRefusals() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01", permissions: ["jobs.read"])
            let config = try clientConfiguration(server, tenants: ["t-01": token], endpoints: [.wsSessions]) {
                $0.watchJobs = ["no-such-job"]
            }
            try await withManager(config) { _, got in
                try await eventually("403 and 1008") {
                    if case .authFailed(403, _)? = got.states("t-01", .wsSessions).last,
                        case .stopped(let reason)? = got.states("t-01", .job("no-such-job")).last
                    {
                        return reason == .policyViolation(reason: "Job not found or access denied")
                    }
                    return false
                }
                #expect(b.connectionAttempts["job:no-such-job"] == 1, "1008 is not retried")
            }
        }
    }

    @Test("two tenants with two tokens, merged, each event tagged with its tenant")
    func twoTenants() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01"), "t-02": b.mintToken(tenant: "t-02")], endpoints: [.alerts])
            try await withManager(config) { _, got in
                try await eventually("both live") { got.isLive("t-01", .alerts) && got.isLive("t-02", .alerts) }
                b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "one"))
                b.publish(tenant: "t-02", endpoint: .alerts, json: Sample.alert("t-02", "two"))
                try await eventually("both events") { got.events(.alerts).count == 2 }
                let pairs = Set(got.events(.alerts).map { "\($0.0):\($0.1.tenantID)" })
                #expect(pairs == ["t-01:t-01", "t-02:t-02"])
            }
        }
    }

    @Test("a slow consumer: the inbox stays bounded, updates coalesce per entity, every event is accounted for")
    func slowConsumer() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.radiusSessions, .alerts]
            ) {
                $0.inboxCapacity = 64
            }
            try await withManager(config, drain: false) { manager, _ in
                // The subscriptions exist on the server side; the client is not reading its inbox.
                try await eventually("subscribed") { b.openConnections == 2 }
                for round in 1...200 {
                    for s in 0..<10 {
                        b.publish(
                            tenant: "t-01", endpoint: .radiusSessions, json: Sample.session("t-01", "s-\(s)", bytes: Int64(round))
                        )
                    }
                }
                for i in 0..<100 { b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "a-\(i)")) }
                var latest: [String: Int64] = [:]
                var coalesced = 0, dropped = 0, events = 0, largest = 0
                let deadline = Date().addingTimeInterval(20)
                func complete() -> Bool {
                    latest.count == 10 && latest.values.allSatisfy { $0 == 200 } && coalesced + dropped + events >= 2100
                }
                // Drain slowly (a busy consumer) until all 2,100 published events are accounted for.
                while Date() < deadline && !complete() {
                    try await Task.sleep(for: .milliseconds(50))
                    let batch = manager.inbox.drain()
                    coalesced += batch.coalesced
                    dropped += batch.dropped
                    largest = max(largest, batch.events.count)
                    for e in batch.events {
                        guard case .event(_, _, let ev) = e else { continue }
                        events += 1
                        if case .session(let s) = ev.payload { latest[s.sessionID] = s.bytesIn }
                    }
                }
                #expect(
                    latest.count == 10 && latest.values.allSatisfy { $0 == 200 },
                    "the latest state of every session arrived: \(latest)")
                // Bounded by the queue plus one waiting event per entity (10 sessions, 100 alerts).
                #expect(largest <= 64 + 110 + 8, "bounded: a batch held \(largest) events")
                #expect(coalesced > 0, "session updates coalesced")
                #expect(coalesced + dropped + events == 2100, "every event delivered, coalesced or counted as dropped")
            }
        }
    }

    @Test("backpressure (tail's policy): an inbox nobody drains holds the socket reads back; draining lets everything through")
    func readsHeldBack() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts]) {
                $0.inboxCapacity = 64
                $0.inboxPolicy = .holdReads  // tail's
            }
            try await withManager(config, drain: false) { manager, _ in
                try await eventually("subscribed") { b.openConnections == 1 }
                let total = 20_000
                for i in 0..<total { b.publish(tenant: "t-01", endpoint: .alerts, json: Sample.alert("t-01", "a-\(i)")) }
                try await eventually("the inbox filled") { manager.inbox.queuedCount >= 64 }
                // Without backpressure the client reads all 20,000 (about 6 MB) in a fraction of a
                // second, so the queue would pass the bound within this window; held back, the
                // inbox keeps only what the reads in hand carried. (The mechanism itself is tested
                // without a clock on an embedded channel: SSEStreamHandlerTests.)
                var largest = 0
                let until = monotonicSeconds() + 1.5
                while monotonicSeconds() < until && largest < 64 + 2_000 {
                    largest = max(largest, manager.inbox.queuedCount)
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(largest < 64 + 2_000, "reads held back: at most \(largest) events queued of \(total)")
                var events = 0, dropped = 0, coalesced = 0
                let deadline = monotonicSeconds() + 20
                while events + dropped + coalesced < total && monotonicSeconds() < deadline {
                    let batch = manager.inbox.drain()
                    dropped += batch.dropped
                    coalesced += batch.coalesced
                    events += batch.events.filter { if case .event = $0 { true } else { false } }.count
                    await Task.yield()
                }
                #expect(events == total, "every alert arrived: \(events) of \(total)")
                #expect(dropped == 0 && coalesced == 0, "none lost to the inbox: \(dropped) dropped, \(coalesced) coalesced")
            }
        }
    }
}

@Suite("Large messages")
struct LargeMessageTests {
    /// The backend puts no limit on a message, so a 1 MiB alert is legitimate: it must arrive
    /// whole over SSE (one `data:` line of over a megabyte) and over a WebSocket (one text frame).
    @Test("a 1 MiB alert over SSE and a 1 MiB session over the sessions WebSocket arrive whole")
    func oneMebibyte() async throws {
        let big = String(repeating: "x", count: 1 << 20)
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts, .wsSessions])
            try await withManager(config) { _, got in
                try await eventually("both streams live") { got.isLive("t-01", .alerts) && got.isLive("t-01", .wsSessions) }
                let alert = Sample.json(
                    .alertRaised, "t-01",
                    .alert(AlertEvent(alertID: "big", alertType: "x", severity: .critical, source: "olt-01", message: big)))
                let session = Sample.json(
                    .sessionUpdated, "t-01",
                    .session(SessionEvent(username: big, sessionID: "s-big", nasIPAddress: "10.0.0.1", bytesIn: 1, bytesOut: 1)))
                b.publish(tenant: "t-01", endpoint: .alerts, json: alert)
                b.publish(tenant: "t-01", endpoint: .radiusSessions, json: session)
                try await eventually("the alert and the session", timeout: 20) {
                    !got.events(.alerts).isEmpty && !got.events(.wsSessions).isEmpty
                }
                guard case .alert(let a)? = got.events(.alerts).first?.1.payload else {
                    Issue.record("no alert payload: \(String(describing: got.events(.alerts).first))")
                    return
                }
                #expect(a.message.count == 1 << 20)
                guard case .session(let s)? = got.events(.wsSessions).first?.1.payload else {
                    Issue.record("no session payload")
                    return
                }
                #expect(s.username.count == 1 << 20)
                #expect(got.isLive("t-01", .alerts), "a large event is not an error that reconnects the stream")
            }
        }
    }
}

@Suite("R reconnects what it says")
struct ManualReconnectTests {
    /// Issue 11.7: R on live streams closes and reopens every one of them (counted at the
    /// backend), and reads the token files again: an expired token put in the file is what the
    /// new connections present.
    @Test("reconnectAll reopens live SSE and WebSocket streams and re-reads token files", .timeLimit(.minutes(2)))
    func reconnectLive() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(
                server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.alerts, .wsSessions])
            try await withManager(config) { manager, got in
                try await eventually("both streams live") { got.isLive("t-01", .alerts) && got.isLive("t-01", .wsSessions) }
                let before = b.connectionAttempts
                let alerts = before[Endpoint.alerts.name] ?? 0, sessions = before[Endpoint.wsSessions.name] ?? 0
                #expect(alerts == 1 && sessions == 1, "one connection each so far: \(before)")
                await manager.reconnectAll()
                try await eventually("a new connection of each stream at the backend", timeout: 20) {
                    let now = b.connectionAttempts
                    return (now[Endpoint.alerts.name] ?? 0) == alerts + 1 && (now[Endpoint.wsSessions.name] ?? 0) == sessions + 1
                }
                try await eventually("both live again", timeout: 20) {
                    got.isLive("t-01", .alerts) && got.isLive("t-01", .wsSessions)
                }
                // The token file now holds an expired token: R presents it, and the streams say so.
                guard case .file(let path)? = config.tokens.sources["t-01"] else {
                    Issue.record("the test configuration reads tokens from files")
                    return
                }
                try writeToken(b.mintToken(tenant: "t-01", lifetime: -60), to: path)
                await manager.reconnectAll()
                try await eventually("the expired token rejected on reconnect", timeout: 20) {
                    if case .authFailed? = got.states("t-01", .alerts).last { return true }
                    return false
                }
            }
        }
    }
}

@Suite("The sessions WebSocket and the backend's forwarder time-out")
struct ResubscribeTests {
    /// Issue 11.11: the backend stops forwarding a WebSocket's events a few seconds after the
    /// last one while still answering pings. DemoBackend does the same (after 0.8 s here); the
    /// client subscribes again after 0.4 quiet seconds, so events published long after the
    /// forwarder would have died still arrive, each re-subscription is a short gap, and the
    /// reason is reported.
    @Test("events keep arriving after the forwarder time-out, because the client subscribes again", .timeLimit(.minutes(2)))
    func keepsForwarding() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            b.stopForwardingWebSockets(after: .milliseconds(800))
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [.wsSessions])
            {
                $0.resubscribeQuietSessions = 0.4
            }
            try await withManager(config) { _, got in
                // Three subscriptions: more than the forwarder's 0.8 s have passed since the first.
                try await eventually("subscribed three times", timeout: 20) {
                    got.states("t-01", .wsSessions).filter { $0 == .live }.count >= 3
                }
                #expect(b.connectionAttempts[Endpoint.wsSessions.name] ?? 0 >= 3, "each one a new subscription at the backend")
                let errors = got.all.compactMap { e -> String? in
                    if case .error(_, .wsSessions, let m) = e { m } else { nil }
                }
                #expect(errors.contains { $0.hasPrefix("resubscribed") }, "the C panel says why: \(errors)")
                // An event published now is forwarded (one may fall in a re-subscription's gap:
                // publish until one arrives, bounded).
                let published = Locked(0)
                try await eventually("a session event after the forwarder time-out", timeout: 20) {
                    let n = published.withLock { n -> Int in
                        n += 1
                        return n
                    }
                    b.publish(
                        tenant: "t-01", endpoint: .radiusSessions,
                        json: Sample.json(
                            .sessionUpdated, "t-01",
                            .session(
                                SessionEvent(
                                    username: "u\(n)", sessionID: "s-\(n)", nasIPAddress: "10.0.0.1", bytesIn: 1, bytesOut: 1))))
                    return !got.events(.wsSessions).isEmpty
                }
            }
        }
    }
}
