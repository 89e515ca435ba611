import Testing
@testable import RealtimeClient
import RealtimeProtocol

/// The command lifecycle on plain times: no sockets, no clock, no waiting.
@Suite("CommandTracker")
struct CommandTrackerTests {
    func job() -> CommandTracker { CommandTracker(commandTimeout: 5, cancelConfirm: 10, isJob: true) }

    @Test("an ack answers the oldest unanswered command of its kind, and clears its deadline")
    func ackInOrder() {
        var t = job()
        #expect(t.sent(.pauseJob, now: 0) == [.report(.pauseJob, .sent)])
        _ = t.sent(.pauseJob, now: 1)
        #expect(t.nextDeadline == 5)
        #expect(t.acknowledged(.pauseRequested, now: 2) == [.report(.pauseJob, .acknowledged)])
        #expect(t.entries.count == 1 && t.nextDeadline == 6, "the second pause still waits, until 1 + 5")
        #expect(t.acknowledged(.cancelRequested, now: 2) == [], "an ack nobody asked for answers nothing")
    }

    @Test("a job cancel, once acknowledged, waits for job.cancelled; without it, REST")
    func cancelConfirmation() {
        var t = job()
        _ = t.sent(.cancelJob, now: 0)
        #expect(t.acknowledged(.cancelRequested, now: 1) == [.report(.cancelJob, .acknowledged)])
        #expect(t.nextDeadline == 11)
        #expect(t.expire(now: 10.9) == [])
        #expect(t.expire(now: 11) == [.cancelViaREST])
        #expect(t.entries.isEmpty && t.nextDeadline == nil)

        var c = job()
        _ = c.sent(.cancelJob, now: 0)
        _ = c.acknowledged(.cancelRequested, now: 1)
        #expect(c.confirmed(.cancelJob) == [.report(.cancelJob, .confirmed)])
        #expect(c.expire(now: 100) == [], "a confirmed cancel has nothing left to do")
    }

    @Test("no answer: reported once, kept for its late answer; a job cancel also goes through REST")
    func noAnswer() {
        var t = job()
        _ = t.sent(.cancelJob, now: 0)
        _ = t.sent(.pauseJob, now: 0)
        #expect(t.expire(now: 5) == [.report(.cancelJob, .noAnswer), .cancelViaREST, .report(.pauseJob, .noAnswer)])
        #expect(t.expire(now: 50) == [], "reported once")
        #expect(t.nextDeadline == nil)
        // The late answer still belongs to the pause, not to a command sent after it.
        _ = t.sent(.pauseJob, now: 60)
        #expect(t.acknowledged(.pauseRequested, now: 61) == [.report(.pauseJob, .acknowledged)])
        #expect(t.nextDeadline == 65, "the new pause is still waiting")
    }

    @Test("resume_job is never answered by the backend: once timed out it is forgotten, and errors skip it")
    func resumeJob() {
        var t = job()
        _ = t.sent(.resumeJob, now: 0)
        _ = t.sent(.pauseJob, now: 0)
        #expect(t.rejected(ServerError(message: "nope"), now: at(1)) == [.report(.pauseJob, .rejected("nope"))])
        #expect(t.expire(now: 5) == [.report(.resumeJob, .noAnswer)])
        #expect(t.entries.isEmpty)
    }

    @Test("a rate limit says until when, from the wall clock of the answer")
    func rateLimit() {
        var t = job()
        _ = t.sent(.pauseJob, now: 0)
        let err = ServerError(message: "slow down", error: "rate_limit_exceeded", retryAfter: 30)
        #expect(t.rejected(err, now: at(2)) == [.report(.pauseJob, .rateLimited(until: at(32).wall))])
        var u = job()
        _ = u.sent(.pauseJob, now: 0)
        let noHint = ServerError(message: "slow down", error: "rate_limit_exceeded")
        #expect(u.rejected(noHint, now: at(0)) == [.report(.pauseJob, .rateLimited(until: at(60).wall))])
    }

    @Test("without an open socket: a job cancel goes through REST, everything else fails with a reason")
    func notConnected() {
        let t = job()
        #expect(t.notConnected(.cancelJob) == [.report(.cancelJob, .sent), .cancelViaREST])
        #expect(t.notConnected(.pauseJob) == [.report(.pauseJob, .failed("the socket is not connected"))])
        let campaign = CommandTracker(commandTimeout: 5, cancelConfirm: 10, isJob: false)
        #expect(campaign.notConnected(.cancelCampaign) == [.report(.cancelCampaign, .failed("the socket is not connected"))])
    }

    @Test("a campaign cancel is done when acknowledged: there is no REST fallback to wait for")
    func campaignCancel() {
        var t = CommandTracker(commandTimeout: 5, cancelConfirm: 10, isJob: false)
        _ = t.sent(.cancelCampaign, now: 0)
        #expect(t.acknowledged(.cancelRequested, now: 1) == [.report(.cancelCampaign, .acknowledged)])
        #expect(t.entries.isEmpty && t.nextDeadline == nil)
        _ = t.sent(.cancelCampaign, now: 2)
        #expect(t.expire(now: 7) == [.report(.cancelCampaign, .noAnswer)], "no REST for a campaign")
    }

    @Test("memory is bounded: the oldest commands that timed out are forgotten first")
    func bounded() {
        var t = job()
        for i in 0..<(CommandTracker.capacity + 10) { _ = t.sent(.pauseJob, now: Double(i)) }
        #expect(t.entries.count == CommandTracker.capacity + 10, "nothing timed out yet: nothing may be dropped")
        _ = t.expire(now: 1_000)
        _ = t.sent(.pauseJob, now: 1_000)
        #expect(t.entries.count == CommandTracker.capacity)
        #expect(t.entries.last?.timedOut == false, "the command just sent is kept")
    }
}
