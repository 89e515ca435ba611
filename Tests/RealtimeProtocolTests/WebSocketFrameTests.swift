import Testing
@testable import RealtimeProtocol

@Suite("WebSocket frames")
struct WebSocketFrameTests {
    @Test(
        "client commands encode to the exact JSON of PROTOCOL.md §6",
        arguments: [
            (ClientCommand.ping, #"{"type":"ping"}"#),
            (.cancelJob, #"{"type":"cancel_job"}"#),
            (.pauseJob, #"{"type":"pause_job"}"#),
            (.resumeJob, #"{"type":"resume_job"}"#),
            (.pauseCampaign, #"{"type":"pause_campaign"}"#),
            (.resumeCampaign, #"{"type":"resume_campaign"}"#),
            (.cancelCampaign, #"{"type":"cancel_campaign"}"#),
            (.querySession(sessionID: "s-0001"), #"{"type":"query_session","session_id":"s-0001"}"#),
            (.querySession(sessionID: "a\"b\\c\n"), #"{"type":"query_session","session_id":"a\"b\\c\n"}"#),
        ])
    func encoding(_ command: ClientCommand, _ json: String) throws {
        #expect(command.json == json)
        // And the backend side reads it back.
        #expect(ClientCommand(json: try JSONValue.parse(json)) == command)
    }

    @Test("subscribed, pong, acks, errors and session_info are told apart from events")
    func serverFrames() {
        guard
            case .subscribed(let channel, let tenant) = ServerFrame.parse(
                #"{"type":"subscribed","channel":"sessions:t-01","tenant_id":"t-01"}"#)
        else {
            Issue.record("subscribed"); return
        }
        #expect(channel == "sessions:t-01" && tenant == "t-01")
        guard case .pong = ServerFrame.parse(#"{"type":"pong"}"#) else { Issue.record("pong"); return }
        guard case .ack(let ack) = ServerFrame.parse(#"{"type":"cancel_requested","job_id":"j-7","tenant_id":"t-01"}"#) else {
            Issue.record("ack"); return
        }
        #expect(ack == CommandAck(kind: .cancelRequested, jobID: "j-7", tenantID: "t-01"))
        guard
            case .ack(let cack) = ServerFrame.parse(
                #"{"type":"resume_requested","campaign_id":"0f0e0d0c-0b0a-0908-0706-050403020100","tenant_id":"t-01"}"#)
        else {
            Issue.record("campaign ack"); return
        }
        #expect(cack.kind == .resumeRequested && cack.campaignID == "0f0e0d0c-0b0a-0908-0706-050403020100")
        guard case .error(let err) = ServerFrame.parse(#"{"type":"error","message":"Insufficient permissions to cancel job"}"#)
        else {
            Issue.record("error"); return
        }
        #expect(err == ServerError(message: "Insufficient permissions to cancel job"))
        #expect(!err.isRateLimit)
        guard
            case .error(let rl) = ServerFrame.parse(
                #"{"type":"error","error":"rate_limit_exceeded","message":"Rate limit exceeded: 30/30 commands per minute","retry_after":60}"#
            )
        else {
            Issue.record("rate limit"); return
        }
        #expect(rl.isRateLimit && rl.retryAfter == 60)
        guard case .sessionInfo(let info) = ServerFrame.parse(#"{"type":"session_info","session_id":"s-1","username":"u"}"#)
        else {
            Issue.record("session_info"); return
        }
        #expect(info["username"] == .string("u"))
        guard case .event(.event(let e)) = ServerFrame.parse(Payloads.job("job.progress", status: "running")) else {
            Issue.record("event"); return
        }
        #expect(e.type == .jobProgress)
        guard case .unknownControl(let t, _) = ServerFrame.parse(#"{"type":"brand_new"}"#) else {
            Issue.record("unknown"); return
        }
        #expect(t == "brand_new")
    }

    @Test(
        "frames that are not JSON objects, or neither control nor event, are malformed",
        arguments: [
            "nope", "[1]", "\"text\"", "{}", #"{"x":1}"#,
        ])
    func malformedFrames(_ text: String) {
        guard case .malformed = ServerFrame.parse(text) else {
            Issue.record("\(text) was not malformed"); return
        }
    }

    @Test("acks and errors encode as the backend sends them")
    func backendSideEncoding() {
        #expect(
            CommandAck(kind: .pauseRequested, jobID: "j-1", tenantID: "t").json
                == #"{"type":"pause_requested","job_id":"j-1","tenant_id":"t"}"#)
        #expect(
            ServerError(message: "Rate limit exceeded: 30/30 commands per minute", error: "rate_limit_exceeded", retryAfter: 60)
                .json
                == #"{"type":"error","error":"rate_limit_exceeded","message":"Rate limit exceeded: 30/30 commands per minute","retry_after":60}"#
        )
        #expect(ClientCommand.resumeJob.expectedAck == .resumeRequested)
    }
}

@Suite("Endpoints")
struct EndpointTests {
    @Test(
        "the catalogue for each release's base path",
        arguments: [
            (
                "/api/isp/v1", "http://127.0.0.1:8000/api/isp/v1/realtime/alerts",
                "ws://127.0.0.1:8000/api/isp/v1/realtime/ws/jobs/j-7", "http://127.0.0.1:8000/api/isp/v1/jobs?job_status=running"
            ),
            (
                "/api/v1", "http://127.0.0.1:8000/api/v1/realtime/alerts", "ws://127.0.0.1:8000/api/v1/realtime/ws/jobs/j-7",
                "http://127.0.0.1:8000/api/v1/jobs?job_status=running"
            ),
            (
                "api/platform/v1/", "http://127.0.0.1:8000/api/platform/v1/realtime/alerts",
                "ws://127.0.0.1:8000/api/platform/v1/realtime/ws/jobs/j-7",
                "http://127.0.0.1:8000/api/platform/v1/jobs?job_status=running"
            ),
        ])
    func catalogue(_ base: String, _ alerts: String, _ job: String, _ rest: String) throws {
        let c = try EndpointCatalogue(origin: "http://127.0.0.1:8000/", basePath: base)
        #expect(c.url(for: .alerts) == alerts)
        #expect(c.url(for: .job("j-7")) == job)
        #expect(c.restURL("/jobs?job_status=running") == rest)
    }

    @Test("https origins give wss sockets")
    func tls() throws {
        let c = try EndpointCatalogue(origin: "https://noc.example.net:8443")
        #expect(c.url(for: .wsSessions) == "wss://noc.example.net:8443/api/isp/v1/realtime/ws/sessions")
        #expect(c.url(for: .events) == "https://noc.example.net:8443/api/isp/v1/realtime/events")
    }

    @Test("bad origins are refused with a sentence", arguments: ["ftp://x", "127.0.0.1:8000", "http://", "http://x/api"])
    func badOrigins(_ origin: String) {
        #expect(throws: EndpointError.self) { try EndpointCatalogue(origin: origin) }
    }

    @Test("endpoint names round-trip; campaigns need a UUID")
    func names() throws {
        for e: Endpoint in [
            .onuStatus, .alerts, .tickets, .subscribers, .radiusSessions, .events, .wsSessions, .job("42"),
            .campaign("0f0e0d0c-0b0a-0908-0706-050403020100"),
        ] {
            #expect(try Endpoint(name: e.name) == e)
        }
        #expect(throws: EndpointError.self) { try Endpoint(name: "campaign:42") }
        #expect(throws: EndpointError.self) { try Endpoint(name: "job:") }
        #expect(throws: EndpointError.self) { try Endpoint(name: "alert") }
        #expect(Endpoint.job("a/b c").path == "/ws/jobs/a%2Fb%20c")
    }
}
