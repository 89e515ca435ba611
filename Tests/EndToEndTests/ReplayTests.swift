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

    @Test("--from/--to cut a window; --export writes it as a recording that replays the same")
    func windowAndExport() async throws {
        let path = NSTemporaryDirectory() + "rd-replay-\(UUID().uuidString).ndjson"
        let out = path + ".part.ndjson.gz"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: out)
        }
        _ = try await recordTail(path)
        // The window from the 10th alert's arrival onwards.
        let lines = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).split(separator: "\n")
        let frames = lines.filter { $0.contains("\"k\":\"sse\"") }
        #expect(frames.count >= 40)
        let t = frames[9].split(separator: ",")[0].dropFirst(5)
        let start = UTCInstant(microseconds: Int64(t)!).iso8601 + "Z"
        let window = await (try Subprocess(["replay", path, "--format", "count", "--from", start])).wait()
        let whole = await (try Subprocess(["replay", path, "--format", "count"])).wait()
        let n = Int(window.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(
            n > 0 && n < Int(whole.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))!,
            "\(window.stdoutText) of \(whole.stdoutText)")
        let export = await (try Subprocess(["replay", path, "--export", out, "--from", start])).wait()
        #expect(export.status == 0 && export.stderr.contains("exported"), "stderr: \(export.stderr)")
        let exported = await (try Subprocess(["replay", out, "--format", "jsonl"])).wait()
        let windowed = await (try Subprocess(["replay", path, "--format", "jsonl", "--from", start])).wait()
        let same = exported.stdout == windowed.stdout
        #expect(same && !exported.stdout.isEmpty)
        #expect(exported.stderr.contains("[t-01 alerts] live"), "the window starts with the streams' states: \(exported.stderr)")
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
