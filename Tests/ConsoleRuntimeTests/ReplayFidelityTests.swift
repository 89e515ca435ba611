import ConsoleRuntime
import DashTestSupport
import DashboardCore
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Recording
import Testing

/// What an operator would compare between the live console and its replay: each ONU's status
/// and place, the live sessions and their counters, every job's state, the alerts.
struct Shown: Equatable, CustomStringConvertible {
    var onus: [String: String]
    var sessions: [String: String]
    var jobs: [String: String]
    var alerts: [String]

    init(_ s: AppState) {
        onus = Dictionary(
            uniqueKeysWithValues: s.outages.onus.map { k, o in
                ("\(k)", "\(o.status) \(o.olt ?? "-")/\(o.pon ?? -1) prev \(o.previous.map(\.rawValue) ?? "-")")
            })
        sessions = Dictionary(
            uniqueKeysWithValues: s.sessions.values.map { r in
                ("\(r.tenant) \(r.sessionID)", "\(r.username) in \(r.bytesIn) out \(r.bytesOut)")
            })
        jobs = Dictionary(
            uniqueKeysWithValues: s.jobs.map { k, j in
                ("\(k)", "\(j.status) \(j.progress.map { String($0) } ?? "-") \(j.processed ?? -1)/\(j.total ?? -1)")
            })
        alerts = s.alerts.keys.map { "\($0)" }.sorted()
    }

    var description: String { "\(onus.count) ONUs, \(sessions.count) sessions, \(jobs.count) jobs, \(alerts.count) alerts" }
}

@Suite("Replay fidelity (DemoBackend)")
struct ReplayFidelityTests {
    @Test("a recorded DemoBackend session replayed through the recording's parsers gives the state the live console had")
    func sameFinalState() async throws {
        var config = DemoBackend.Configuration()
        config.seed = 7
        config.rate = 20
        config.tenantCount = 1
        config.randomStorms = false
        config.pingInterval = .milliseconds(200)
        let path = NSTemporaryDirectory() + "rd-fidelity-\(UUID().uuidString).ndjson.gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let live = try await withDemoBackend(config) { server -> AppState in
            for _ in 0..<3 { server.backend.createJob(tenant: "t-01") }
            let recorder = try Recorder(
                Recorder.Options(path: path),
                header: Recording.Header(
                    program: "test", started: UTCInstant.now(), profile: nil, tenants: ["t-01"], origin: server.origin))
            let client = try clientConfiguration(
                server, tenants: ["t-01": server.backend.mintToken(tenant: "t-01")],
                endpoints: [.onuStatus, .alerts, .radiusSessions, .subscribers, .wsSessions]
            ) {
                $0.inboxTap = recorder
                $0.discoverJobs = true
                $0.inboxPolicy = .holdReads
            }
            let state = try await withManager(client, drain: false) { manager, _ -> AppState in
                try await withTimeout(60, "enough of a DemoBackend session to compare") {
                    var s = AppState(tenants: ["t-01"], now: UTCInstant.now())
                    while !Task.isCancelled {
                        await manager.inbox.waitForEvents()
                        _ = reduce(&s, .client(manager.inbox.drain().events))
                        if s.outages.onus.count >= 50 && s.sessions.count >= 20 && s.jobs.count >= 3 && !s.alerts.isEmpty {
                            return s
                        }
                    }
                    return s
                }
            }
            recorder.close()
            #expect(recorder.counts.lost == 0)
            return state
        }
        // What the live side reduced is what the recorder was handed up to then; the recording
        // may hold a few frames more (read while the manager closed), so replay stops where the
        // live state stopped: at the same number of frames.
        let file = try RecordingFile(path: path)
        #expect(file.problems.isEmpty, "\(file.problems)")
        var replayed = AppState(tenants: ["t-01"], now: UTCInstant.now())
        var parser = SSEParser()
        var best: Shown? = nil
        for i in file.entries.indices {
            var events: [ClientEvent] = []
            guard case .success(.frame(let f)) = file.line(i) else {
                Issue.record("line \(file.entries[i].line) does not read")
                continue
            }
            f.clientEvents(into: &events, parser: &parser)
            _ = reduce(&replayed, .client(events))
            let shown = Shown(replayed)
            if shown == Shown(live) {
                best = shown
                break
            }
        }
        #expect(
            best != nil,
            "no prefix of the replay shows what the live console showed: live \(Shown(live)), replay \(Shown(replayed))")
        #expect(Shown(live).onus.count >= 50 && Shown(live).jobs.count >= 3)
    }
}
