import DashTestSupport
import DashboardCore
import DashboardRender
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol

/// The bench scenarios that run the real thing: DemoBackend on loopback, the client, and the
/// console itself (this binary, in a pseudo-terminal).
public enum LiveBench {
    /// How long the idle scenario measures (`--idle-seconds`).
    nonisolated(unsafe) public static var idleSeconds: Double = 30

    // MARK: e2e

    /// Firehose → loopback → transport → ConnectionManager → inbox → reduce into AppState, on the
    /// real backend's framing (one HTTP chunk per SSE event, one WebSocket frame per event), then
    /// SSE again on friendly 64 KiB chunks (labelled), and `tail --format count` (with and without
    /// `--record`) beside `curl -sN | grep -c '^data:'` (when curl is installed) against the same
    /// firehose in the same run: an ``SSEFirehose`` listener, the backend's framing without
    /// Hummingbird's writer, whose pace varies too much from run to run to compare clients by.
    static func e2e(quick: Bool, repetitions: Int) async throws -> [BenchResult] {
        let count = quick ? 100_000 : 1_000_000
        var rows: [BenchResult] = []
        let cases: [(String, Endpoint, FirehoseFraming)] = [
            ("SSE", .alerts, .perEvent), ("WebSocket", .wsSessions, .perEvent),
            ("WebSocket via Hummingbird", .wsSessions, .perEvent), ("SSE 64 KiB chunks", .alerts, .batched),
        ]
        for (label, endpoint, framing) in cases {
            var samples: [Double] = []
            var coalesced = 0, dropped = 0
            for _ in 0..<repetitions {
                let r = try await e2eOnce(endpoint: endpoint, count: count, framing: framing, fairWebSocket: label == "WebSocket")
                samples.append(r.rate)
                coalesced = r.coalesced
                dropped = r.dropped
            }
            let wire =
                switch label {
                case "WebSocket": "one frame per event, many frames per socket write (a raw NIO listener)"
                case "WebSocket via Hummingbird": "one frame per event, DemoBackend's endpoint: a write and flush per frame"
                default: framing == .perEvent ? "one HTTP chunk per event" : "64 KiB chunks, not the backend's"
                }
            rows.append(
                .from(
                    "e2e", metric: "\(label) \(endpoint.name)", unit: "events/s", samples: samples,
                    note: "\(count) firehose events into AppState, \(wire); last run: \(coalesced) coalesced, \(dropped) dropped"
                ))
        }
        var tail: [Double] = [], curl: [Double] = [], recorded: [Double] = [], gzipped: [Double] = [], nowhere: [Double] = []
        var lost = (plain: 0, gzip: 0, nowhere: 0)
        let hasCurl = FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")
        for _ in 0..<repetitions {
            tail.append(try await tailCount(count: count).rate)
            if hasCurl { curl.append(try await curlCount(count: count)) }
            let r = try await tailCount(count: count, record: "rec.ndjson")
            recorded.append(r.rate)
            lost.plain = r.lost
            let z = try await tailCount(count: count, record: "rec.ndjson.gz")
            gzipped.append(z.rate)
            lost.gzip = z.lost
            let n = try await tailCount(count: count, record: "/dev/null")
            nowhere.append(n.rate)
            lost.nowhere = n.lost
        }
        let tailMedian = tail.sorted()[tail.count / 2]
        if hasCurl {
            let curlMedian = curl.sorted()[curl.count / 2]
            rows.append(
                .from(
                    "e2e", metric: "curl -sN | grep -c", unit: "events/s", samples: curl,
                    note: "\(count) SSE alerts, one HTTP chunk per event (a raw NIO listener): the floor, decodes nothing"))
            rows.append(
                .from(
                    "e2e", metric: "tail --format count", unit: "events/s", samples: tail,
                    note: String(
                        format: "the same firehose, a child process, start-up included: %.2f× curl (medians)",
                        tailMedian / curlMedian)))
        } else {
            rows.append(
                .from(
                    "e2e", metric: "tail --format count", unit: "events/s", samples: tail,
                    note: "\(count) SSE alerts, one HTTP chunk per event, a child process (no curl here to compare with)"))
        }
        // The recorder at the same rate: its writer thread must not slow the stream (what it cannot
        // keep it counts as lost, and says so in the recording).
        // /dev/null: the recorder's own cost, without the kernel's (page cache, writeback).
        for (label, samples, lostFrames) in [
            ("tail --record FILE.ndjson", recorded, lost.plain), ("tail --record FILE.ndjson.gz", gzipped, lost.gzip),
            ("tail --record /dev/null", nowhere, lost.nowhere),
        ] {
            // Each repetition's ratio to the tail run of the same repetition, then their median: a pair
            // measured seconds apart shares the machine's mood, which drifts over minutes.
            let ratios = zip(samples, tail).map { $0 / $1 }.sorted()
            rows.append(
                .from(
                    "e2e", metric: label, unit: "events/s", samples: samples,
                    note: String(
                        format:
                            "the same firehose, recording every frame: %.2f× tail without --record (median of each run's ratio, %.2f–%.2f); last run lost %d frames",
                        ratios[ratios.count / 2], ratios.first ?? 0, ratios.last ?? 0, lostFrames)))
        }
        return rows
    }

    static func quietBackend(simulation: Bool = false) -> DemoBackend.Configuration {
        var c = DemoBackend.Configuration()
        c.runsSimulation = simulation
        c.randomStorms = false
        c.tenantCount = 1
        return c
    }

    static func e2eOnce(
        endpoint: Endpoint, count: Int, framing: FirehoseFraming, fairWebSocket: Bool = false
    ) async throws -> (rate: Double, coalesced: Int, dropped: Int) {
        try await withDemoBackend(quietBackend()) { server in
            var catalogue = server.catalogue
            var fair: FirehoseListener? = nil
            if fairWebSocket {
                let listener = try await WebSocketFirehose.start(tenant: "t-01", endpoint: endpoint, count: count)
                fair = listener
                catalogue = try EndpointCatalogue(
                    origin: "http://127.0.0.1:\(listener.port)", basePath: server.backend.configuration.restBase)
            } else {
                server.backend.armFirehose(count: count, endpoint: endpoint, framing: framing)
            }
            defer { if let fair { Task { await fair.stop() } } }
            let token = server.backend.mintToken(tenant: "t-01", lifetime: 3600)
            var client = ClientConfiguration(
                catalogue: catalogue, tenants: ["t-01"],
                tokens: TokenStore(sources: ["t-01": .environment("BENCH_TOKEN")], environment: ["BENCH_TOKEN": token]))
            client.endpoints = [endpoint]
            client.discoverJobs = false
            client.discoverCampaigns = false
            let manager = ConnectionManager(configuration: client)
            var state = AppState(tenants: ["t-01"], now: BenchScenarios.epoch)
            let t0 = monotonicSeconds()
            let task = Task { await manager.run() }
            var seen = 0, coalesced = 0, dropped = 0
            // A watchdog instead of a timeout per wait: if the events stop coming, stop the manager
            // (which finishes the inbox and ends the loop below).
            let progress = Locked(0)
            let watchdog = Task {
                var last = -1
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(10))
                    let now = progress.withLock { $0 }
                    if now == last { task.cancel(); return }
                    last = now
                }
            }
            defer { watchdog.cancel() }
            while seen < count && !manager.inbox.isFinished {
                await manager.inbox.waitForEvents()
                let batch = manager.inbox.drain()
                var events = 0
                for e in batch.events { if case .event = e { events += 1 } }
                seen += events + batch.coalesced + batch.dropped
                coalesced += batch.coalesced
                dropped += batch.dropped
                progress.withLock { $0 = seen }
                _ = reduce(&state, .client(batch.events))
                manager.inbox.recycle(consume batch)
            }
            let elapsed = monotonicSeconds() - t0
            task.cancel()
            await task.value
            guard seen >= count else { throw BenchError("e2e \(endpoint.name): \(seen) of \(count) events arrived") }
            return (Double(seen) / elapsed, coalesced, dropped)
        }
    }

    /// `realtime-dash tail --format count --count N` as a child process against the firehose,
    /// recording to `record` (a file name in a scratch directory) when given: the rate, and the
    /// frames the recorder said it lost.
    static func tailCount(count: Int, record: String? = nil) async throws -> (rate: Double, lost: Int) {
        try await withDemoBackend(quietBackend()) { server in
            let firehose = try await SSEFirehose.start(tenant: "t-01", endpoint: .alerts, count: count)
            defer { Task { await firehose.stop() } }
            let dir = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let tokenFile = dir + "/token"
            try SecretFile.write(server.backend.mintToken(tenant: "t-01", lifetime: 3600), to: tokenFile)
            let out = dir + "/out"
            let err = dir + "/err"
            let t0 = monotonicSeconds()
            let child = try Child.spawn(
                [
                    selfExecutable, "tail", "--api-url", "http://127.0.0.1:\(firehose.port)", "--token-file", tokenFile,
                    "--endpoint", "alerts", "--format", "count", "--count", String(count),
                ] + (record.map { ["--record", $0.hasPrefix("/") ? $0 : dir + "/" + $0] } ?? []),
                stdout: out, stderr: err)
            let status = await child.wait(timeout: 120)
            let elapsed = monotonicSeconds() - t0
            let printed =
                (try? String(contentsOfFile: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard status == 0, Int(printed) == count else {
                let said = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
                throw BenchError(
                    "tail --format count exited \(status) and printed '\(printed)' (expected \(count)); it said: \(said.suffix(400))"
                )
            }
            // "realtime-dash: N frames not recorded (…)"
            let said = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            let lost =
                said.split(separator: "\n").first { $0.contains("frames not recorded") }
                .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
            return (Double(count) / elapsed, lost)
        }
    }

    /// `curl -sN URL | grep -m N -c '^data:'` against the firehose: how fast a client that decodes
    /// nothing takes the same bytes. The token goes in a header file (`-H @file`), never on a
    /// command line; bash waits for grep alone (curl goes at its next write, the next ping).
    static func curlCount(count: Int) async throws -> Double {
        try await withDemoBackend(quietBackend()) { server in
            let firehose = try await SSEFirehose.start(tenant: "t-01", endpoint: .alerts, count: count)
            defer { Task { await firehose.stop() } }
            let dir = try scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let header = dir + "/header"
            try SecretFile.write("Authorization: Bearer " + server.backend.mintToken(tenant: "t-01", lifetime: 3600), to: header)
            let out = dir + "/out"
            let url = "http://127.0.0.1:\(firehose.port)" + server.catalogue.url(for: .alerts).dropFirst(server.origin.count)
            // The connected event has a data line too.
            let script = "exec grep -m \(count + 1) -c '^data:' <(exec curl -sN -H @\(header) '\(url)')"
            let t0 = monotonicSeconds()
            let child = try Child.spawn(["/bin/bash", "-c", script], stdout: out)
            let status = await child.wait(timeout: 120)
            let elapsed = monotonicSeconds() - t0
            let printed =
                (try? String(contentsOfFile: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard status == 0, Int(printed) == count + 1 else {
                throw BenchError("curl | grep exited \(status) and printed '\(printed)' (expected \(count + 1))")
            }
            return Double(count) / elapsed
        }
    }

    // MARK: idle

    /// The console (this binary, in a pseudo-terminal) against a quiet backend: CPU % of one core.
    static func idle(quick: Bool, repetitions: Int) async throws -> [BenchResult] {
        let seconds = idleSeconds
        return try await withDemoBackend(quietBackend()) { server in
            let console = try await ConsoleUnderTest.start(server: server, cols: 120, rows: 40, executable: selfExecutable)
            defer { console.stop() }
            // Let it connect and settle, then measure a window of `seconds`.
            try await console.waitForScreen(timeout: 20) { $0.contains("alerts") }
            try await Task.sleep(for: .seconds(2))
            let cpu0 = console.cpuSeconds(), t0 = monotonicSeconds(), bytes0 = console.bytesWritten
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            let cpu = console.cpuSeconds() - cpu0, wall = monotonicSeconds() - t0
            let bytes = console.bytesWritten - bytes0
            let usage = await console.quit()
            let percent = cpu / wall * 100
            return [
                .from(
                    "idle", metric: "console CPU", unit: "% core", samples: [percent],
                    note: String(
                        format: "%.0f s window after settling, %d bytes drawn (the clock); whole life by getrusage %.2f s CPU",
                        wall, bytes, usage))
            ]
        }
    }

    // MARK: watch

    /// The console watching a busy network, as an operator leaves it on a shared jump host: the
    /// demo simulation at `--rate 30` for one tenant (about 350 events/s published over its
    /// streams: RADIUS sessions, ONUs, alerts, tickets, subscribers, jobs), at 160x50; CPU % of one
    /// core over the same window as `idle`.
    static func watch(quick: Bool, repetitions: Int) async throws -> [BenchResult] {
        let seconds = idleSeconds
        var c = quietBackend(simulation: true)
        c.rate = 30
        return try await withDemoBackend(c) { server in
            let console = try await ConsoleUnderTest.start(server: server, cols: 160, rows: 50, executable: selfExecutable)
            defer { console.stop() }
            try await console.waitForScreen(timeout: 20) { $0.contains("ONU events") }
            try await Task.sleep(for: .seconds(3))
            let cpu0 = console.cpuSeconds(), t0 = monotonicSeconds(), bytes0 = console.bytesWritten
            let published0 = server.backend.publishedCount
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            let cpu = console.cpuSeconds() - cpu0, wall = monotonicSeconds() - t0
            let bytes = console.bytesWritten - bytes0
            let published = server.backend.publishedCount - published0
            let rss = console.rssMB()
            _ = await console.quit()
            return [
                .from(
                    "watch", metric: "console CPU", unit: "% core", samples: [cpu / wall * 100],
                    note: String(
                        format: "160x50, %.0f events/s published for %.0f s, %.0f KB/s drawn, RSS %d MB",
                        Double(published) / wall, wall, Double(bytes) / wall / 1024, rss))
            ]
        }
    }

    // MARK: scale

    /// Many tenants in one console: DemoBackend with 100 tenants (10 with --quick), the console
    /// (this binary, in a pseudo-terminal, 200x60) opening the five SSE streams of each and a
    /// WebSocket per running job (two per tenant): 700 connections. Reported: how long until the
    /// backend has every one of them open, the console's RSS, its CPU while idle and while the
    /// simulation sends about 10,000 events/s over all of them (a second run), and one 200x60
    /// frame of a state with that many connections, in this process.
    static func scale(quick: Bool, repetitions: Int) async throws -> [BenchResult] {
        let tenants = quick ? 10 : 100
        let seconds = idleSeconds
        var rows: [BenchResult] = []
        for busy in [false, true] {
            var c = quietBackend(simulation: busy)
            c.tenantCount = tenants
            // About 12.6 events/s per tenant at rate 1: rate 8 is about 10,000 events/s for 100.
            c.rate = busy ? 8 * 100 / Double(tenants) : 0
            let r = try await withDemoBackend(c) { server in
                let b = server.backend
                for t in b.tenantIDs { for _ in 0..<2 { _ = b.createJob(tenant: t, items: 10_000_000) } }
                let dir = try scratchDirectory()
                defer { try? FileManager.default.removeItem(atPath: dir) }
                var list: [String] = []
                for t in b.tenantIDs {
                    try SecretFile.write(b.mintToken(tenant: t, lifetime: 3600), to: dir + "/\(t).token")
                    list.append(#"{"id":"\#(t)","token_file":"\#(dir)/\#(t).token"}"#)
                }
                let config = dir + "/config.json"
                try
                    #"{"api_url":"\#(server.origin)","base_path":"\#(b.configuration.restBase)","tenants":[\#(list.joined(separator: ","))],"streams":{"campaigns":false}}"#
                    .write(toFile: config, atomically: true, encoding: .utf8)
                let want = tenants * 5 + tenants * 2
                let t0 = monotonicSeconds()
                let console = try await ConsoleUnderTest.start(config: config, cols: 200, rows: 60, executable: selfExecutable)
                defer { console.stop() }
                while b.openConnections < want {
                    guard monotonicSeconds() - t0 < 120 else {
                        throw BenchError("scale: \(b.openConnections) of \(want) connections open after 120 s")
                    }
                    guard console.child.isRunning else {
                        throw BenchError("scale: the console exited; log in \(console.directory)")
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let live = monotonicSeconds() - t0
                try await Task.sleep(for: .seconds(3))
                let cpu0 = console.cpuSeconds(), w0 = monotonicSeconds(), p0 = b.publishedCount
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                let cpu = (console.cpuSeconds() - cpu0) / (monotonicSeconds() - w0) * 100
                let rate = Double(b.publishedCount - p0) / (monotonicSeconds() - w0)
                let rss = console.rssMB()
                _ = await console.quit()
                return (live, cpu, rate, rss, want)
            }
            if !busy {
                rows.append(
                    .from(
                        "scale", metric: "all connections open", unit: "s", samples: [r.0],
                        note:
                            "\(r.4) connections (\(tenants) tenants × 5 SSE + \(tenants * 2) job WebSockets), from the console's start"
                    ))
                rows.append(
                    .from(
                        "scale", metric: "console CPU, idle", unit: "% core", samples: [r.1],
                        note: String(format: "%.0f s with every connection open and nothing sent; RSS %d MB", seconds, r.3)))
            } else {
                rows.append(
                    .from(
                        "scale", metric: "console CPU, busy", unit: "% core", samples: [r.1],
                        note: String(
                            format: "%.0f events/s published over %d connections for %.0f s; RSS %d MB", r.2, r.4, seconds, r.3)))
            }
        }
        rows.append(scaleFrame(tenants: tenants))
        return rows
    }

    /// One 200x60 frame of a state with `tenants` × 5 SSE streams and 2 job sockets each, all live.
    static func scaleFrame(tenants: Int) -> BenchResult {
        let ids = (1...tenants).map { "t-" + (($0 < 10 ? "0" : "") + String($0)) }
        var state = AppState(tenants: ids, now: BenchScenarios.epoch)
        var events: [ClientEvent] = []
        for t in ids {
            for e in Endpoint.defaultSSE { events.append(.status(tenant: t, endpoint: e, state: .live)) }
            for j in 0..<2 { events.append(.status(tenant: t, endpoint: .job("\(t)-job-\(j)"), state: .live)) }
        }
        _ = reduce(&state, .client(events))
        _ = reduce(&state, .resized(cols: 200, rows: 60))
        _ = Screen.render(state, cols: 200, rows: 60)
        var times: [Double] = []
        for _ in 0..<200 {
            let t0 = monotonicSeconds()
            _ = Screen.render(state, cols: 200, rows: 60)
            times.append((monotonicSeconds() - t0) * 1000)
        }
        return .from(
            "scale", metric: "frame 200x60", unit: "ms", samples: times,
            note: "\(state.connections.count) connections in the state, all live; p99 \(BenchScenarios.p99(times)) ms")
    }

    // MARK: keys

    /// Key-to-frame latency: `?` written to the console's terminal until the help overlay's bytes
    /// come back, while a flood of ONU flaps arrives at 50,000 events/s.
    static func keys(quick: Bool, repetitions: Int) async throws -> [BenchResult] {
        let rate = 50_000.0
        let duration = quick ? 3.0 : 10.0
        var c = quietBackend(simulation: true)
        c.rate = 1
        return try await withDemoBackend(c) { server in
            let console = try await ConsoleUnderTest.start(server: server, cols: 120, rows: 40, executable: selfExecutable)
            defer { console.stop() }
            try await console.waitForScreen(timeout: 20) { $0.contains("ONU events") }
            try await Task.sleep(for: .seconds(2))
            let rss0 = console.rssMB()
            let published0 = server.backend.publishedCount
            server.backend.triggerStorm(tenant: "t-01", rate: rate, duration: duration)
            let t0 = monotonicSeconds()
            var latencies: [Double] = []
            var rssPeak = rss0
            while monotonicSeconds() - t0 < duration {
                if let ms = try await console.keyToFrame("?", marker: "Keys (? or Esc closes)", timeout: 5) {
                    latencies.append(ms)
                }
                try await Task.sleep(for: .milliseconds(50))
                console.send("?")  // close the help again
                try await Task.sleep(for: .milliseconds(150))
                rssPeak = max(rssPeak, console.rssMB())
            }
            let stormSeconds = monotonicSeconds() - t0
            let published = server.backend.publishedCount - published0
            try await Task.sleep(for: .seconds(1))
            let rss1 = console.rssMB()
            _ = await console.quit()
            guard !latencies.isEmpty else { throw BenchError("keys: the console never answered a key") }
            let sorted = latencies.sorted()
            let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
            let note = String(
                format: "%d keys during %.0f s at %.0f events/s published; p99 %.1f ms; RSS %d MB before, %d peak, %d after",
                latencies.count, stormSeconds, Double(published) / stormSeconds, p99, rss0, rssPeak, rss1)
            return [.from("keys", metric: "key to frame", unit: "ms", samples: latencies, note: note)]
        }
    }
}

typealias BenchError = HarnessError
