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
                // A job that left the running and pending lists has ended, or changed in some other
                // way: read it now rather than wait for its quiet socket's next poll.
                for id in await listed(tenant: tenant, jobs, at: clock.now().monotonic) { await pollJob(tenant: tenant, id: id) }
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

    /// Whether a quiet job socket needs its own `GET /jobs/{id}` now: not when discovery's last
    /// round listed the job unchanged (same status and counts), since that read
    /// would say the same. With 100 tenants the quiet sockets' reads were a third of an idle
    /// console's REST requests (`bench scale`); a job whose listing changed, or that left the
    /// list, is still read.
    func needsPoll(_ key: StreamKey, now: Double) -> Bool {
        guard configuration.discoverJobs, case .job(let id) = key.endpoint,
            let seen = listings[key.tenant]?[id],
            // The last round's listing, however late the round ran (a slow request, a busy machine).
            now - seen.at <= configuration.jobPollInterval + max(configuration.jobPollInterval / 2, 2)
        else { return true }
        return seen.changed
    }

    /// Notes a discovery listing; returns the jobs of the previous listing that are not in this one.
    func listed(tenant: String, _ jobs: [JobSummary], at now: Double) -> [String] {
        let before = listings[tenant] ?? [:]
        var after: [String: Listing] = [:]
        for job in jobs {
            let changed = before[job.id].map { $0.job != job } ?? true
            after[job.id] = Listing(job: job, at: now, changed: changed)
        }
        listings[tenant] = after
        return before.keys.filter { after[$0] == nil }.sorted()
    }

    /// While a job's socket is not delivering, its state comes from `GET /jobs/{id}`.
    @discardableResult
    nonisolated func pollJob(tenant: String, id: String) async -> JobSummary? {
        guard let v = try? await getJSON("/jobs/\(percentEncodePathSegment(id))", tenant: tenant), let job = JobSummary(json: v)
        else { return nil }
        emit(.jobSnapshot(tenant: tenant, jobs: [job]))
        return job
    }

    enum RESTFollowEnd { case finished, tryAgain, ended }

    /// A job or campaign whose socket the backend refuses: its state comes from REST (a job
    /// every `polledJobInterval`; campaigns from discovery), and its status says why. Ends when
    /// the job finishes, on R, or after `refusedSocketRetry` to try the upgrade again.
    nonisolated func followOverREST(_ key: StreamKey, reason: String, wake: WakeSignal) async -> RESTFollowEnd {
        await setPolled(key, reason)
        emit(.status(tenant: key.tenant, endpoint: key.endpoint, state: .polled(reason: reason)))
        logger.info(
            "following over REST", metadata: ["tenant": "\(key.tenant)", "endpoint": "\(key.endpoint)", "why": "\(reason)"])
        let retryAt = clock.now().monotonic + configuration.refusedSocketRetry
        var end = RESTFollowEnd.ended
        while !Task.isCancelled {
            if case .job(let id) = key.endpoint, let job = await pollJob(tenant: key.tenant, id: id), job.status.isTerminal {
                end = .finished
                break
            }
            let left = retryAt - clock.now().monotonic
            if left <= 0 {
                end = .tryAgain
                break
            }
            switch await wake.wait(seconds: min(configuration.polledJobInterval, left), clock: clock) {
            case .woken(.reconnect):
                end = .tryAgain
            case .woken(.tokenChanged), .elapsed:
                continue
            case .ended:
                end = .ended
            }
            break
        }
        await setPolled(key, nil)
        return end
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

    /// Sends a control command to a job or campaign socket and follows its outcome (see
    /// ``CommandTracker`` for the lifecycle).
    public func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) {
        let key = StreamKey(tenant: tenant, endpoint: endpoint)
        if let why = polledReason(key) {
            // No socket to send on: a job's cancel goes over REST; the rest exist only on the socket.
            if command == .cancelJob, case .job(let id) = endpoint {
                emit(.command(tenant: tenant, endpoint: endpoint, command: command, outcome: .sent))
                schedule(after: 0) { await self.cancelViaREST(key, id: id) }
            } else {
                emit(
                    .command(
                        tenant: tenant, endpoint: endpoint, command: command,
                        outcome: .rejected("not available: \(why); the backend has \(command.verb) only on the WebSocket")))
            }
            return
        }
        guard let socket = socketFor(key) else {
            track(key) { $0.notConnected(command) }
            return
        }
        let now = clock.now().monotonic
        track(key) { $0.sent(command, now: now) }
        socket.yield(command)
    }

    /// An ack answers the oldest unanswered command of its kind on that socket.
    func answered(_ key: StreamKey, kind: AckKind) {
        let now = clock.now().monotonic
        track(key) { $0.acknowledged(kind, now: now) }
    }

    /// An error frame answers the oldest unanswered command on that socket.
    func rejected(_ key: StreamKey, error: ServerError, now: Moment) {
        track(key) { $0.rejected(error, now: now) }
    }

    /// A later event confirmed a command (`job.cancelled` for a cancel).
    func confirmed(_ key: StreamKey, _ command: ClientCommand) {
        track(key) { $0.confirmed(command) }
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
