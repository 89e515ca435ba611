import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOWebSocket
import RealtimeProtocol
import WSCore

/// What a WebSocket path serves.
enum SocketKind: Sendable {
    case sessions
    case job(String)
    case campaign(String)

    var isJobOrCampaign: Bool {
        if case .sessions = self { false } else { true }
    }

    var endpoint: Endpoint {
        switch self {
        case .sessions: .wsSessions
        case .job(let id): .job(id)
        case .campaign(let id): .campaign(id)
        }
    }

    /// Any one of these permissions admits the socket (PROTOCOL.md §4).
    var readPermissions: [String] {
        switch self {
        case .sessions: ["sessions.read", "radius.sessions.read"]
        case .job: ["jobs.read"]
        case .campaign: ["campaigns.read", "firmware.campaigns.read"]
        }
    }
}

struct DroppedConnection: Error {}

extension DemoBackend {
    var realtimeBase: String { configuration.restBase + "/realtime" }

    func addRoutes(_ router: Router<BasicRequestContext>) {
        let rt = realtimeBase
        var sse: [Endpoint] = Endpoint.defaultSSE
        if configuration.era == .current { sse.append(.events) }
        for endpoint in sse {
            router.get(RouterPath(rt + endpoint.path)) { request, _ in self.sseResponse(request, endpoint: endpoint) }
        }
        // WebSocket paths are answered by ``upgradeDecision(_:)`` before routing.

        let base = configuration.restBase
        router.get(RouterPath(base + "/jobs")) { request, _ in self.listJobs(request) }
        router.get(RouterPath(base + "/jobs/:id")) { request, context in
            self.getJob(request, id: context.parameters.get("id") ?? "")
        }
        router.post(RouterPath(base + "/jobs/:id/cancel")) { request, context in
            self.cancelJob(request, id: context.parameters.get("id") ?? "")
        }
        router.get(RouterPath(base + "/billing/dunning/campaigns")) { request, _ in self.listCampaigns(request) }
        router.get(RouterPath(base + "/runtime-config")) { _, _ in
            json(
                .ok,
                "{\"realtime\":{\"enabled\":true,\"sse_url\":\(JSONValue.quoted(rt + "/events")),\"ws_url\":\(JSONValue.quoted(rt + "/ws"))},"
                    + "\"api\":{\"rest_url\":\(JSONValue.quoted(base))}}")
        }
        if configuration.admin { addAdminRoutes(router) }
    }

    // MARK: Auth

    func bearer(_ request: Request) -> String? {
        guard let h = request.headers[.authorization] else { return nil }
        let parts = h.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// SSE: `Authorization: Bearer`, then cookie `access_token`, then `X-API-Key`; never `?token=`.
    func sseToken(_ request: Request) -> String? {
        bearer(request) ?? request.cookies["access_token"]?.value ?? request.headers[HTTPField.Name("X-API-Key")!]
    }

    /// WebSocket: `Authorization: Bearer`, then cookie `access_token`, then `?token=`.
    func socketToken(_ request: Request) -> String? {
        bearer(request) ?? request.cookies["access_token"]?.value ?? request.uri.queryParameters["token"].map(String.init)
    }

    func claims(_ token: String?) -> JWTClaims? {
        guard let token, case .success(let c) = authority.verify(token, now: Int64(UTCInstant.now().secondsSinceEpoch)) else {
            return nil
        }
        return c
    }

    // MARK: SSE

    func sseResponse(_ request: Request, endpoint: Endpoint) -> Response {
        hub.countAttempt(endpoint.name)
        if let status = hub.consumeFailure() { return injectedFailure(status) }
        let tenant: String
        if let c = claims(sseToken(request)) {
            tenant = c.tenantID ?? "platform"
        } else if configuration.era == .legacy {
            tenant = "platform"
        } else {
            var r = json(.unauthorized, #"{"detail":"Not authenticated"}"#)
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        let sub = hub.subscribe(tenant: tenant, filter: .families(endpoint.families), isWebSocket: false)
        let connected: String
        if endpoint == .events {
            let channels = Endpoint.defaultSSE.map { JSONValue.quoted("\($0.channelPrefix):\(tenant)") }.joined(separator: ", ")
            connected = "event: connected\r\ndata: {\"channels\": [\(channels)]}\r\n\r\n"
        } else {
            connected =
                "event: connected\r\ndata: {\"channel\": \(JSONValue.quoted("\(endpoint.channelPrefix):\(tenant)"))}\r\n\r\n"
        }
        let firehose = hub.firehose(for: endpoint)
        let hub = self.hub
        let pingInterval = configuration.pingInterval
        let combined = endpoint == .events
        let body = ResponseBody { writer in
            let pinger = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pingInterval)
                    sub.continuation.yield(.ping)
                }
            }
            defer {
                pinger.cancel()
                hub.unsubscribe(sub.id)
            }
            func write(_ text: String) async throws {
                guard let pause = hub.drip else { return try await writer.write(ByteBuffer(string: text)) }
                for byte in text.utf8 {
                    try await writer.write(ByteBuffer(bytes: [byte]))
                    try await Task.sleep(for: pause)
                }
            }
            try await writer.write(ByteBuffer(string: connected))
            if firehose.count > 0 {
                try await Firehose.write(
                    count: firehose.count, tenant: tenant, endpoint: endpoint, framing: firehose.framing,
                    writeChunks: { try await writer.write(contentsOf: $0) }, write: { try await writer.write($0) })
            }
            loop: for await message in sub.stream {
                switch message {
                case .event(let name, let payload):
                    if hub.isStalled { continue }
                    try await write(
                        sseFrame(name: name, json: combined ? pythonStyle(payload, eventName: name, tenant: tenant) : payload))
                case .events(let list):
                    if hub.isStalled { continue }
                    // One HTTP chunk per event, as the backend writes them; one socket write for all.
                    let frames = list.map { name, payload in
                        sseFrame(name: name, json: combined ? pythonStyle(payload, eventName: name, tenant: tenant) : payload)
                    }
                    if hub.drip == nil {
                        try await writer.write(contentsOf: frames.map { ByteBuffer(string: $0) })
                    } else {
                        for frame in frames { try await write(frame) }
                    }
                case .ping:
                    if hub.isStalled { continue }
                    try await write(": ping - \(pingTimestamp())\r\n\r\n")
                case .drop:
                    throw DroppedConnection()
                case .shutdown:
                    break loop
                case .reply, .close:
                    continue
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ], body: body)
    }

    func injectedFailure(_ status: Int) -> Response {
        if status == 200 {
            // Headers, then the connection drops before `connected`.
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8"],
                body: ResponseBody { _ in throw DroppedConnection() })
        }
        var r = json(HTTPResponse.Status(code: status), #"{"detail":"Injected failure"}"#)
        if status == 429 || status == 503 { r.headers[.retryAfter] = "2" }
        return r
    }

    // MARK: WebSockets

    /// Which socket a path names, if any.
    func socketKind(path: String) -> SocketKind? {
        guard path.hasPrefix(realtimeBase + "/ws/") else { return nil }
        let rest = path.dropFirst(realtimeBase.count + 4).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (rest.first, rest.count) {
        case ("sessions", 1): return .sessions
        case ("jobs", 2) where !rest[1].isEmpty: return .job(rest[1].removingPercentEncoding ?? rest[1])
        case ("campaigns", 2) where !rest[1].isEmpty: return .campaign(rest[1].removingPercentEncoding ?? rest[1])
        default: return nil
        }
    }

    /// Answers a WebSocket upgrade request: an injected failure, HTTP 403 for a bad token or a
    /// missing permission (the close code never reaches the client, PROTOCOL.md §4), or the socket.
    func upgradeDecision(_ request: Request) -> UpgradeDecision {
        // The backend answers an upgrade to an unknown path with 403, like a rejected token
        // (PROTOCOL.md §9).
        guard let kind = socketKind(path: request.uri.path) else { return .refuse(status: 403, body: "") }
        hub.countAttempt(kind.endpoint.name)
        if let status = hub.consumeFailure() { return .refuse(status: status, body: #"{"detail":"Injected failure"}"#) }
        if kind.isJobOrCampaign, let status = hub.jobSocketRefusal {
            return .refuse(status: status, body: "Internal Server Error")
        }
        guard let c = claims(socketToken(request)), kind.readPermissions.contains(where: { c.permissions.contains($0) }) else {
            return .refuse(status: 403, body: "")
        }
        return .upgrade { inbound, outbound, _ in
            await self.serveSocket(inbound, outbound, request: request, kind: kind, claims: c)
        }
    }

    func serveSocket(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, request: Request, kind: SocketKind,
        claims c: JWTClaims
    ) async {
        let tenant = c.tenantID ?? "platform"
        let channel: String
        let filter: SubscriberFilter
        switch kind {
        case .sessions:
            channel = "sessions:\(tenant)"
            filter = .families([.session])
        case .job(let id):
            guard world.withLock({ $0.job(id, tenant: tenant) }) != nil else {
                await rejectAfterAccept(inbound, outbound, reason: "Job not found or access denied")
                return
            }
            channel = "\(tenant):job:\(id)"
            filter = .job(id)
        case .campaign(let id):
            guard isUUID(id), world.withLock({ $0.campaigns(tenant: tenant).contains { $0.id == id } }) else {
                await rejectAfterAccept(inbound, outbound, reason: "Campaign not found or access denied")
                return
            }
            channel = "\(tenant):campaign:\(id)"
            filter = .campaign(id)
        }
        let sub = hub.subscribe(tenant: tenant, filter: filter, isWebSocket: true)
        defer { hub.unsubscribe(sub.id) }
        let hub = self.hub
        let subscribed =
            "{\"type\":\"subscribed\",\"channel\":\(JSONValue.quoted(channel)),\"tenant_id\":\(JSONValue.quoted(tenant))}"
        do {
            try await outbound.write(.text(subscribed))
            let firehose = hub.firehose(for: kind.endpoint).count
            if firehose > 0 {
                try await Firehose.writeFrames(count: firehose, tenant: tenant, endpoint: kind.endpoint) {
                    try await outbound.write(.text($0))
                }
            }
            let forwardFor = hub.webSocketForwardingTimeout
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let clock = ContinuousClock()
                    var lastForward = clock.now
                    var forwarderDead = false
                    /// Sends one event; true when it ended the job (and so the socket).
                    func send(_ name: String, _ payload: String) async throws -> Bool {
                        // The backend's forwarder dies after a quiet spell and never comes back
                        // on that socket: later events are lost, pings still answered.
                        if let limit = forwardFor {
                            if forwarderDead || clock.now - lastForward > limit {
                                forwarderDead = true
                                return false
                            }
                            lastForward = clock.now
                        }
                        try await outbound.write(.text(payload))
                        if case .job = kind, ["job.completed", "job.failed", "job.cancelled"].contains(name) {
                            try await outbound.close(.normalClosure, reason: "Job finished")
                            return true
                        }
                        return false
                    }
                    for await message in sub.stream {
                        switch message {
                        case .event(let name, let payload):
                            if hub.isStalled { continue }
                            if try await send(name, payload) { return }
                        case .events(let list):
                            if hub.isStalled { continue }
                            for (name, payload) in list where try await send(name, payload) { return }
                        case .reply(let text):
                            if hub.isStalled { continue }
                            try await outbound.write(.text(text))
                        case .close(let code, let reason):
                            try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                            return
                        case .drop, .shutdown:
                            try await outbound.close(.goingAway, reason: nil)
                            return
                        case .ping:
                            continue
                        }
                    }
                }
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message, let value = try? JSONValue.parse(text), case .object = value else {
                            // The backend's receive_json fails on anything but a JSON object: it closes with 1000.
                            try await outbound.close(.normalClosure, reason: nil)
                            return
                        }
                        for reply in self.handle(value, kind: kind, claims: c, tenant: tenant) {
                            sub.continuation.yield(.reply(reply))
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            configuration.logger.debug("websocket ended: \(error)")
        }
    }

    /// Closes a just-accepted socket with 1008 the way uvicorn does: the close frame, then the
    /// connection stays open until the client answers with its own close (at most 10 s).
    ///
    /// The frame is written directly because swift-websocket's `close()` also half-closes TCP
    /// at once, which the real backend never does, and a FIN arriving while a client is still
    /// finishing its upgrade can cost that client the close code.
    func rejectAfterAccept(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, reason: String) async {
        var data = ByteBuffer()
        data.writeInteger(UInt16(1008))
        data.writeString(reason)
        try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
        _ = try? await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { for try await _ in inbound {} }
            group.addTask { try await Task.sleep(for: .seconds(10)) }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Answers one client frame (PROTOCOL.md §6). Returns the frames to send back.
    func handle(_ value: JSONValue, kind: SocketKind, claims c: JWTClaims, tenant: String) -> [String] {
        guard let command = ClientCommand(json: value) else {
            if value["type"]?.stringValue == "query_session" {
                return [ServerError(message: "session_id is required").json]
            }
            return []  // unknown types are ignored
        }
        if command == .ping { return [#"{"type":"pong"}"#] }
        switch (kind, command) {
        case (.sessions, .querySession(let id)):
            guard let s = world.withLock({ $0.session(id, tenant: tenant) }) else {
                return [ServerError(message: "Session not found").json]
            }
            return [
                "{\"type\":\"session_info\",\"session_id\":\(JSONValue.quoted(s.id)),\"username\":\(JSONValue.quoted(s.username)),"
                    + "\"nas_ip_address\":\(JSONValue.quoted(s.nas)),\"framed_ip_address\":\(JSONValue.quoted(s.framedIP)),"
                    + "\"bytes_in\":\(s.bytesIn),\"bytes_out\":\(s.bytesOut),\"start_time\":\(JSONValue.quoted(s.startedAt.iso8601))}"
            ]
        case (.job(let id), .cancelJob), (.job(let id), .pauseJob), (.job(let id), .resumeJob):
            if command == .resumeJob && !hub.resumeAnswered { return [] }  // the current backend ignores it
            let verb = command == .cancelJob ? "cancel" : command == .pauseJob ? "pause" : "resume"
            let needed = command == .cancelJob ? "jobs.cancel" : "jobs.pause"
            guard hub.allowCommand(user: c.subject) else {
                return [
                    ServerError(
                        message: "Rate limit exceeded: 30/30 commands per minute", error: "rate_limit_exceeded", retryAfter: 60
                    ).json
                ]
            }
            guard c.permissions.contains(needed) else {
                return [ServerError(message: "Insufficient permissions to \(verb) job").json]
            }
            let now = simNow()
            world.withLock { w in
                switch command {
                case .cancelJob: w.requestCancel(job: id, tenant: tenant, by: c.subject, now: now)
                case .pauseJob: w.setPaused(job: id, tenant: tenant, true)
                default: w.setPaused(job: id, tenant: tenant, false)
                }
            }
            return [CommandAck(kind: command.expectedAck!, jobID: id, tenantID: tenant).json]
        case (.campaign(let id), .pauseCampaign), (.campaign(let id), .resumeCampaign), (.campaign(let id), .cancelCampaign):
            let verb = command == .pauseCampaign ? "pause" : command == .resumeCampaign ? "resume" : "cancel"
            guard hub.allowCommand(user: c.subject) else {
                return [
                    ServerError(
                        message: "Rate limit exceeded: 30/30 commands per minute", error: "rate_limit_exceeded", retryAfter: 60
                    ).json
                ]
            }
            guard c.permissions.contains("campaigns.\(verb)") else {
                return [ServerError(message: "Insufficient permissions to \(verb) campaign").json]
            }
            world.withLock { $0.campaignCommand(id, tenant: tenant, command) }
            return [CommandAck(kind: command.expectedAck!, campaignID: id, tenantID: tenant).json]
        default:
            return []  // a command for another kind of socket: ignored, as an unknown type
        }
    }

    // MARK: REST

    func restClaims(_ request: Request) -> JWTClaims? {
        claims(bearer(request) ?? request.cookies["access_token"]?.value)
    }

    func jobJSON(_ j: SimJob, detail: Bool) -> String {
        func t(_ i: UTCInstant?) -> String { i.map { JSONValue.quoted($0.iso8601) } ?? "null" }
        let duration: String = {
            guard let s = j.startedAt else { return "null" }
            let end = j.completedAt ?? UTCInstant.now()
            return String(format: "%.1f", Double(end.microseconds - s.microseconds) / 1e6)
        }()
        var s =
            "{\"id\":\(JSONValue.quoted(j.id)),\"job_type\":\(JSONValue.quoted(j.type)),\"status\":\(JSONValue.quoted(j.status.rawValue)),"
            + "\"title\":\(JSONValue.quoted(j.title)),\"progress_percent\":\(j.progressPercent),\"items_total\":\(j.itemsTotal),"
            + "\"items_processed\":\(j.processed),\"items_succeeded\":\(j.succeeded),\"items_failed\":\(j.failed),"
            + "\"created_by\":\(JSONValue.quoted(j.createdBy)),\"created_at\":\(t(j.createdAt)),\"started_at\":\(t(j.startedAt)),"
            + "\"completed_at\":\(t(j.completedAt)),\"duration_seconds\":\(duration)"
        if detail {
            s +=
                ",\"tenant_id\":\(JSONValue.quoted(j.tenant)),\"current_item\":\(j.currentItem.map(JSONValue.quoted) ?? "null"),"
                + "\"error_message\":\(j.errorMessage.map(JSONValue.quoted) ?? "null"),\"cancelled_by\":\(j.cancelledBy.map(JSONValue.quoted) ?? "null")"
        }
        return s + "}"
    }

    func listJobs(_ request: Request) -> Response {
        guard let c = restClaims(request) else { return json(.unauthorized, #"{"detail":"Not authenticated"}"#) }
        let q = request.uri.queryParameters
        let status = q["job_status"].map(String.init)
        let type = q["job_type"].map(String.init)
        let page = max(1, q["page"].flatMap { Int($0) } ?? 1)
        let pageSize = min(500, max(1, q["page_size"].flatMap { Int($0) } ?? 20))
        let all = world.withLock { $0.jobs(tenant: c.tenantID ?? "platform") }
            .filter { (status == nil || $0.status.rawValue == status) && (type == nil || $0.type == type) }
            .sorted { $0.createdAt > $1.createdAt }
        let slice = all.dropFirst((page - 1) * pageSize).prefix(pageSize)
        let body =
            "{\"jobs\":[" + slice.map { jobJSON($0, detail: false) }.joined(separator: ",") + "],\"total\":\(all.count),"
            + "\"page\":\(page),\"page_size\":\(pageSize),\"has_more\":\(page * pageSize < all.count)}"
        return json(.ok, body)
    }

    func getJob(_ request: Request, id: String) -> Response {
        jobReadCount.withLock { $0 += 1 }
        guard let c = restClaims(request) else { return json(.unauthorized, #"{"detail":"Not authenticated"}"#) }
        guard let j = world.withLock({ $0.job(id, tenant: c.tenantID ?? "platform") }) else {
            return json(.notFound, #"{"detail":"Job not found"}"#)
        }
        return json(.ok, jobJSON(j, detail: true))
    }

    func cancelJob(_ request: Request, id: String) -> Response {
        guard let c = restClaims(request) else { return json(.unauthorized, #"{"detail":"Not authenticated"}"#) }
        guard c.permissions.contains("jobs.cancel") else {
            return json(.forbidden, #"{"detail":"Insufficient permissions to cancel job"}"#)
        }
        let now = simNow()
        guard
            let (job, publication) = world.withLock({
                $0.cancelNow(job: id, tenant: c.tenantID ?? "platform", by: c.subject, now: now)
            })
        else {
            return json(.notFound, #"{"detail":"Job not found or already finished"}"#)
        }
        hub.publish(publication)
        return json(
            .ok,
            "{\"id\":\(JSONValue.quoted(job.id)),\"status\":\"cancelled\",\"cancelled_at\":\(JSONValue.quoted(now.iso8601)),"
                + "\"cancelled_by\":\(JSONValue.quoted(c.subject)),\"message\":\"Job cancelled successfully\"}")
    }

    func listCampaigns(_ request: Request) -> Response {
        guard let c = restClaims(request) else { return json(.unauthorized, #"{"detail":"Not authenticated"}"#) }
        let activeOnly = request.uri.queryParameters["active_only"].map { $0 == "true" } ?? false
        let campaigns = world.withLock { $0.campaigns(tenant: c.tenantID ?? "platform") }.filter { !activeOnly || $0.isActive }
        let items = campaigns.map { k in
            "{\"id\":\(JSONValue.quoted(k.id)),\"tenant_id\":\(JSONValue.quoted(k.tenant)),\"name\":\(JSONValue.quoted(k.name)),"
                + "\"description\":\(k.description.map(JSONValue.quoted) ?? "null"),\"is_active\":\(k.isActive),\"priority\":\(k.priority),"
                + "\"total_executions\":\(k.totalExecutions),\"created_at\":\(JSONValue.quoted(k.createdAt.iso8601))}"
        }
        return json(.ok, "[" + items.joined(separator: ",") + "]")
    }

    // MARK: Admin (test controls)

    func addAdminRoutes(_ router: Router<BasicRequestContext>) {
        let admin = router.group("__admin")
        admin.post("publish") { request, context in
            let q = request.uri.queryParameters
            guard let tenant = q["tenant"].map(String.init), let name = q["endpoint"].map(String.init),
                let endpoint = try? Endpoint(name: name)
            else {
                return json(.badRequest, #"{"detail":"tenant and endpoint are required"}"#)
            }
            let body = try await request.body.collect(upTo: 64 << 20)
            self.publish(tenant: tenant, endpoint: endpoint, json: String(buffer: body), eventName: q["event"].map(String.init))
            return json(.ok, #"{"published":true}"#)
        }
        admin.post("storm") { request, _ in
            let q = request.uri.queryParameters
            let tenant = q["tenant"].map(String.init) ?? self.tenantIDs[0]
            let scopes = StormScope.allCases.map(\.rawValue).joined(separator: ", ")
            guard let scope = StormScope(rawValue: q["scope"].map(String.init) ?? "pon") else {
                return json(.badRequest, "{\"detail\":\(JSONValue.quoted("scope must be one of \(scopes)"))}")
            }
            // olt=olt-03 or olt=3, pon=11: where it hits (random where not given).
            let olt = q["olt"].flatMap { Int($0.split(separator: "-").last ?? "") }
            let pon = q["pon"].flatMap { Int($0) }
            if q["olt"] != nil && olt == nil || q["pon"] != nil && pon == nil {
                return json(.badRequest, #"{"detail":"olt is olt-03 or 3, pon a number"}"#)
            }
            // The answer names what it hit: {"storm":true,"olt":"olt-03","pon":11,"onus":32}.
            let report = self.triggerStorm(
                tenant: tenant, scope: scope, rate: q["rate"].flatMap { Double($0) },
                duration: q["duration"].flatMap { Double($0) }, olt: olt, pon: pon)
            return report.map { json(.ok, $0.json) } ?? json(.notFound, #"{"detail":"unknown tenant"}"#)
        }
        admin.post("drop") { _, _ in
            self.dropAllConnections()
            return json(.ok, #"{"dropped":true}"#)
        }
        admin.post("stall") { request, _ in
            let seconds = request.uri.queryParameters["seconds"].flatMap { Double($0) }
            self.stall(seconds: seconds.flatMap { $0 > 0 ? $0 : nil })
            return json(.ok, #"{"stalled":true}"#)
        }
        admin.post("drip") { request, _ in
            let ms = request.uri.queryParameters["ms"].flatMap { Double($0) } ?? 0
            self.drip(ms > 0 ? .milliseconds(Int64(ms)) : nil)
            return json(.ok, #"{"drip":\#(ms > 0)}"#)
        }
        admin.post("unstall") { _, _ in
            self.unstall()
            return json(.ok, #"{"stalled":false}"#)
        }
        admin.post("fail") { request, _ in
            let q = request.uri.queryParameters
            self.failNextConnections(q["count"].flatMap { Int($0) } ?? 1, status: q["status"].flatMap { Int($0) } ?? 500)
            return json(.ok, #"{"armed":true}"#)
        }
        admin.post("ws-close") { request, _ in
            let q = request.uri.queryParameters
            self.closeWebSockets(code: q["code"].flatMap { UInt16($0) } ?? 1011, reason: q["reason"].map(String.init) ?? "")
            return json(.ok, #"{"closed":true}"#)
        }
        admin.post("resume-mode") { request, _ in
            let mode = request.uri.queryParameters["mode"].map(String.init) ?? "silent"
            self.setResumeAnswered(mode == "answer")
            return json(.ok, "{\"resume\":\(JSONValue.quoted(mode == "answer" ? "answer" : "silent"))}")
        }
        admin.post("ws-forwarding") { request, _ in
            // ?seconds=5 stops forwarding a WebSocket's events after 5 quiet seconds, as the backend does; no seconds: for ever.
            let seconds = request.uri.queryParameters["seconds"].flatMap { Double($0) }
            self.stopForwardingWebSockets(after: seconds.map { .milliseconds(Int64($0 * 1000)) })
            return json(.ok, "{\"seconds\":\(seconds.map { "\($0)" } ?? "null")}")
        }
        admin.post("job-sockets") { request, _ in
            // ?status=500 refuses every job and campaign upgrade, as the current backend does; no status upgrades them.
            let status = request.uri.queryParameters["status"].flatMap { Int($0) }
            self.refuseJobSockets(status: status)
            return json(.ok, "{\"refuse\":\(status.map(String.init) ?? "null")}")
        }
        admin.post("firehose") { request, _ in
            let q = request.uri.queryParameters
            // framing=per-event (the backend's: one HTTP chunk per event) or batched (64 KiB chunks).
            guard let framing = FirehoseFraming(rawValue: q["framing"].map(String.init) ?? "per-event") else {
                return json(.badRequest, #"{"detail":"framing is per-event or batched"}"#)
            }
            self.armFirehose(
                count: q["count"].flatMap { Int($0) } ?? 0, endpoint: q["endpoint"].flatMap { try? Endpoint(name: String($0)) },
                framing: framing)
            return json(.ok, "{\"armed\":true,\"framing\":\"\(framing.rawValue)\"}")
        }
        admin.post("job") { request, _ in
            let q = request.uri.queryParameters
            let tenant = q["tenant"].map(String.init) ?? self.tenantIDs[0]
            guard let id = self.createJob(tenant: tenant, type: q["type"].map(String.init), items: q["items"].flatMap { Int($0) })
            else {
                return json(.notFound, #"{"detail":"unknown tenant"}"#)
            }
            return json(.ok, "{\"id\":\(JSONValue.quoted(id))}")
        }
        admin.post("token") { request, _ in
            let q = request.uri.queryParameters
            let permissions = q["permissions"].map { $0.split(separator: ",").map(String.init) } ?? TokenAuthority.allPermissions
            let token = self.mintToken(
                tenant: q["tenant"].map(String.init) ?? self.tenantIDs[0], permissions: permissions,
                lifetime: q["lifetime"].flatMap { Int64($0) } ?? 900)
            return json(.ok, "{\"token\":\(JSONValue.quoted(token))}")
        }
        admin.get("stats") { _, _ in
            let attempts = self.connectionAttempts.sorted { $0.key < $1.key }.map { "\(JSONValue.quoted($0.key)):\($0.value)" }
                .joined(separator: ",")
            return json(.ok, "{\"open_connections\":\(self.openConnections),\"attempts\":{\(attempts)}}")
        }
    }
}

func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
}

/// One SSE frame with CRLF line ends; a payload with line breaks becomes several `data:` lines.
func sseFrame(name: String, json: String) -> String {
    var s = "event: \(name)\r\n"
    if json.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
        for line in json.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            s += "data: \(line)\r\n"
        }
    } else {
        s += "data: \(json)\r\n"
    }
    return s + "\r\n"
}

/// `2025-12-08 10:30:15.000001+00:00`, as Python prints an aware UTC datetime.
func pingTimestamp() -> String {
    let iso = UTCInstant.now().iso8601
    return iso.replacingOccurrences(of: "T", with: " ") + "+00:00"
}
