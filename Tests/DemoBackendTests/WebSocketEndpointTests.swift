import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

@Suite("DemoBackend WebSocket")
struct WebSocketEndpointTests {
    static func wsURL(_ server: RunningDemoBackend, _ endpoint: Endpoint) -> String { server.catalogue.url(for: endpoint) }

    @Test("auth matrix: header, cookie and ?token= work; expired, wrong secret and missing permission are HTTP 403")
    func authMatrix() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let url = Self.wsURL(server, .wsSessions)
            let good = b.mintToken(tenant: "t-01", permissions: ["sessions.read"])
            let alt = b.mintToken(tenant: "t-01", permissions: ["radius.sessions.read"])
            for (u, headers) in [
                (url, bearer(good)), (url, [("Cookie", "access_token=\(good)")]), (url + "?token=" + good, []),
                (url, bearer(alt)),
            ] {
                let ws = try await WSClient.connect(u, headers: headers)
                #expect(try await ws.next() == #"{"type":"subscribed","channel":"sessions:t-01","tenant_id":"t-01"}"#)
                await ws.close()
            }
            let expired = b.mintToken(tenant: "t-01", lifetime: -5)
            let foreign = TokenAuthority(secret: Array("x".utf8)).mint(tenant: "t-01", now: Int64(Date().timeIntervalSince1970))
            let noPermission = b.mintToken(tenant: "t-01", permissions: ["jobs.read"])
            for headers in [bearer(expired), bearer(foreign), bearer(noPermission), []] {
                await #expect(throws: WebSocketClient.UpgradeRefused(status: 403)) {
                    _ = try await WSClient.connect(url, headers: headers)
                }
            }
        }
    }

    @Test("ping answers pong; unknown types are ignored; a non-object frame closes with 1000")
    func pingUnknownAndGarbage() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let token = server.backend.mintToken(tenant: "t-01")
            for garbage in ["not json", "[1,2]", "\"text\"", "42"] {
                let ws = try await WSClient.connect(Self.wsURL(server, .wsSessions), headers: bearer(token))
                _ = try await ws.next()
                try await ws.send(#"{"type":"brand_new_thing"}"#)
                try await ws.send(#"{"type":"ping"}"#)
                #expect(try await ws.next() == #"{"type":"pong"}"#, "the unknown type got no answer, the ping did")
                try await ws.send(garbage)
                #expect(try await ws.closeCode() == 1000)
            }
        }
    }

    @Test("sessions socket: bare session events and query_session")
    func sessionsSocket() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let ws = try await WSClient.connect(Self.wsURL(server, .wsSessions), headers: bearer(b.mintToken(tenant: "t-02")))
            _ = try await ws.next()
            b.step(seconds: 3)
            let frame = try #require(try await ws.next(where: { $0.contains("\"session.updated\"") }))
            guard case .event(.event(let e)) = ServerFrame.parse(frame), case .session(let s) = e.payload else {
                Issue.record("not a session event: \(frame)"); return
            }
            #expect(e.tenantID == "t-02")
            try await ws.send(ClientCommand.querySession(sessionID: s.sessionID).json)
            let info = try #require(try await ws.next(where: { $0.contains("session_info") || $0.contains("\"error\"") }))
            guard case .sessionInfo(let v) = ServerFrame.parse(info) else { Issue.record("\(info)"); return }
            #expect(v["session_id"] == .string(s.sessionID) && v["username"] == .string(s.username))
            try await ws.send(ClientCommand.querySession(sessionID: "s-nope").json)
            let err = try #require(try await ws.next(where: { $0.contains("\"error\"") }))
            #expect(err == #"{"type":"error","message":"Session not found"}"#)
        }
    }

    @Test("job socket: pause ack, resume silence (or ack when switched on), cancel ack, job.cancelled, then close 1000")
    func jobCommands() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 200))
            b.step(seconds: 5)
            let ws = try await WSClient.connect(Self.wsURL(server, .job(id)), headers: bearer(b.mintToken(tenant: "t-01")))
            #expect(try await ws.next() == "{\"type\":\"subscribed\",\"channel\":\"t-01:job:\(id)\",\"tenant_id\":\"t-01\"}")

            try await ws.send(ClientCommand.pauseJob.json)
            #expect(
                try await ws.next(where: { !$0.contains("event_type") })
                    == "{\"type\":\"pause_requested\",\"job_id\":\"\(id)\",\"tenant_id\":\"t-01\"}")
            #expect(b.jobStatus(id, tenant: "t-01")?.paused == true)
            let frozen = b.jobStatus(id, tenant: "t-01")?.processed
            b.step(seconds: 5)
            #expect(b.jobStatus(id, tenant: "t-01")?.processed == frozen, "a paused job does not progress")
            #expect(b.jobStatus(id, tenant: "t-01")?.status == .running, "no invented 'paused' status")

            // The current backend ignores resume_job: the pong comes back, no ack before it.
            try await ws.send(ClientCommand.resumeJob.json)
            try await ws.send(ClientCommand.ping.json)
            #expect(try await ws.next(where: { !$0.contains("event_type") }) == #"{"type":"pong"}"#)
            #expect(b.jobStatus(id, tenant: "t-01")?.paused == true)
            b.setResumeAnswered(true)
            try await ws.send(ClientCommand.resumeJob.json)
            #expect(
                try await ws.next(where: { !$0.contains("event_type") })
                    == "{\"type\":\"resume_requested\",\"job_id\":\"\(id)\",\"tenant_id\":\"t-01\"}")
            #expect(b.jobStatus(id, tenant: "t-01")?.paused == false)

            try await ws.send(ClientCommand.cancelJob.json)
            #expect(
                try await ws.next(where: { !$0.contains("event_type") })
                    == "{\"type\":\"cancel_requested\",\"job_id\":\"\(id)\",\"tenant_id\":\"t-01\"}")
            b.step(seconds: 0.1)
            let cancelled = try #require(try await ws.next(where: { $0.contains("job.cancelled") }))
            guard case .event(.event(let e)) = ServerFrame.parse(cancelled), case .job(let j) = e.payload else {
                Issue.record("\(cancelled)"); return
            }
            #expect(j.status == .cancelled && j.jobID == id)
            #expect(try await ws.closeCode() == 1000)
        }
    }

    @Test("command permission errors name the command")
    func permissionErrors() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01"))
            let ws = try await WSClient.connect(
                Self.wsURL(server, .job(id)), headers: bearer(b.mintToken(tenant: "t-01", permissions: ["jobs.read"])))
            _ = try await ws.next()
            try await ws.send(ClientCommand.cancelJob.json)
            #expect(try await ws.next() == #"{"type":"error","message":"Insufficient permissions to cancel job"}"#)
            try await ws.send(ClientCommand.pauseJob.json)
            #expect(try await ws.next() == #"{"type":"error","message":"Insufficient permissions to pause job"}"#)
            #expect(b.jobStatus(id, tenant: "t-01")?.paused == false)
        }
    }

    @Test("rate limit: 30 commands per user per minute, then an error with retry_after")
    func rateLimit() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01"))
            let token = b.mintToken(tenant: "t-01", subject: "busy-operator")
            let ws = try await WSClient.connect(Self.wsURL(server, .job(id)), headers: bearer(token))
            _ = try await ws.next()
            for _ in 0..<30 {
                try await ws.send(ClientCommand.pauseJob.json)
                #expect(try await ws.next()?.contains("pause_requested") == true)
            }
            try await ws.send(ClientCommand.pauseJob.json)
            let limited = try #require(try await ws.next())
            #expect(
                limited
                    == #"{"type":"error","error":"rate_limit_exceeded","message":"Rate limit exceeded: 30/30 commands per minute","retry_after":60}"#
            )
            // The limit is per user, across sockets: a second socket of the same user is limited too.
            let ws2 = try await WSClient.connect(Self.wsURL(server, .job(id)), headers: bearer(token))
            _ = try await ws2.next()
            try await ws2.send(ClientCommand.cancelJob.json)
            #expect(try await ws2.next()?.contains("rate_limit_exceeded") == true)
            // Pings are not commands.
            try await ws2.send(ClientCommand.ping.json)
            #expect(try await ws2.next() == #"{"type":"pong"}"#)
        }
    }

    @Test("1008 after accept: unknown or foreign job, non-UUID or unknown campaign")
    func policyViolations() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let foreignJob = try #require(b.createJob(tenant: "t-02"))
            let token = b.mintToken(tenant: "t-01")
            for endpoint in [
                Endpoint.job("no-such-job"), .job(foreignJob), .campaign("not-a-uuid"),
                .campaign("00000000-0000-4000-8000-000000000000"),
            ] {
                let ws = try await WSClient.connect(Self.wsURL(server, endpoint), headers: bearer(token))
                let code = try await ws.closeCode()
                #expect(code == 1008, "\(endpoint): closed with \(String(describing: code)) \(ws.session.closeReason ?? "")")
            }
        }
    }

    @Test("campaign socket: pause, resume and cancel acks; permission errors")
    func campaignCommands() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.campaignIDs(tenant: "t-01").first)
            let ws = try await WSClient.connect(Self.wsURL(server, .campaign(id)), headers: bearer(b.mintToken(tenant: "t-01")))
            #expect(try await ws.next() == "{\"type\":\"subscribed\",\"channel\":\"t-01:campaign:\(id)\",\"tenant_id\":\"t-01\"}")
            for (command, ack) in [
                (ClientCommand.pauseCampaign, "pause_requested"), (.resumeCampaign, "resume_requested"),
                (.cancelCampaign, "cancel_requested"),
            ] {
                try await ws.send(command.json)
                #expect(try await ws.next() == "{\"type\":\"\(ack)\",\"campaign_id\":\"\(id)\",\"tenant_id\":\"t-01\"}")
            }
            let reader = try await WSClient.connect(
                Self.wsURL(server, .campaign(id)),
                headers: bearer(b.mintToken(tenant: "t-01", permissions: ["firmware.campaigns.read"])))
            _ = try await reader.next()
            try await reader.send(ClientCommand.pauseCampaign.json)
            #expect(try await reader.next() == #"{"type":"error","message":"Insufficient permissions to pause campaign"}"#)
        }
    }
}
