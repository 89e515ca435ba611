import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import RealtimeProtocol

extension ConnectionManager {
    // MARK: REST

    /// GET a JSON document under the REST base with the tenant's token.
    nonisolated func getJSON(_ path: String, tenant: String) async throws -> JSONValue {
        let (status, body) = try await rest(.GET, path, tenant: tenant)
        guard status == 200 else { throw RESTError(status: status, path: path, body: body) }
        return try JSONValue.parse(body)
    }

    nonisolated func rest(_ method: HTTPMethod, _ path: String, tenant: String) async throws -> (Int, [UInt8]) {
        let token = try configuration.tokens.token(for: tenant)
        var request = HTTPClientRequest(url: configuration.catalogue.restURL(path))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        for (k, v) in authHeaders(token) { request.headers.add(name: k, value: v) }
        let response = try await http.execute(request, timeout: .seconds(15), logger: logger)
        var body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), body.readBytes(length: body.readableBytes) ?? [])
    }

    /// Polls running and pending jobs (and active campaigns) and opens a socket for each.
    nonisolated func discover(tenant: String) async {
        while !Task.isCancelled {
            if configuration.discoverJobs {
                var jobs: [JobSummary] = []
                for status in ["running", "pending"] {
                    if let v = try? await getJSON("/jobs?job_status=\(status)&page=1&page_size=100", tenant: tenant),
                        case .array(let items)? = v["jobs"]
                    {
                        jobs += items.compactMap(JobSummary.init(json:))
                    }
                }
                if !jobs.isEmpty { emit(.jobSnapshot(tenant: tenant, jobs: jobs)) }
                for job in jobs where !job.status.isTerminal { await watch(tenant: tenant, endpoint: .job(job.id)) }
            }
            if configuration.discoverCampaigns,
                let v = try? await getJSON("/billing/dunning/campaigns?active_only=true", tenant: tenant),
                case .array(let items) = v
            {
                let campaigns = items.compactMap(CampaignSummary.init(json:))
                emit(.campaigns(tenant: tenant, campaigns: campaigns))
                for c in campaigns where isUUID(c.id) { await watch(tenant: tenant, endpoint: .campaign(c.id)) }
            }
            try? await clock.sleep(seconds: configuration.jobPollInterval)
        }
    }

    /// While a job's socket is not delivering, its state comes from `GET /jobs/{id}`.
    nonisolated func pollJob(tenant: String, id: String) async {
        guard let v = try? await getJSON("/jobs/\(percentEncodePathSegment(id))", tenant: tenant), let job = JobSummary(json: v)
        else { return }
        emit(.jobSnapshot(tenant: tenant, jobs: [job]))
    }

    /// Re-reads token sources; streams of a tenant whose token changed retry at once if auth failed.
    nonisolated func watchTokens() async {
        while !Task.isCancelled {
            try? await clock.sleep(seconds: configuration.tokenCheckInterval)
            let changed = configuration.tokens.changedTenants()
            if !changed.isEmpty { await tokensChanged(changed) }
        }
    }

    func tokensChanged(_ tenants: [String]) {
        for (key, wake) in wakesSnapshot() where tenants.contains(key.tenant) { wake.post(.tokenChanged) }
    }

    // MARK: Commands

    /// Sends a control command to a job or campaign socket and follows its outcome.
    ///
    /// sent → acknowledged | rejected | rate-limited | no answer (after the command timeout) →
    /// confirmed by a later event. A cancel whose socket is not live, or whose `job.cancelled`
    /// does not follow the ack within `cancel_confirm_s`, falls back to `POST /jobs/{id}/cancel`.
    public func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) {
        let key = StreamKey(tenant: tenant, endpoint: endpoint)
        generation += 1
        let gen = generation
        guard let socket = socketFor(key) else {
            if case .job(let id) = endpoint, command == .cancelJob {
                emit(.command(tenant: tenant, endpoint: endpoint, command: command, outcome: .sent))
                schedule(after: 0) { await self.cancelViaREST(key, id: id) }
            } else {
                emit(
                    .command(
                        tenant: tenant, endpoint: endpoint, command: command, outcome: .failed("the socket is not connected")))
            }
            return
        }
        addPending(key, PendingCommand(command: command, generation: gen))
        socket.yield(command)
        emit(.command(tenant: tenant, endpoint: endpoint, command: command, outcome: .sent))
        let timeout = configuration.commandTimeout
        schedule(after: timeout) { await self.timedOut(key, generation: gen) }
    }

    func timedOut(_ key: StreamKey, generation gen: Int) async {
        guard let p = markTimedOut(key, generation: gen) else { return }
        // resume_job is never answered by the current backend: it leaves the queue for good.
        if p.command == .resumeJob { _ = takePending(key, where: { $0.generation == gen }) }
        emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: p.command, outcome: .noAnswer))
        if case .job(let id) = key.endpoint, p.command == .cancelJob { await cancelViaREST(key, id: id) }
    }

    /// An ack answers the oldest unanswered command of its kind on that socket.
    func answered(_ key: StreamKey, kind: AckKind) {
        guard let p = acknowledgePending(key, where: { $0.command.expectedAck == kind }) else { return }
        emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: p.command, outcome: .acknowledged))
        if case .job(let id) = key.endpoint, p.command == .cancelJob {
            // Now wait for job.cancelled; without it, fall back to REST.
            let wait = configuration.cancelConfirm
            schedule(after: wait) { await self.cancelUnconfirmed(key, id: id, generation: p.generation) }
        } else {
            _ = takePending(key, where: { $0.generation == p.generation })
        }
    }

    func cancelUnconfirmed(_ key: StreamKey, id: String, generation gen: Int) async {
        guard takePending(key, where: { $0.generation == gen }) != nil else { return }
        await cancelViaREST(key, id: id)
    }

    /// An error frame answers the oldest unanswered command on that socket (late answers
    /// included; never a resume_job, which the backend ignores).
    func rejected(_ key: StreamKey, error: ServerError, now: Moment) {
        guard let p = takePending(key, where: { !$0.acknowledged && $0.command != .resumeJob }) else { return }
        let outcome: CommandOutcome =
            error.isRateLimit ? .rateLimited(until: now.adding(Double(error.retryAfter ?? 60))) : .rejected(error.message)
        emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: p.command, outcome: outcome))
    }

    /// A later event confirmed a command (`job.cancelled` for a cancel).
    func confirmed(_ key: StreamKey, _ command: ClientCommand) {
        guard let p = takePending(key, where: { $0.command == command }) else { return }
        emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: p.command, outcome: .confirmed))
    }

    nonisolated func cancelViaREST(_ key: StreamKey, id: String) async {
        do {
            let (status, body) = try await rest(.POST, "/jobs/\(percentEncodePathSegment(id))/cancel", tenant: key.tenant)
            if status == 200 {
                emit(.command(tenant: key.tenant, endpoint: key.endpoint, command: .cancelJob, outcome: .confirmedViaREST))
            } else {
                let detail = (try? JSONValue.parse(body))?["detail"]?.stringValue ?? "HTTP \(status)"
                emit(
                    .command(
                        tenant: key.tenant, endpoint: key.endpoint, command: .cancelJob,
                        outcome: .failed("REST cancel: \(detail)")))
            }
        } catch {
            emit(
                .command(
                    tenant: key.tenant, endpoint: key.endpoint, command: .cancelJob,
                    outcome: .failed("REST cancel: \(TransportError.classify(error))")))
        }
    }
}

public struct RESTError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var path: String
    public var body: [UInt8]
    public var description: String { "HTTP \(status) from \(path)" }
}
