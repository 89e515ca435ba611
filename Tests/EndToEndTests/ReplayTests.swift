import DashTestSupport
import DemoBackend
import Foundation
import RealtimeProtocol
import Testing

@Suite("realtime-dash replay (subprocess)", .serialized)
struct ReplayTests {
    /// A session on the five SSE streams and the sessions socket, published to by hand.
    func recordTail(_ path: String, format: String = "jsonl") async throws -> ProcessResult {
        try await withDemoBackend(quiet()) { server in
            let b = server.backend
            let file = try tokenFile(b.mintToken(tenant: "t-01"))
            let p = try Subprocess([
                "tail", "--api-url", server.origin, "--token-file", file, "--endpoint", "alerts", "--endpoint", "ws-sessions",
                "--format", format, "--count", "40", "--record", path,
            ])
            try await subscribed(b, 2)
            for i in 1...30 { b.publish(tenant: "t-01", endpoint: .alerts, json: alert(i)) }
            // Hostile and odd frames too: an escape sequence, a frame that is not an event.
            b.publish(tenant: "t-01", endpoint: .alerts, json: "{\"event_type\":\"alert.raised\",\"oops\":\"\u{1B}[2J\"}")
            for i in 31...45 { b.publish(tenant: "t-01", endpoint: .alerts, json: alert(i)) }
            return await p.wait()
        }
    }

    @Test("replay --format jsonl prints exactly what tail printed (byte for byte), and its states on stderr")
    func jsonlIdentical() async throws {
        let path = NSTemporaryDirectory() + "rd-replay-\(UUID().uuidString).ndjson.gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let live = try await recordTail(path)
        #expect(live.status == 0, "stderr: \(live.stderr)")
        #expect(live.stdout.count > 1000)
        // tail stopped printing at --count 40; the recording kept the frames its last reads carried.
        let replay = try Subprocess(["replay", path, "--format", "jsonl", "--count", "40"])
        let r = await replay.wait()
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let same = r.stdout == live.stdout
        #expect(same, "replayed \(r.stdout.count) bytes, tail printed \(live.stdout.count)")
        #expect(r.stderr.contains("[t-01 alerts] live") && r.stderr.contains("malformed frame"))
        let count = await (try Subprocess(["replay", path, "--format", "count"])).wait()
        let recorded = Int(count.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(recorded >= 40 && recorded <= 45, "every event that arrived was recorded: \(count.stdoutText) \(count.stderr)")
    }

    @Test("--from/--to cut a window; --export writes it as a recording that replays the same, with the streams' states")
    func windowAndExport() async throws {
        let dir = NSTemporaryDirectory() + "rd-replay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 20 alerts a second apart, after the stream went live; a retry in the middle.
        let base: Int64 = 1_796_613_492_000_000
        var lines = [
            #"{"t":\#(base),"tn":"t-01","ep":"alerts","k":"state","state":{"s":"live"}}"#
        ]
        for i in 0..<20 {
            lines.append(
                #"{"t":\#(base + Int64(i) * 1_000_000),"tn":"t-01","ep":"alerts","k":"sse","ev":"alert.raised","data":"#
                    + alert(i) + "}")
        }
        let header = Recording.Header(
            program: "x", started: UTCInstant(microseconds: base), profile: nil, tenants: ["t-01"], origin: "o")
        let path = dir + "/r.ndjson"
        FileManager.default.createFile(
            atPath: path, contents: Data(header.line + Array((lines.joined(separator: "\n") + "\n").utf8)))
        let window = await (try Subprocess(["replay", path, "--format", "count", "--from", "+10s", "--to", "+14s"])).wait()
        #expect(window.stdoutText == "5\n", "seconds 10 to 14: \(window.stdoutText) \(window.stderr)")
        let clock = UTCInstant(microseconds: base + 15_000_000).timeOfDay
        let tail = await (try Subprocess(["replay", path, "--format", "count", "--from", clock])).wait()
        #expect(tail.stdoutText == "5\n", "from \(clock) UTC on: \(tail.stdoutText) \(tail.stderr)")
        let out = dir + "/part.ndjson.gz"
        let export = await (try Subprocess(["replay", path, "--export", out, "--from", "+10s", "--to", "+14s"])).wait()
        #expect(export.status == 0 && export.stderr.contains("exported 6 lines"), "the state line and 5 frames: \(export.stderr)")
        let exported = await (try Subprocess(["replay", out, "--format", "jsonl"])).wait()
        let windowed = await (try Subprocess(["replay", path, "--format", "jsonl", "--from", "+10s", "--to", "+14s"])).wait()
        let same = exported.stdout == windowed.stdout
        #expect(same && exported.stdoutText == (10...14).map { alert($0) + "\n" }.joined())
        #expect(exported.stderr.contains("[t-01 alerts] live"), "the window starts with the stream's state: \(exported.stderr)")
        let backwards = await (try Subprocess(["replay", path, "--format", "count", "--from", "+5s", "--to", "+1s"])).wait()
        #expect(backwards.status == 1 && backwards.stderr.contains("--to is before --from"))
    }

    @Test("a missing, empty or broken recording is one sentence; bad lines are named and skipped")
    func badRecordings() async throws {
        let dir = NSTemporaryDirectory() + "rd-replay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = await (try Subprocess(["replay", dir + "/nope.ndjson"])).wait()
        #expect(missing.status == 1 && missing.stderr.contains("no such file") && !missing.stderr.contains("Usage"))
        FileManager.default.createFile(atPath: dir + "/empty.ndjson", contents: Data())
        let empty = await (try Subprocess(["replay", dir + "/empty.ndjson", "--format", "count"])).wait()
        #expect(empty.status == 1 && empty.stderr.contains("empty"))
        let frame = #"{"t":1796613492000000,"tn":"t-01","ep":"alerts","k":"sse","ev":"alert.raised","data":"#
        let body =
            Recording.Header(program: "x", started: UTCInstant(microseconds: 1), profile: nil, tenants: ["t-01"], origin: "o")
            .line
            + Array((frame + alert(1) + "}\nnot json\n" + frame + alert(2) + "}\n" + #"{"t":17966134"#).utf8)
        FileManager.default.createFile(atPath: dir + "/bad.ndjson", contents: Data(body))
        let bad = await (try Subprocess(["replay", dir + "/bad.ndjson", "--format", "jsonl"])).wait()
        #expect(bad.status == 0, "stderr: \(bad.stderr)")
        #expect(bad.stdoutText == alert(1) + "\n" + alert(2) + "\n")
        #expect(bad.stderr.contains("line 3: not JSON"), "\(bad.stderr)")
        #expect(bad.stderr.contains("line 5: the last line is cut short"), "\(bad.stderr)")
    }
}
