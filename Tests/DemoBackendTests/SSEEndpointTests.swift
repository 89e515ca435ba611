import DashTestSupport
import DemoBackend
import Foundation
import RealtimeProtocol
import Testing

@Suite("DemoBackend SSE")
struct SSEEndpointTests {
    static let alert =
        #"{"event_type":"alert.raised","tenant_id":"t-01","timestamp":"2025-12-08T10:30:00.123456","alert_id":"a-1","alert_type":"device_offline","severity":"critical","source":"olt-01","message":"OLT unreachable","details":null}"#

    @Test("exact bytes: CRLF, the connected frame first, ping comments, then the event frame")
    func exactBytes() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let token = server.backend.mintToken(tenant: "t-01")
            let url = server.catalogue.url(for: .alerts)
            // Read until both the event and a ping (every 100 ms in tests, 15 s in production) arrived.
            async let read = http(url, headers: bearer(token)) { bytes in
                let text = String(decoding: bytes, as: UTF8.self)
                return text.contains("event: alert.raised") && text.contains(": ping - ") && text.hasSuffix("\r\n\r\n")
            }
            try await waitUntil("the stream to subscribe") { server.backend.openConnections == 1 }
            server.backend.publish(tenant: "t-01", endpoint: .alerts, json: Self.alert)
            let r = try await read
            #expect(r.status == 200)
            #expect(r.header("content-type") == "text/event-stream; charset=utf-8")
            #expect(r.header("transfer-encoding") == "chunked")
            #expect(r.text.hasPrefix("event: connected\r\ndata: {\"channel\": \"alerts:t-01\"}\r\n\r\n"))
            #expect(r.text.contains("\r\n\r\nevent: alert.raised\r\ndata: \(Self.alert)\r\n\r\n"))
            let pings = r.text.components(separatedBy: "\r\n\r\n").filter { $0.hasPrefix(": ping - ") }
            #expect(!pings.isEmpty)
            for p in pings {
                // ": ping - 2025-12-08 10:30:15.000001+00:00"
                let stamp = String(p.dropFirst(": ping - ".count))
                #expect(stamp.count == 32 && stamp.hasSuffix("+00:00"), "ping stamp \(stamp)")
                #expect(UTCInstant(iso8601: stamp) != nil)
            }
            // No bare LF anywhere: every line ends in CRLF.
            let bytes = r.body
            for (i, b) in bytes.enumerated() where b == 0x0A { #expect(i > 0 && bytes[i - 1] == 0x0D) }
        }
    }

    @Test("auth matrix: header, cookie and X-API-Key work; ?token=, expired, wrong secret and none are 401")
    func authMatrix() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let url = server.catalogue.url(for: .alerts)
            let good = b.mintToken(tenant: "t-01")
            for headers in [bearer(good), [("Cookie", "access_token=\(good)")], [("X-API-Key", good)]] {
                let (r, events) = try await readSSE(url, token: nil, events: 0, extraHeaders: headers)
                #expect(r.status == 200)
                #expect(events.first?.text == #"{"channel": "alerts:t-01"}"#)
            }
            let expired = b.mintToken(tenant: "t-01", lifetime: -10)
            let foreign = TokenAuthority(secret: Array("another secret".utf8)).mint(
                tenant: "t-01", now: Int64(Date().timeIntervalSince1970))
            let cases: [(String, [(String, String)])] = [
                (url + "?token=" + good, []),
                (url, bearer(expired)),
                (url, bearer(foreign)),
                (url, bearer("not.a.jwt")),
                (url, []),
            ]
            for (u, headers) in cases {
                let r = try await http(u, headers: headers)
                #expect(r.status == 401, "\(u) \(headers.map(\.0))")
                #expect(r.text == #"{"detail":"Not authenticated"}"#)
            }
            // A token without a tenant claim streams tenant `platform`.
            let (r, events) = try await readSSE(url, token: b.mintToken(tenant: nil), events: 0)
            #expect(r.status == 200)
            #expect(events.first?.text == #"{"channel": "alerts:platform"}"#)
        }
    }

    @Test("legacy era: /api/v1, no token streams tenant platform, and there is no /events")
    func legacyEra() async throws {
        try await withDemoBackend(quietBackend { $0.era = .legacy }) { server in
            #expect(server.catalogue.restBase == "/api/v1")
            let (r, events) = try await readSSE(server.catalogue.url(for: .tickets), token: nil, events: 0)
            #expect(r.status == 200)
            #expect(events.first?.type == "connected")
            #expect(events.first?.text == #"{"channel": "tickets:platform"}"#)
            let events404 = try await http(
                server.catalogue.url(for: .events), headers: bearer(server.backend.mintToken(tenant: "t-01")))
            #expect(events404.status == 404)
        }
    }

    @Test("tenant isolation: each connection sees only its own tenant's events")
    func tenantIsolation() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let url = server.catalogue.url(for: .alerts)
            async let one = readSSE(url, token: b.mintToken(tenant: "t-01"), events: 2)
            async let two = readSSE(url, token: b.mintToken(tenant: "t-02"), events: 2)
            try await waitUntil("both streams") { b.openConnections == 2 }
            for i in 0..<2 {
                for t in ["t-01", "t-02"] {
                    b.publish(
                        tenant: t, endpoint: .alerts,
                        json: Self.alert.replacingOccurrences(of: "\"t-01\"", with: "\"\(t)\"")
                            .replacingOccurrences(of: "a-1", with: "a-\(t)-\(i)"))
                }
            }
            let (_, e1) = try await one
            let (_, e2) = try await two
            #expect(e1.dropFirst().allSatisfy { $0.text.contains("\"tenant_id\":\"t-01\"") && $0.text.contains("a-t-01-") })
            #expect(e2.dropFirst().allSatisfy { $0.text.contains("\"tenant_id\":\"t-02\"") && $0.text.contains("a-t-02-") })
            #expect(e1.count == 3 && e2.count == 3)
        }
    }

    @Test("an endpoint carries only its family; the combined stream carries all five, re-serialised with source")
    func familiesAndCombined() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01")
            async let tickets = readSSE(server.catalogue.url(for: .tickets), token: token, events: 1)
            async let combined = readSSE(server.catalogue.url(for: .events), token: token, events: 2)
            try await waitUntil("both streams") { b.openConnections == 2 }
            b.publish(tenant: "t-01", endpoint: .alerts, json: Self.alert)
            let ticket = EventEncoder.json(
                type: .ticketCreated, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
                payload: .ticket(
                    TicketEvent(
                        ticketID: "tk-1", ticketNumber: "TCK-1", title: "Café sans réseau",
                        category: "c", priority: "high", status: "open")))
            b.publish(tenant: "t-01", endpoint: .tickets, json: ticket)
            let (_, t) = try await tickets
            #expect(t.map(\.type) == ["connected", "ticket.created"])
            #expect(t.last?.text == ticket)
            let (_, c) = try await combined
            #expect(
                c.first?.text
                    == #"{"channels": ["onu_status:t-01", "alerts:t-01", "tickets:t-01", "subscribers:t-01", "sessions:t-01"]}"#)
            #expect(c.map(\.type) == ["connected", "alert.raised", "ticket.created"])
            // Python's json.dumps: ", " and ": " separators, non-ASCII escaped, source added only when absent.
            #expect(c[1].text.hasPrefix(#"{"event_type": "alert.raised", "tenant_id": "t-01""#))
            #expect(c[1].text.contains(#""source": "olt-01""#) && !c[1].text.contains("alerts:t-01"))
            #expect(c[2].text.contains(#""title": "Caf\u00e9 sans r\u00e9seau""#))
            #expect(c[2].text.hasSuffix(#", "source": "tickets:t-01"}"#))
            // Both forms decode to the same event.
            guard case .event(let e) = EventDecoder.decode(c[2].data) else {
                Issue.record("combined ticket did not decode"); return
            }
            #expect(e.type == .ticketCreated)
        }
    }

    @Test("a payload with line breaks is split over several data lines")
    func multiLineData() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            async let read = readSSE(server.catalogue.url(for: .alerts), token: b.mintToken(tenant: "t-01"), events: 1)
            try await waitUntil("the stream") { b.openConnections == 1 }
            b.publish(tenant: "t-01", endpoint: .alerts, json: "{\"a\":\n1}", eventName: "alert.raised")
            let (r, events) = try await read
            #expect(r.text.contains("event: alert.raised\r\ndata: {\"a\":\r\ndata: 1}\r\n\r\n"))
            #expect(events.last?.text == "{\"a\":\n1}")
        }
    }
}

@Suite("DemoBackend REST")
struct RESTTests {
    @Test("jobs list, detail, REST cancel and 404s have the backend's shapes")
    func jobs() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let token = b.mintToken(tenant: "t-01")
            let ids = (0..<3).compactMap { _ in b.createJob(tenant: "t-01", type: "bulk_provision", items: 100) }
            _ = b.createJob(tenant: "t-02")
            b.step(seconds: 5)  // the jobs start
            let list = try await http(
                server.catalogue.restURL("/jobs?job_status=running&page=1&page_size=2"), headers: bearer(token))
            #expect(list.status == 200)
            let v = try JSONValue.parse(list.body)
            #expect(
                v["total"] == .number("3") && v["page"] == .number("1") && v["page_size"] == .number("2")
                    && v["has_more"] == .bool(true))
            guard case .array(let jobs)? = v["jobs"], let first = jobs.first, case .object(let members) = first else {
                Issue.record("no jobs array"); return
            }
            #expect(jobs.count == 2)
            #expect(
                members.map(\.key) == [
                    "id", "job_type", "status", "title", "progress_percent", "items_total", "items_processed",
                    "items_succeeded", "items_failed", "created_by", "created_at", "started_at", "completed_at",
                    "duration_seconds",
                ])
            #expect(first["status"] == .string("running"))
            let page2 = try JSONValue.parse(
                try await http(server.catalogue.restURL("/jobs?job_status=running&page=2&page_size=2"), headers: bearer(token))
                    .body)
            #expect(page2["has_more"] == .bool(false))
            let pending = try JSONValue.parse(
                try await http(server.catalogue.restURL("/jobs?job_status=pending"), headers: bearer(token)).body)
            #expect(pending["total"] == .number("0"), "t-02's job is not visible to t-01")

            let detail = try await http(server.catalogue.restURL("/jobs/\(ids[0])"), headers: bearer(token))
            let d = try JSONValue.parse(detail.body)
            #expect(
                d["id"] == .string(ids[0]) && d["tenant_id"] == .string("t-01") && d["current_item"] != nil
                    && d["error_message"] == .null)

            let cancel = try await http(server.catalogue.restURL("/jobs/\(ids[0])/cancel"), method: .POST, headers: bearer(token))
            #expect(cancel.status == 200)
            let c = try JSONValue.parse(cancel.body)
            guard case .object(let cm) = c else { return }
            #expect(cm.map(\.key) == ["id", "status", "cancelled_at", "cancelled_by", "message"])
            #expect(c["status"] == .string("cancelled"))
            #expect(b.jobStatus(ids[0], tenant: "t-01")?.status == .cancelled)
            let again = try await http(server.catalogue.restURL("/jobs/\(ids[0])/cancel"), method: .POST, headers: bearer(token))
            #expect(again.status == 404)
            #expect(try await http(server.catalogue.restURL("/jobs/nope"), headers: bearer(token)).status == 404)
            #expect(
                try await http(server.catalogue.restURL("/jobs/nope/cancel"), method: .POST, headers: bearer(token)).status == 404
            )
            #expect(try await http(server.catalogue.restURL("/jobs")).status == 401)
            let readOnly = b.mintToken(tenant: "t-01", permissions: ["jobs.read"])
            #expect(
                try await http(server.catalogue.restURL("/jobs/\(ids[1])/cancel"), method: .POST, headers: bearer(readOnly))
                    .status == 403)
        }
    }

    @Test("campaigns and runtime-config")
    func campaignsAndRuntimeConfig() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let token = server.backend.mintToken(tenant: "t-02")
            let r = try await http(
                server.catalogue.restURL("/billing/dunning/campaigns?active_only=true"), headers: bearer(token))
            guard case .array(let items) = try JSONValue.parse(r.body) else { Issue.record("not an array"); return }
            #expect(items.count == 3)
            for item in items {
                #expect(isUUID(item["id"]?.stringValue ?? ""))
                #expect(item["tenant_id"] == .string("t-02") && item["is_active"] == .bool(true))
                #expect(
                    item["name"]?.stringValue != nil && item["priority"]?.intValue != nil
                        && item["total_executions"]?.intValue != nil)
            }
            let rc = try JSONValue.parse(try await http(server.catalogue.restURL("/runtime-config")).body)
            #expect(rc["realtime"]?["sse_url"] == .string("/api/isp/v1/realtime/events"))
            #expect(rc["realtime"]?["ws_url"] == .string("/api/isp/v1/realtime/ws"))
        }
    }
}

@Suite("The bench's SSE firehose")
struct SSEFirehoseTests {
    @Test("every event whole and in order, far past the socket's buffers, as the SSE parser reads the chunks")
    func wholeAndInOrder() async throws {
        // 20,000 events are about 5 MB: the listener meets a full socket many times, where a
        // chunk written while another was half written would cut into it.
        let count = 20_000
        let firehose = try await SSEFirehose.start(tenant: "t-01", endpoint: .alerts, count: count)
        defer { Task { await firehose.stop() } }
        let r = try await http("http://127.0.0.1:\(firehose.port)/any", timeout: 30)  // to the end of the body
        #expect(r.status == 200)
        #expect(r.header("transfer-encoding") == "chunked")
        var parser = SSEParser()
        var names: [String] = []
        var ids: [String] = []
        for output in parser.feed(r.body) {
            guard case .event(let e) = output else { continue }
            names.append(e.type)
            if case .event(let event) = EventDecoder.decode(e.data), case .alert(let a) = event.payload { ids.append(a.alertID) }
        }
        #expect(names.first == "connected")
        #expect(ids.count == count, "every event decoded")
        let inOrder = ids.enumerated().allSatisfy { $0.element == "fh-\($0.offset % 1000)" }
        #expect(inOrder, "in the order written")
    }

    @Test("the WebSocket firehose's frames, likewise: every one whole and in order past the socket's buffers")
    func webSocketWholeAndInOrder() async throws {
        let count = 20_000
        let firehose = try await WebSocketFirehose.start(tenant: "t-01", endpoint: .wsSessions, count: count)
        defer { Task { await firehose.stop() } }
        let ws = try await WSClient.connect("ws://127.0.0.1:\(firehose.port)/any")
        #expect(try await ws.next()?.contains("\"subscribed\"") == true)
        var ids: [String] = []
        while ids.count < count, let frame = try await ws.next() {
            guard case .event(.event(let e)) = ServerFrame.parse(frame), case .session(let s) = e.payload else {
                Issue.record("not a session event after \(ids.count): \(frame.prefix(200))")
                return
            }
            ids.append(s.sessionID)
        }
        #expect(ids.count == count)
        let inOrder = ids.enumerated().allSatisfy { $0.element == "fh-\($0.offset % 1000)" }
        #expect(inOrder, "in the order written")
    }
}
