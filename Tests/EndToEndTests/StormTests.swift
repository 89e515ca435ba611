import DashboardCore
import DashboardRender
import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

/// Issue 6's storm behaviour at a small scale: a flood into a small inbox drained by a slow
/// consumer. The bench's `keys` scenario runs the same at 50,000 events/s against the console.
extension EndToEnd {
    @Suite("Outage storm", .serialized)
    struct StormTests {
        @Test(
            "a flood into a slow consumer: memory bounded, coalescing counted and shown, and afterwards every ONU, session and job as the backend has it",
            .timeLimit(.minutes(2)))
        func storm() async throws {
            var c = DemoBackend.Configuration()
            c.runsSimulation = true
            c.rate = 0.5
            c.randomStorms = false
            c.tenantCount = 1
            c.pingInterval = .seconds(1)
            try await withDemoBackend(c) { server in
                let b = server.backend
                for _ in 0..<3 { b.createJob(tenant: "t-01", items: 40) }
                let token = b.mintToken(tenant: "t-01", lifetime: 3600)
                var client = ClientConfiguration(
                    catalogue: server.catalogue, tenants: ["t-01"],
                    tokens: TokenStore(sources: ["t-01": .environment("STORM_TOKEN")], environment: ["STORM_TOKEN": token]))
                client.endpoints = [.onuStatus, .radiusSessions, .alerts]
                client.discoverCampaigns = false
                client.jobPollInterval = 0.5
                client.inboxCapacity = 256
                let manager = ConnectionManager(configuration: client)
                let task = Task { await manager.run() }
                defer { task.cancel() }

                var state = AppState(tenants: ["t-01"], historyLimit: 100, now: UTCInstant.now())
                var largestBatch = 0
                var onuEvents = 0
                var transitions: [String] = []
                func drain() {
                    let batch = manager.inbox.drain()
                    for e in batch.events {
                        if case .event(_, _, let ev) = e, case .onu = ev.payload { onuEvents += 1 }
                        if case .status(_, let ep, let st) = e { transitions.append("\(ep) \(st)") }
                    }
                    largestBatch = max(largestBatch, batch.events.count)
                    _ = reduce(&state, .client(batch.events))
                    if batch.dropped + batch.coalesced > 0 {
                        _ = reduce(&state, .inbox(dropped: batch.dropped, coalesced: batch.coalesced))
                    }
                }
                // All three streams live first.
                let live = Date().addingTimeInterval(20)
                while Date() < live {
                    drain()
                    if [Endpoint.onuStatus, .radiusSessions, .alerts].allSatisfy({
                        state.connections[StreamID("t-01", $0)]?.state == .live
                    }) {
                        break
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(state.connections[StreamID("t-01", .onuStatus)]?.state == .live)

                // 20,000 ONU flaps a second for 2 s into a consumer busy for seconds: nothing is drained
                // until well after the flood (so the 256-event inbox must coalesce, however fast or slow
                // this machine, or a sanitizer, makes the two sides).
                let published0 = b.publishedCount
                b.triggerStorm(tenant: "t-01", rate: 20_000, duration: 2)
                // Ten keys, 100 ms apart, whatever the machine's load makes of the spacing.
                var keysPressed = 0, keysAnswered = 0
                for _ in 0..<10 {
                    try await Task.sleep(for: .milliseconds(100))
                    // Keys go through the same reducer as the batches and are answered at once.
                    keysPressed += 1
                    _ = reduce(&state, .key(.char("?")))
                    if state.overlay == .help { keysAnswered += 1 }
                    _ = reduce(&state, .key(.escape))
                }
                // The backend publishes the flood on its own clock, catching up when it falls behind:
                // a second more as always (the flood's length, so its events reach the inbox), then,
                // if the backend is behind, until most of it is out (bounded), still draining
                // nothing, however slowly this machine or a sanitizer runs it. (Waiting for the
                // count alone drained before the events had arrived: nothing coalesced.)
                try await Task.sleep(for: .seconds(1))
                let flooded = Date().addingTimeInterval(30)
                while b.publishedCount - published0 < 30_000, Date() < flooded {
                    try await Task.sleep(for: .milliseconds(50))
                }
                drain()
                #expect(b.publishedCount - published0 >= 30_000, "the flood ran: \(b.publishedCount - published0) events")
                #expect(keysPressed == 10 && keysAnswered == keysPressed)
                let onus = b.onuStatuses(tenant: "t-01").count
                #expect(
                    largestBatch <= 256 + onus + 256,
                    "bounded by the queue plus one event per entity: a batch held \(largestBatch) (\(onus) ONUs)")
                #expect((state.onuHistory["t-01"]?.count ?? 0) <= 100, "the ONU history stays at its limit")

                // After the burst the view converges on the backend's truth.
                var mismatch = "not compared"
                let settle = Date().addingTimeInterval(15)
                while Date() < settle {
                    drain()
                    mismatch = compare(state, b)
                    if mismatch.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(
                    mismatch.isEmpty,
                    "after the burst: \(mismatch); dropped \(state.dropped), coalesced \(state.coalesced); \(onuEvents) ONU events, published \(b.publishedCount - published0); \(transitions)"
                )
                #expect(state.outages.onus.count > 100, "the flood's ONUs are known: \(state.outages.onus.count)")
                #expect(state.coalesced > 0, "the burst was coalesced")
                #expect(state.dropped == 0, "nothing with an entity was dropped")

                // The counters are on screen.
                _ = reduce(&state, .resized(cols: 200, rows: 60))
                let screen = Screen.render(state, cols: 200, rows: 60).cells.map(\.text).joined()
                #expect(screen.contains("coalesced \(state.coalesced)"), "the coalesce counter is visible")
            }
        }

        /// What differs between the client's view and the backend: ONU statuses, live sessions, job states.
        func compare(_ state: AppState, _ b: DemoBackend) -> String {
            var problems: [String] = []
            let truth = b.onuStatuses(tenant: "t-01")
            let wrongONUs = state.outages.onus.filter { key, onu in
                key.tenant == "t-01" && truth[key.id] != onu.status
            }
            if let w = wrongONUs.first {
                problems.append(
                    "\(wrongONUs.count) ONUs differ, e.g. \(w.key) shown \(w.value.status) at \(w.value.since), backend has \(truth[w.key.id].map { "\($0)" } ?? "none")"
                )
            }
            let live = b.liveSessionIDs(tenant: "t-01")
            let ghosts = state.sessions.values.filter { $0.tenant == "t-01" && !live.contains($0.sessionID) }
            if !ghosts.isEmpty { problems.append("\(ghosts.count) sessions shown that ended") }
            let jobs = b.jobStatuses(tenant: "t-01")
            let wrongJobs = state.jobs.values.filter { $0.tenant == "t-01" && jobs[$0.id] != nil && jobs[$0.id] != $0.status }
            if !wrongJobs.isEmpty {
                problems.append("jobs differ: \(wrongJobs.map { "\($0.id) \($0.status) vs \(jobs[$0.id]!)" })")
            }
            if state.jobs.isEmpty { problems.append("no jobs known yet") }
            return problems.joined(separator: "; ")
        }
    }
}
