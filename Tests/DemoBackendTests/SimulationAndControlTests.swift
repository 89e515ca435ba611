import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

@Suite("Simulation")
struct SimulationTests {
    static let t0 = UTCInstant(iso8601: "2025-12-08T10:00:00")!

    /// One tenant, no background events and no random storms: only what the test starts.
    static func quiet(seed: UInt64) -> Simulation {
        var options = Simulation.Options()
        options.randomStorms = false
        options.rate = 0
        return Simulation(seed: seed, tenantIDs: ["t-01"], options: options, now: t0)
    }

    static func run(seed: UInt64, steps: Int, dt: Double = 0.1) -> [Publication] {
        var sim = Simulation(seed: seed, tenantIDs: ["t-01", "t-02"], now: t0)
        var out: [Publication] = []
        for i in 1...steps {
            out += sim.step(dt: dt, now: UTCInstant(microseconds: t0.microseconds + Int64(Double(i) * dt * 1e6)))
        }
        return out
    }

    @Test("the same seed gives the same events, byte for byte; another seed does not")
    func determinism() {
        let a = Self.run(seed: 42, steps: 600)
        let b = Self.run(seed: 42, steps: 600)
        let c = Self.run(seed: 43, steps: 600)
        #expect(a.count > 500, "a minute of two tenants is hundreds of events (got \(a.count))")
        #expect(a == b)
        #expect(a != c)
    }

    @Test("a minute of simulation: every family, realistic rates, every payload decodes")
    func realistic() {
        let ps = Self.run(seed: 7, steps: 600)
        var families: [EventFamily: Int] = [:]
        var types = Set<String>()
        for p in ps {
            guard case .event(let e) = EventDecoder.decode(Array(p.json.utf8)) else {
                Issue.record("did not decode: \(p.json)"); continue
            }
            #expect(e.type.rawValue == p.eventName)
            #expect(e.tenantID == p.tenant)
            families[e.type.family!, default: 0] += 1
            types.insert(p.eventName)
            // Explicit nulls, never omitted optionals, and naive timestamps with microseconds.
            #expect(p.json.contains("\"timestamp\":\"2025-12-08T10:"))
        }
        for f in EventFamily.allCases { #expect(families[f, default: 0] > 0, "no \(f) events") }
        let perSecond = Double(ps.count) / 60 / 2
        #expect(perSecond > 5 && perSecond < 60, "tens of events per second per tenant, got \(perSecond)")
        #expect(types.contains("session.updated") && types.contains("alert.raised") && types.contains("ticket.created"))
        // Cumulative counters grow for a session across updates.
        var last: [String: Int64] = [:]
        for p in ps where p.eventName == "session.updated" {
            guard case .event(let e) = EventDecoder.decode(Array(p.json.utf8)), case .session(let s) = e.payload,
                let bytes = s.bytesIn
            else { continue }
            if let prev = last[s.sessionID] { #expect(bytes >= prev) }
            last[s.sessionID] = bytes
        }
    }

    @Test("an OLT storm: hundreds of onu.offline within seconds behind a critical alert, then recovery")
    func oltStorm() {
        var sim = Self.quiet(seed: 3)
        let started = sim.startStorm(tenant: "t-01", scope: .olt, now: Self.t0)
        #expect(
            started?.pon == nil && started?.olt?.hasPrefix("olt-") == true && started?.onus == 512,
            "\(String(describing: started))")
        var out: [(Double, Publication)] = []
        for i in 1...900 {
            let t = Double(i) * 0.1
            for p in sim.step(dt: 0.1, now: UTCInstant(microseconds: Self.t0.microseconds + Int64(t * 1e6))) {
                out.append((t, p))
            }
        }
        let offline = out.filter { $0.1.eventName == "onu.offline" }
        let online = out.filter { $0.1.eventName == "onu.online" }
        #expect(offline.count == 512, "every ONU of the OLT (4 × 16 × 32 / 4 OLTs)")
        #expect(offline.last!.0 <= 4.5, "all offline within seconds, last at \(offline.last!.0) s")
        let firstAlert = out.first { $0.1.eventName == "alert.raised" }
        #expect(firstAlert?.1.json.contains("\"severity\":\"critical\"") == true)
        #expect(firstAlert!.0 <= offline.first!.0)
        #expect(out.contains { $0.1.eventName == "alert.cleared" })
        #expect(online.count == 512, "every ONU recovers")
        #expect(online.first!.0 >= 20, "recovery after 20–60 s")
        #expect(out.contains { $0.1.eventName == "session.stopped" && $0.1.json.contains("Lost-Carrier") })
    }

    @Test("an area power failure: dying gasps from the ONUs of 3+ PONs of the chosen OLT, one alert per PON, then recovery")
    func areaPowerFailure() {
        var sim = Self.quiet(seed: 5)
        let hit = sim.startStorm(tenant: "t-01", scope: .area, olt: 3, now: Self.t0)
        #expect(hit?.olt == "olt-03" && hit?.pon == nil && (hit?.pons?.count ?? 0) >= 3, "\(String(describing: hit))")
        #expect(hit?.json.contains(#""pon":null"#) == true && hit?.json.contains(#""pons":["#) == true)
        var out: [Publication] = []
        for i in 1...900 { out += sim.step(dt: 0.1, now: UTCInstant(microseconds: Self.t0.microseconds + Int64(i) * 100_000)) }
        let gasps = out.filter { $0.eventName == "alert.raised" && $0.json.contains(#""alert_type":"dying_gasp""#) }
        #expect(gasps.count == hit?.pons?.count, "one per PON")
        for pon in hit?.pons ?? [] { #expect(gasps.contains { $0.json.contains(#""source":"olt-03/\#(pon)""#) }) }
        let offline = out.filter { $0.eventName == "onu.offline" }
        #expect(offline.count == hit?.onus && offline.allSatisfy { $0.json.contains(#""olt_id":"olt-03""#) })
        #expect(offline.allSatisfy { $0.json.contains(#""previous_status":"online""#) })
        #expect(out.filter { $0.eventName == "onu.online" }.count == hit?.onus, "recovers")
    }

    @Test("a flapping alert: raised and cleared four times, one alert type and source")
    func flappingAlert() {
        var sim = Self.quiet(seed: 5)
        let hit = sim.startStorm(tenant: "t-01", scope: .flap, now: Self.t0)
        #expect(
            hit?.json
                == #"{"storm":true,"olt":null,"pon":null,"onus":0,"flapping":"bgp_session_down","source":"rtr-edge-01","times":4}"#
        )
        var out: [Publication] = []
        for i in 1...400 { out += sim.step(dt: 0.1, now: UTCInstant(microseconds: Self.t0.microseconds + Int64(i) * 100_000)) }
        let raised = out.filter { $0.eventName == "alert.raised" }, cleared = out.filter { $0.eventName == "alert.cleared" }
        #expect(raised.count == 4 && cleared.count == 4, "\(raised.count) raised, \(cleared.count) cleared")
        #expect((raised + cleared).allSatisfy { $0.json.contains(#""source":"rtr-edge-01""#) })
    }

    @Test("a flood storm emits at its rate for its duration")
    func flood() {
        var sim = Self.quiet(seed: 3)
        _ = sim.startStorm(tenant: "t-01", scope: .pon, rate: 5_000, duration: 2, now: Self.t0)
        var n = 0
        for i in 1...40 { n += sim.step(dt: 0.1, now: UTCInstant(microseconds: Self.t0.microseconds + Int64(i) * 100_000)).count }
        #expect(n == 10_000)
    }
}

@Suite("DemoBackend test controls")
struct TestControlTests {
    @Test("drop ends every stream abruptly; clients see an error, not a clean end")
    func drop() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            async let read = http(server.catalogue.url(for: .alerts), headers: bearer(b.mintToken(tenant: "t-01")))
            try await waitUntil("the stream") { b.openConnections == 1 }
            let admin = try await http(server.origin + "/__admin/drop", method: .POST)
            #expect(admin.status == 200)
            do {
                _ = try await read
                Issue.record("the dropped stream ended cleanly")
            } catch {}
        }
    }

    @Test("storm answers what it hit, where it was asked to; a bad scope or place is refused with the reason")
    func stormControl() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let pon = try await http(server.origin + "/__admin/storm?tenant=t-01&scope=pon&olt=olt-02&pon=5", method: .POST)
            #expect(pon.status == 200 && pon.text.hasPrefix(#"{"storm":true,"olt":"olt-02","pon":5,"onus":"#), "\(pon.text)")
            let area = try await http(server.origin + "/__admin/storm?tenant=t-01&scope=area&olt=1", method: .POST)
            #expect(area.status == 200 && area.text.contains(#""olt":"olt-01","pon":null"#) && area.text.contains(#""pons":["#))
            let flap = try await http(server.origin + "/__admin/storm?tenant=t-01&scope=flap", method: .POST)
            #expect(flap.text.contains(#""flapping":"bgp_session_down""#), "\(flap.text)")
            let bad = try await http(server.origin + "/__admin/storm?tenant=t-01&scope=everything", method: .POST)
            #expect(bad.status == 400 && bad.text.contains("pon, olt, area, flap"), "\(bad.text)")
            let nowhere = try await http(server.origin + "/__admin/storm?tenant=t-01&pon=eleven", method: .POST)
            #expect(nowhere.status == 400, "\(nowhere.text)")
        }
    }

    @Test("stall stops all writing while sockets stay open; unstall resumes")
    func stall() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            _ = try await http(server.origin + "/__admin/stall", method: .POST)
            let stalled = try? await http(
                server.catalogue.url(for: .alerts), headers: bearer(b.mintToken(tenant: "t-01")), timeout: 1
            ) { bytes in
                String(decoding: bytes, as: UTF8.self).contains(": ping")
            }
            #expect(stalled == nil, "no ping while stalled")
            #expect(b.openConnections <= 1)
            _ = try await http(server.origin + "/__admin/unstall", method: .POST)
            let r = try await http(server.catalogue.url(for: .alerts), headers: bearer(b.mintToken(tenant: "t-01"))) { bytes in
                String(decoding: bytes, as: UTF8.self).contains(": ping")
            }
            #expect(r.text.contains(": ping - "))
        }
    }

    @Test("fail the next N connections with a status: SSE, the 200-then-drop case, and WebSocket upgrades")
    func failNext() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01")
            _ = try await http(server.origin + "/__admin/fail?count=2&status=503", method: .POST)
            for _ in 0..<2 {
                let r = try await http(server.catalogue.url(for: .alerts), headers: bearer(token))
                #expect(r.status == 503 && r.header("retry-after") == "2")
            }
            let (ok, _) = try await readSSE(server.catalogue.url(for: .alerts), token: token, events: 0)
            #expect(ok.status == 200)
            b.failNextConnections(1, status: 200)
            await #expect(throws: (any Error).self) {
                _ = try await http(server.catalogue.url(for: .alerts), headers: bearer(token))
            }
            b.failNextConnections(1, status: 500)
            await #expect(throws: WebSocketClient.UpgradeRefused(status: 500)) {
                _ = try await WSClient.connect(server.catalogue.url(for: .wsSessions), headers: bearer(token))
            }
            let ws = try await WSClient.connect(server.catalogue.url(for: .wsSessions), headers: bearer(token))
            #expect(try await ws.next()?.contains("subscribed") == true)
            #expect((b.connectionAttempts["alerts"] ?? 0) >= 4 && (b.connectionAttempts["ws-sessions"] ?? 0) >= 2)
        }
    }

    @Test("close WebSockets with a chosen code")
    func wsClose() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let ws = try await WSClient.connect(
                server.catalogue.url(for: .wsSessions), headers: bearer(server.backend.mintToken(tenant: "t-01")))
            _ = try await ws.next()
            _ = try await http(server.origin + "/__admin/ws-close?code=4001&reason=test", method: .POST)
            #expect(try await ws.closeCode() == 4001)
        }
    }

    @Test("publish over HTTP, firehose, job creation, token minting and stats")
    func adminEndpoints() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let tokenJSON = try JSONValue.parse(
                try await http(server.origin + "/__admin/token?tenant=t-02&permissions=jobs.read&lifetime=60", method: .POST).body
            )
            let token = try #require(tokenJSON["token"]?.stringValue)
            let claims = try #require(JWTClaims.decodeUnverified(token))
            #expect(claims.tenantID == "t-02" && claims.permissions == ["jobs.read"])

            _ = try await http(server.origin + "/__admin/firehose?count=5000&endpoint=alerts", method: .POST)
            let (r, events) = try await readSSE(server.catalogue.url(for: .alerts), token: token, events: 5000, timeout: 20)
            #expect(r.status == 200 && events.count >= 5001)
            #expect(events.dropFirst().allSatisfy { EventDecoder.decode($0.data).event?.type == .alertRaised })
            _ = try await http(server.origin + "/__admin/firehose?count=0", method: .POST)
            // The server notices the firehose reader has gone at its next write (a ping).
            try await waitUntil("the firehose connection to close", timeout: 20) { b.openConnections == 0 }

            async let read = readSSE(server.catalogue.url(for: .onuStatus), token: token, events: 1)
            try await waitUntil("the stream") { b.openConnections == 1 }
            let body =
                #"{"event_type":"onu.offline","tenant_id":"t-02","timestamp":"2025-12-08T10:30:00","onu_serial":"X","status":"offline"}"#
            let p = try await http(server.origin + "/__admin/publish?tenant=t-02&endpoint=onu-status", method: .POST, body: body)
            #expect(p.status == 200)
            let (_, onu) = try await read
            #expect(onu.last?.type == "onu.offline" && onu.last?.text == body)

            let job = try JSONValue.parse(try await http(server.origin + "/__admin/job?tenant=t-02&items=10", method: .POST).body)
            #expect(b.jobStatus(job["id"]?.stringValue ?? "", tenant: "t-02")?.status == .pending)
            let stats = try JSONValue.parse(try await http(server.origin + "/__admin/stats").body)
            #expect(stats["attempts"]?["alerts"]?.intValue == 1)
        }
    }

    @Test("without --admin the controls do not exist")
    func adminOff() async throws {
        try await withDemoBackend(quietBackend { $0.admin = false }) { server in
            let r = try await http(server.origin + "/__admin/drop", method: .POST)
            #expect(r.status == 404)
        }
    }
}

/// What the firehose puts on the wire, read with a plain socket (no HTTP client to undo the
/// chunking): the real backend writes one HTTP chunk per event.
@Suite("DemoBackend firehose framing")
struct FirehoseFramingTests {
    /// Reads the raw response to `path` until `chunks` body chunks have come (bounded by a
    /// receive time-out); returns the chunks' payloads.
    func rawChunks(port: Int, path: String, token: String, chunks: Int) throws -> [String] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("connect failed") }
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var payloads: [String] = []
        while payloads.count < chunks {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw HarnessError("the stream ended or stalled after \(payloads.count) chunks") }
            bytes += buffer[0..<n]
            // Past the head, the body is `size CRLF data CRLF`, again and again.
            guard let headEnd = String(decoding: bytes, as: UTF8.self).range(of: "\r\n\r\n") else { continue }
            var body = Array(String(decoding: bytes, as: UTF8.self)[headEnd.upperBound...].utf8)
            payloads = []
            while let crlf = body.firstIndex(of: 0x0D), crlf + 1 < body.count, body[crlf + 1] == 0x0A,
                let size = Int(String(decoding: body[..<crlf], as: UTF8.self), radix: 16), body.count >= crlf + 2 + size + 2
            {
                payloads.append(String(decoding: body[(crlf + 2)..<(crlf + 2 + size)], as: UTF8.self))
                body.removeFirst(crlf + 2 + size + 2)
            }
        }
        return payloads
    }

    @Test("one HTTP chunk per event, as uvicorn and sse-starlette write them; framing=batched packs them")
    func perEventChunks() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01")
            let path = try #require(URL(string: server.catalogue.url(for: .alerts))?.path)
            b.armFirehose(count: 2000, endpoint: .alerts)
            let chunks = try rawChunks(port: server.port, path: path, token: token, chunks: 1001)
            #expect(chunks.first?.hasPrefix("event: connected\r\n") == true)
            for c in chunks.dropFirst() {
                #expect(
                    c.hasPrefix("event: alert.raised\r\ndata: {") && c.hasSuffix("}\r\n\r\n")
                        && c.components(separatedBy: "\r\n\r\n").count == 2, "one event per chunk: \(c.prefix(80))")
            }
            b.armFirehose(count: 2000, endpoint: .alerts, framing: .batched)
            let packed = try rawChunks(port: server.port, path: path, token: token, chunks: 2)
            #expect(packed[1].components(separatedBy: "event: alert.raised").count - 1 > 100, "many events in one chunk")
        }
    }
}
