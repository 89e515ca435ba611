import Foundation
import RealtimeProtocol
import Synchronization

/// `--record FILE`: every frame the connections report, written as a ``Recording`` by a thread
/// of its own, so neither the network nor the console ever waits for the disk.
///
/// It is the inbox's tap, once per socket read: ``prepare(_:)`` stamps the read with the time and
/// encodes its lines on the event loop, outside every lock; ``commit(_:)``, under the inbox's
/// lock, queues them (a large read's buffer as it is, a small one's lines copied onto the last
/// small buffer) and returns. The queue
/// is bounded by bytes (`queueLimit`): a read that does not fit is not recorded, only counted,
/// and a `lost` marker saying how many frames are missing goes where the hole is. So memory stays bounded
/// when the disk is slower than the stream, and the recording says where it has holes.
///
/// The writer wakes when a megabyte is queued, or every 50 ms: at most that much is lost to a
/// SIGKILL. Each wake ends with the sink's ``RecordingSink/sync()`` (gzip flushed to a byte
/// boundary), so a killed recording is readable up to its last whole line. A file that reaches
/// `maxBytes` is closed and the next part opened (`storm.ndjson.gz`, `storm-2.ndjson.gz`, …), each
/// starting with its own header.
public final class Recorder: InboxTap, @unchecked Sendable {
    public struct Options: Sendable {
        public var path: String
        /// Start the next part when a file reaches this size (`--record-max-mb`, default 512).
        public var maxBytes: Int64 = 512 << 20
        /// What may wait for the disk, in frame bytes, before frames are counted lost.
        public var queueLimit = 64 << 20
        /// How long queued frames may wait while the stream is slow (they go at once when a
        /// megabyte has queued).
        public var interval = 0.05

        public init(path: String, maxBytes: Int64 = 512 << 20) {
            self.path = path
            self.maxBytes = maxBytes
        }
    }

    public typealias OpenSink = @Sendable (String) throws(RecordingWriteError) -> any RecordingSink

    public let options: Options
    private let header: Recording.Header
    private let openSink: OpenSink
    /// Told once when the recording stops for good (a disk error): the console says it.
    private let problem: @Sendable (String) -> Void

    /// The line heads of the header's tenants' streams, built once.
    private let heads: Recording.LineHeads
    /// Set when the queue is full, cleared when the writer takes it: while set, reads are not
    /// encoded, only counted (a slow disk does not cost the event loops the encoding too).
    private let full = Atomic<Bool>(false)
    /// Set for good once the recording stops (closed, or the disk failed): reads are no longer
    /// encoded.
    private let stopped = Atomic<Bool>(false)
    /// Lines smaller than this are gathered into one buffer; larger ones are queued as they are.
    private static let small = 64 << 10
    /// Written buffers, emptied, for the next reads to encode into.
    private let spare = Locked<[[UInt8]]>([])

    private let condition = NSCondition()
    // Guarded by `condition`.
    /// Lines encoded and not yet written, as the reads' own buffers (no event is kept, none is
    /// released on another thread; a large read's lines are queued without being copied again,
    /// small ones are gathered so that the writer makes few writes). The writer swaps the list
    /// for an empty one.
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var pendingFrames = 0
    private var lostPending = 0
    private var lostTotal = 0
    private var written = 0
    private var closing = false
    private var finished = false
    private var failed: String? = nil
    /// The parts written so far.
    private var paths: [String] = []

    private var sink: (any RecordingSink)?
    private var part = 1
    private var thread: Thread?

    /// Opens `options.path` and writes the header: a file that cannot be created is an error
    /// here, before anything runs.
    public init(
        _ options: Options, header: Recording.Header,
        openSink: @escaping OpenSink = { path throws(RecordingWriteError) in
            try openRecordingSink(path)
        }, problem: @escaping @Sendable (String) -> Void = { _ in }
    ) throws(RecordingWriteError) {
        self.options = options
        self.header = header
        self.openSink = openSink
        self.problem = problem
        heads = Recording.LineHeads(tenants: header.tenants)
        let first = try openSink(options.path)
        try first.write(header.line)
        try first.sync()
        sink = first
        paths = [options.path]
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "recorder"
        self.thread = thread
        thread.start()
    }

    /// One read's frames as lines, stamped with when it arrived: ``prepare(_:)``'s work.
    public struct Read: Sendable {
        var lines: [UInt8]
        var frames: Int
        /// Frames not encoded because the queue was full: counted lost when committed.
        var refused: Int
        var time: UTCInstant
    }

    /// The tap's first step, on the event loop that read the frames, before the inbox's lock:
    /// stamps the read and encodes its lines (nothing shared is touched, so event loops encode
    /// at once). While the queue is full it encodes nothing: the frames are counted lost.
    public func prepare(_ events: inout [ClientEvent]) -> Read {
        let now = UTCInstant.now()
        // Stopped (closed, or the disk failed): nothing is encoded for nothing.
        if stopped.load(ordering: .relaxed) { return Read(lines: [], frames: 0, refused: 0, time: now) }
        if full.load(ordering: .relaxed) { return Read(lines: [], frames: 0, refused: events.count, time: now) }
        // A large read encodes into a buffer the writer is done with, if there is one: a new one
        // per read would be memory the kernel has to fault in (and the allocator to take back)
        // every read. A small one would be copied onto another small read's buffer and let go
        // (``queue(_:)``), so it does not take one from the pool.
        let estimate = events.count * 400
        var lines = estimate >= Self.small ? spare.withLock { $0.popLast() } ?? [] : []
        lines.reserveCapacity(estimate)
        let frames = Recording.appendRead(&events, at: now, heads: heads, to: &lines)
        return Read(lines: lines, frames: frames, refused: 0, time: now)
    }

    /// The tap's second step, under the inbox's lock (so reads are queued in the order the
    /// consumer gets them): queues the lines, or counts the frames lost when the queue is full.
    /// Never waits for the disk.
    public func commit(_ read: Read) {
        guard read.frames > 0 || read.refused > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        guard !closing, failed == nil else { return }
        if read.refused > 0 || pendingBytes >= options.queueLimit {
            let lost = read.refused + read.frames
            lostPending += lost
            lostTotal += lost
            // Only a queue that is full now stops the encoding (a read refused before the writer
            // emptied it must not stop it again), and the writer is woken to empty it.
            if pendingBytes >= options.queueLimit {
                full.store(true, ordering: .relaxed)
                condition.signal()
            }
            return
        }
        if lostPending > 0 {
            // Where the hole is: before the first frame kept after it.
            queue(Recording.lostLine(lostPending, at: read.time))
            lostPending = 0
        }
        queue(read.lines)
        pendingFrames += read.frames
        if pendingBytes >= 1 << 20 { condition.signal() }
    }

    /// Adds lines to `pending` (under the lock): a buffer of its own when it is large, else
    /// copied onto the end of the last small one.
    private func queue(_ lines: [UInt8]) {
        pendingBytes += lines.count
        let small = Self.small
        if lines.count < small, let last = pending.indices.last, pending[last].count < small {
            lines.withUnsafeBytes { pending[last].append(contentsOf: $0) }
        } else {
            pending.append(lines)
        }
    }

    /// Both steps at once (tests; `events` is copied once to be read in place).
    public func record(_ events: [ClientEvent]) {
        var events = events
        commit(prepare(&events))
    }

    /// Frames written and frames lost so far.
    public var counts: (written: Int, lost: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (written, lostTotal)
    }

    /// The files written (the first, then one per rotation).
    public var files: [String] {
        condition.lock()
        defer { condition.unlock() }
        return paths
    }

    /// Writes what is queued, ends the file and stops the thread. Waits for the disk (at most
    /// `timeout` seconds: a hung disk does not hold the process).
    public func close(timeout: Double = 5) {
        condition.lock()
        closing = true
        stopped.store(true, ordering: .relaxed)
        condition.broadcast()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !finished {
            if !condition.wait(until: deadline) { break }
        }
        condition.unlock()
    }

    private func run() {
        var buffers: [[UInt8]] = []
        while true {
            condition.lock()
            // Frames counted lost with nothing queued after them: their marker goes in with the next
            // frame kept (or at close), so there is nothing to write until then.
            if pending.isEmpty && !closing {
                _ = condition.wait(until: Date(timeIntervalSinceNow: options.interval))
            }
            if closing && lostPending > 0 {
                queue(Recording.lostLine(lostPending, at: UTCInstant.now()))
                lostPending = 0
            }
            swap(&buffers, &pending)
            pendingBytes = 0
            full.store(false, ordering: .relaxed)
            let count = pendingFrames
            pendingFrames = 0
            let ending = closing
            condition.unlock()

            for buffer in buffers { flushBuffer(buffer) }
            recycle(&buffers)
            do { try sink?.sync() } catch { fail(error) }
            condition.lock()
            written += count
            condition.unlock()
            if ending {
                do { try sink?.close() } catch { fail(error) }
                sink = nil
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    /// Keeps written buffers for ``prepare(_:)`` to encode into again (up to a few megabytes of
    /// them; the rest are let go).
    private func recycle(_ buffers: inout [[UInt8]]) {
        spare.withLock { spare in
            var kept = spare.reduce(0) { $0 + $1.capacity }
            while var buffer = buffers.popLast() {
                guard kept + buffer.capacity <= 8 << 20, spare.count < 32 else { continue }
                buffer.removeAll(keepingCapacity: true)
                kept += buffer.capacity
                spare.append(buffer)
            }
        }
    }

    /// Writes whole lines, a slice at a time, so a part ends near `maxBytes` (within a slice:
    /// a megabyte, or a quarter of a small `maxBytes`).
    private func flushBuffer(_ buffer: [UInt8]) {
        let slice = Int(min(1 << 20, max(4096, options.maxBytes / 4)))
        var start = 0
        while start < buffer.count, let sink {
            var end = min(buffer.count, start + slice)
            // Cut after a newline: a line never spans two parts.
            while end < buffer.count && buffer[end - 1] != 0x0A { end += 1 }
            do {
                try sink.write(slice: buffer[start..<end])
                if sink.size >= options.maxBytes { try rotate() }
            } catch {
                fail(error)
                return
            }
            start = end
        }
    }

    /// Closes the full file and opens the next part, with its header.
    private func rotate() throws(RecordingWriteError) {
        try sink?.close()
        sink = nil
        part += 1
        let path = Recorder.partPath(options.path, part)
        let next = try openSink(path)
        var h = header
        h.part = part
        h.started = UTCInstant.now()
        try next.write(h.line)
        sink = next
        condition.lock()
        paths.append(path)
        condition.unlock()
    }

    private func fail(_ error: RecordingWriteError) {
        condition.lock()
        let first = failed == nil
        if first { failed = error.description }
        stopped.store(true, ordering: .relaxed)
        condition.unlock()
        try? sink?.close()
        sink = nil
        if first { problem("recording stopped: \(error.description)") }
    }

    /// Part `n` of a recording at `path`: `storm.ndjson.gz` → `storm-2.ndjson.gz`.
    public static func partPath(_ path: String, _ n: Int) -> String {
        guard n > 1 else { return path }
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let name = path[slash...]
        let dot = name.firstIndex(of: ".") ?? name.endIndex
        return String(path[..<dot]) + "-\(n)" + String(path[dot...])
    }
}
