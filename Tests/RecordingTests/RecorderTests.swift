import Foundation
import RealtimeProtocol
import Recording
import Testing

/// A sink in memory that can be held, like a disk slower than the stream.
final class HeldSink: RecordingSink, @unchecked Sendable {
    private let lock = NSCondition()
    private var held: Bool
    private var data: [UInt8] = []
    private(set) var closed = false
    var size: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return Int64(data.count)
    }

    init(held: Bool) { self.held = held }

    func hold() {
        lock.lock()
        held = true
        lock.unlock()
    }

    func release() {
        lock.lock()
        held = false
        lock.broadcast()
        lock.unlock()
    }

    var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return data
    }

    /// A write is waiting for ``release()``.
    var blocked: Bool {
        lock.lock()
        defer { lock.unlock() }
        return waiting
    }
    private var waiting = false

    func write(_ bytes: UnsafeRawBufferPointer) throws(RecordingWriteError) {
        lock.lock()
        // Bounded: a test that never releases fails on its own wait, not here.
        while held {
            waiting = true
            _ = lock.wait(until: Date(timeIntervalSinceNow: 10))
        }
        waiting = false
        data += bytes
        lock.unlock()
    }
    func sync() throws(RecordingWriteError) {}
    func close() throws(RecordingWriteError) { closed = true }
}

func header() -> Recording.Header {
    Recording.Header(
        program: "realtime-dash test", started: UTCInstant(microseconds: 1_796_613_492_000_000), profile: nil, tenants: ["t-01"],
        origin: "http://127.0.0.1:1")
}

func alertEvent(_ i: Int, pad: Int = 0) -> ClientEvent {
    let json = EventEncoder.json(
        type: .alertRaised, tenantID: "t-01", timestamp: UTCInstant(iso8601: "2025-12-08T10:30:00")!,
        payload: .alert(
            AlertEvent(
                alertID: "a-\(i)", alertType: "device_offline", severity: .critical, source: "olt-01",
                message: "unreachable " + String(repeating: "x", count: pad), details: .object([]))))
    return .event(tenant: "t-01", endpoint: .alerts, event: decoded(json))
}

func scratch(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "rd-rec-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir + "/" + name
}

/// Waits (bounded) until `condition` holds.
func until(_ what: String, within seconds: Double = 10, _ condition: () -> Bool) throws {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while !condition() {
        guard Date() < deadline else {
            Issue.record("timed out waiting for \(what)")
            throw CancellationError()
        }
        Thread.sleep(forTimeInterval: 0.005)
    }
}

@Suite("Recorder")
struct RecorderTests {
    /// A recorder with a 64 KiB queue whose header went through, then a disk that stalls.
    func stalledRecorder() throws -> (Recorder, HeldSink) {
        let sink = HeldSink(held: false)
        var options = Recorder.Options(path: "memory")
        options.queueLimit = 64 << 10
        let recorder = try Recorder(options, header: header(), openSink: { _ in sink })
        try until("the header to be written") { sink.size > 0 }
        sink.hold()
        return (recorder, sink)
    }

    @Test(
        "a disk slower than the stream: the queue stays bounded, the frames that did not fit are counted and marked, none waits")
    func slowSink() throws {
        let (recorder, sink) = try stalledRecorder()
        // 2,000 reads of 1 KiB frames against a 64 KiB queue: record() returns at once each time.
        let began = Date()
        for i in 0..<2_000 { recorder.record([alertEvent(i, pad: 1_000)]) }
        #expect(Date().timeIntervalSince(began) < 5, "record() never waits for the disk")
        sink.release()
        recorder.close()
        let (written, lost) = recorder.counts
        #expect(lost > 1_500, "most frames did not fit while the disk was stalled: \(lost)")
        #expect(written + lost == 2_000, "every frame is either written or counted lost: \(written) + \(lost)")
        let text = String(decoding: sink.bytes, as: UTF8.self)
        let markers = text.split(separator: "\n").filter { $0.contains("\"k\":\"lost\"") }
        let marked = markers.compactMap { line -> Int? in
            guard case .lost(_, let n)? = try? Recording.decode(Array(line.utf8)) else { return nil }
            return n
        }.reduce(0, +)
        #expect(marked == lost, "the recording says how many frames it lost: \(markers)")
        #expect(sink.closed)
    }

    @Test("once the writer has emptied a full queue, frames are kept again, even after a read refused while it was full")
    func refusedThenRoom() throws {
        let (recorder, sink) = try stalledRecorder()
        for i in 0..<100 { recorder.record([alertEvent(i, pad: 1_000)]) }
        // The writer has taken what it could and waits on the disk: the queue fills again, and
        // stays full.
        try until("the writer to wait on the disk") { sink.blocked }
        for i in 100..<200 { recorder.record([alertEvent(i, pad: 1_000)]) }
        let lostWhileHeld = recorder.counts.lost
        #expect(lostWhileHeld > 0, "the queue filled")
        // Encoded while full: refused (not encoded), committed only after the queue is empty.
        var late = [alertEvent(200, pad: 1_000)]
        let refused = recorder.prepare(&late)
        sink.release()
        try until("the queue to be written") { recorder.counts.written == 200 - lostWhileHeld }
        recorder.commit(refused)
        for i in 201..<211 { recorder.record([alertEvent(i, pad: 1_000)]) }
        recorder.close()
        let (written, lost) = recorder.counts
        #expect(lost == lostWhileHeld + 1, "only the refused read was lost after the queue emptied")
        #expect(written == 200 - lostWhileHeld + 10, "the ten frames after it were kept")
    }

    @Test("a recording killed mid-write (plain and gzip) is readable up to its last whole line")
    func killed() throws {
        for name in ["cut.ndjson", "cut.ndjson.gz"] {
            let path = try scratch(name)
            let recorder = try Recorder(Recorder.Options(path: path), header: header())
            for i in 0..<500 { recorder.record([alertEvent(i)]) }
            // Everything recorded reaches the file (each wake ends with a sync) before the "kill".
            try until("the frames to reach \(name)") { recorder.counts.written == 500 }
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            // A kill mid-write: the file ends part-way through what the writer had.
            bytes.removeLast(name.hasSuffix(".gz") ? 10 : 37)
            let copy = path + ".killed" + (name.hasSuffix(".gz") ? ".gz" : "")
            FileManager.default.createFile(atPath: copy, contents: Data(bytes))
            recorder.close()
            let file = try RecordingFile(path: copy)
            #expect(file.header == header())
            #expect(file.entries.count >= 400 && file.entries.count < 500, "\(name): \(file.entries.count) whole lines")
            #expect(!file.problems.isEmpty, "\(name): the cut is reported")
            for i in file.entries.indices {
                guard case .success(.frame) = file.line(i) else {
                    Issue.record("\(name): line \(file.entries[i].line) does not read")
                    break
                }
            }
            // The closed original reads whole, without a problem.
            let whole = try RecordingFile(path: path)
            #expect(whole.entries.count == 500 && whole.problems.isEmpty, "\(name): \(whole.problems)")
        }
    }

    @Test("rotation: a full file is closed and the next part starts with its own header")
    func rotation() throws {
        let path = try scratch("r.ndjson")
        var options = Recorder.Options(path: path, maxBytes: 20_000)
        options.interval = 0.01
        let recorder = try Recorder(options, header: header())
        for i in 0..<300 { recorder.record([alertEvent(i)]) }
        recorder.close()
        let parts = recorder.files
        #expect(parts.count > 2, "\(parts)")
        #expect(parts.first == path && parts.dropFirst().first?.hasSuffix("/r-2.ndjson") == true)
        var total = 0
        for (n, p) in parts.enumerated() {
            let f = try RecordingFile(path: p)
            #expect(f.header?.part == n + 1)
            total += f.entries.count
        }
        #expect(total == 300)
        #expect(Recorder.partPath("/x/storm.ndjson.gz", 3) == "/x/storm-3.ndjson.gz")
    }

    @Test("an empty, missing or foreign file is one sentence")
    func badFiles() throws {
        let empty = try scratch("empty.ndjson")
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: RecordingWriteError.self) { try RecordingFile(path: empty) }
        #expect(throws: RecordingWriteError.self) { try RecordingFile(path: empty + ".missing") }
        let foreign = try scratch("notes.txt")
        FileManager.default.createFile(atPath: foreign, contents: Data("hello\nworld\n".utf8))
        do {
            _ = try RecordingFile(path: foreign)
            Issue.record("a text file read as a recording")
        } catch {
            #expect(error.description.contains("not a realtime-dash recording"))
        }
    }
}
