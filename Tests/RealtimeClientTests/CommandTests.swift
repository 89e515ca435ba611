import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

@Suite("Job and campaign commands")
struct CommandTests {
    @Test("pause is acknowledged; resume gets no answer (the current backend ignores it); cancel is acknowledged then confirmed")
    func lifecycle() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.watchJobs = [id]
                $0.commandTimeout = 1.5
                // The manual clock drives pings and the stale limit too: keep them out of the way.
                $0.pingInterval = 1e6
                $0.staleAfter = 1e6
            }
            // Time moves only when the test advances it: no answer can be late by accident.
            let clock = ManualClock()
            try await withManager(config, clock: clock) { manager, got in
                try await eventually("job socket live") { got.isLive("t-01", .job(id)) }
                await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("pause acknowledged") { got.outcomes(.pauseJob).contains(.acknowledged) }
                #expect(b.jobStatus(id, tenant: "t-01")?.paused == true)
                await manager.send(.resumeJob, tenant: "t-01", endpoint: .job(id))
                // resume_job is never answered: once the command time-out has passed, "no answer".
                try await eventually("resume: no answer, never a fake success") {
                    clock.advance(by: 0.5)
                    return got.outcomes(.resumeJob) == [.sent, .noAnswer]
                }
                await manager.send(.cancelJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("cancel acknowledged") { got.outcomes(.cancelJob).contains(.acknowledged) }
                b.step(seconds: 0.1)  // the backend carries out the cancel: job.cancelled
                try await eventually("cancel confirmed by job.cancelled") { got.outcomes(.cancelJob).last == .confirmed }
                try await eventually("the job socket ends with the job") {
                    if case .stopped(.jobFinished)? = got.states("t-01", .job(id)).last { return true }
                    return false
                }
            }
        }
    }

    @Test("a cancel acknowledged but not confirmed falls back to POST /jobs/{id}/cancel, and says so")
    func restFallback() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.watchJobs = [id]
                $0.pingInterval = 1e6
                $0.staleAfter = 1e6
            }
            let clock = ManualClock()
            try await withManager(config, clock: clock) { manager, got in
                try await eventually("live") { got.isLive("t-01", .job(id)) }
                // No simulation step: the ack comes, job.cancelled does not.
                await manager.send(.cancelJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("cancel acknowledged") { got.outcomes(.cancelJob).contains(.acknowledged) }
                // Then cancel_confirm_s passes without job.cancelled.
                try await eventually("REST fallback") {
                    clock.advance(by: 0.5)
                    let o = got.outcomes(.cancelJob)
                    return o.contains(.acknowledged) && o.last == .confirmedViaREST
                }
                #expect(b.jobStatus(id, tenant: "t-01")?.status == .cancelled)
            }
        }
    }

    @Test("a job socket that goes quiet (the backend's known defect) is backed by GET /jobs/{id}")
    func quietSocketPolled() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            b.step(seconds: 5)
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.watchJobs = [id]
                $0.jobPollInterval = 0.3
                // Discovery off (the harness's default): the socket's own REST read, not discovery's list.
            }
            try await withManager(config) { _, got in
                try await eventually("live") { got.isLive("t-01", .job(id)) }
                // No events on the socket: the job's state still arrives, over REST.
                try await eventually("a REST snapshot of the quiet job") {
                    got.all.contains {
                        if case .jobSnapshot("t-01", let jobs) = $0 {
                            jobs.contains { $0.id == id && $0.status == .running }
                        } else {
                            false
                        }
                    }
                }
                #expect(b.jobReads > 0, "read with GET /jobs/{id}")
            }
        }
    }

    @Test(
        "with discovery on, a quiet job listed unchanged is not read again; one whose listing changes is",
        .timeLimit(.minutes(1)))
    func quietSocketTrustsDiscovery() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100_000))
            b.step(seconds: 2)
            // The backend's known defect: the socket stops forwarding at once; pings still answered.
            b.stopForwardingWebSockets(after: .zero)
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.discoverJobs = true
                $0.jobPollInterval = 0.3
            }
            try await withManager(config) { _, got in
                try await eventually("live", timeout: 20) { got.isLive("t-01", .job(id)) }
                // Two listings the same: from then on the socket's own reads stop.
                try await eventually("discovery listed the job twice", timeout: 20) {
                    got.snapshots.filter { $0.id == id }.count >= 3
                }
                try await Task.sleep(for: .milliseconds(400))
                let settled = b.jobReads
                try await Task.sleep(for: .seconds(1.5))
                #expect(b.jobReads == settled, "an unchanged listing: no GET /jobs/{id} (\(b.jobReads - settled) made)")
                // The job moves; only discovery can see it (the socket forwards nothing).
                b.step(seconds: 3)
                try await eventually("the moved job read over REST", timeout: 20) { b.jobReads > settled }
            }
        }
    }

    @Test("a quiet job that leaves discovery's list is still read, and its end arrives", .timeLimit(.minutes(1)))
    func quietJobLeavesTheList() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 20))
            b.stopForwardingWebSockets(after: .zero)
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.discoverJobs = true
                $0.jobPollInterval = 0.3
            }
            try await withManager(config) { _, got in
                try await eventually("listed", timeout: 20) { got.snapshots.contains { $0.id == id && !$0.status.isTerminal } }
                // Run the job to its end: it leaves the running list, and the socket says nothing.
                for _ in 0..<200 where b.jobStatus(id, tenant: "t-01")?.status.isTerminal != true { b.step(seconds: 2) }
                #expect(b.jobStatus(id, tenant: "t-01")?.status.isTerminal == true, "the job ran to its end")
                try await eventually("the job's end, read over REST", timeout: 20) {
                    got.snapshots.contains { $0.id == id && $0.status.isTerminal }
                }
            }
        }
    }

    @Test("without a live socket, cancel goes straight to REST; other commands fail with a reason")
    func noSocket() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: [])
            try await withManager(config) { manager, got in
                await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id))
                await manager.send(.cancelJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("outcomes") {
                    got.outcomes(.pauseJob) == [.failed("the socket is not connected")]
                        && got.outcomes(.cancelJob) == [.sent, .confirmedViaREST]
                }
            }
        }
    }

    @Test("rejections carry the server's text; the rate limit says until when")
    func rejectionsAndRateLimit() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            let readOnly = b.mintToken(tenant: "t-01", permissions: ["jobs.read"], subject: "viewer")
            let config = try clientConfiguration(server, tenants: ["t-01": readOnly], endpoints: []) { $0.watchJobs = [id] }
            try await withManager(config) { manager, got in
                try await eventually("live") { got.isLive("t-01", .job(id)) }
                await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("rejected") {
                    got.outcomes(.pauseJob).contains(.rejected("Insufficient permissions to pause job"))
                }
                for _ in 0..<29 { await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id)) }
                try await eventually("30 answered", timeout: 30) {
                    got.outcomes(.pauseJob).filter { if case .rejected = $0 { true } else { false } }.count >= 30
                }
                await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("rate limited", timeout: 30) {
                    got.outcomes(.pauseJob).contains { if case .rateLimited = $0 { true } else { false } }
                }
            }
        }
    }

    @Test("campaign sockets are discovered over REST and their commands acknowledged")
    func campaigns() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            let config = try clientConfiguration(server, tenants: ["t-02": b.mintToken(tenant: "t-02")], endpoints: []) {
                $0.discoverCampaigns = true
                $0.discoverJobs = true
            }
            _ = b.createJob(tenant: "t-02", items: 50)
            b.step(seconds: 5)
            try await withManager(config) { manager, got in
                let ids = b.campaignIDs(tenant: "t-02")
                try await eventually("campaign sockets live") { ids.allSatisfy { got.isLive("t-02", .campaign($0)) } }
                try await eventually("jobs discovered") {
                    got.all.contains {
                        if case .jobSnapshot("t-02", let jobs) = $0 { jobs.contains { $0.status == .running } } else { false }
                    }
                }
                await manager.send(.pauseCampaign, tenant: "t-02", endpoint: .campaign(ids[0]))
                try await eventually("ack") { got.outcomes(.pauseCampaign).contains(.acknowledged) }
            }
        }
    }
}

@Suite("A refused job WebSocket (the current backend's HTTP 500)")
struct RefusedJobSocketTests {
    @Test("progress comes from REST polling, the state says why, cancel goes over REST, pause and resume are refused")
    func polled() async throws {
        try await withDemoBackend(quietBackend()) { server in
            let b = server.backend
            b.refuseJobSockets(status: 500)
            let id = try #require(b.createJob(tenant: "t-01", items: 100))
            let config = try clientConfiguration(server, tenants: ["t-01": b.mintToken(tenant: "t-01")], endpoints: []) {
                $0.watchJobs = [id]
                $0.polledJobInterval = 0.1
            }
            try await withManager(config) { manager, got in
                try await eventually("the job followed over REST, and why") {
                    got.states("t-01", .job(id)).last == .polled(reason: "WebSocket refused: HTTP 500")
                }
                #expect(!got.states("t-01", .job(id)).contains(.live), "the socket was never open")
                // The backend steps only until the job has begun: stepping on until the client's
                // next poll arrives could finish (or fail) the job first on a busy machine.
                try await eventually("the job began in the backend") {
                    b.step(seconds: 1)
                    return (b.jobStatus(id, tenant: "t-01")?.processed ?? 0) > 0
                }
                try #require(b.jobStatus(id, tenant: "t-01")?.status == .running, "the job is still running")
                try await eventually("progress read over REST") {
                    got.snapshots.contains { $0.id == id && ($0.progressPercent ?? 0) > 0 }
                }
                await manager.send(.pauseJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("pause refused with the reason") {
                    got.outcomes(.pauseJob).contains {
                        if case .rejected(let why) = $0 { why.contains("HTTP 500") } else { false }
                    }
                }
                #expect(b.jobStatus(id, tenant: "t-01")?.paused == false, "nothing reached the backend")
                await manager.send(.cancelJob, tenant: "t-01", endpoint: .job(id))
                try await eventually("cancel done over REST") { got.outcomes(.cancelJob).last == .confirmedViaREST }
                b.step(seconds: 0.1)
                try await eventually("the job's end read over REST ends the follow") {
                    got.states("t-01", .job(id)).last == .stopped(reason: .jobFinished)
                }
            }
        }
    }
}
