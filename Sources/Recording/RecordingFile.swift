import CZlib
import Foundation
import RealtimeProtocol

/// A recording read back for `realtime-dash replay`: the file's lines indexed by time, decoded
/// when they are played (so a large recording costs its bytes and 32 bytes a line, not its
/// decoded events).
///
/// Nothing in a file stops a replay: a truncated last line (a crash), a line that is not JSON,
/// an unknown kind, a cut gzip stream are each reported with their line number (``problems``)
/// and skipped. Only a missing, unreadable or empty file, or one that is not a recording at all,
/// is an error (one sentence).
public final class RecordingFile: @unchecked Sendable {
    public struct Entry: Sendable {
        /// Receive time, microseconds since the epoch.
        public var time: Int64
        public var start: Int
        public var end: Int
        /// 1-based line number in the file.
        public var line: Int
    }

    public let path: String
    public let header: Recording.Header?
    public let bytes: [UInt8]
    /// The frame lines in file order (a recording is written in arrival order).
    public let entries: [Entry]
    /// What was skipped, by line.
    public private(set) var problems: [(line: Int, reason: String)]

    public var start: UTCInstant? { entries.first.map { UTCInstant(microseconds: $0.time) } }
    public var end: UTCInstant? { entries.last.map { UTCInstant(microseconds: $0.time) } }

    public init(path: String) throws(RecordingWriteError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecordingWriteError(
                FileManager.default.fileExists(atPath: path)
                    ? "\(path) cannot be read" : "\(path): no such file (a recording is made with --record FILE)")
        }
        var problems: [(Int, String)] = []
        var bytes = [UInt8](data)
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B {
            let (inflated, complete) = Self.gunzip(bytes)
            bytes = inflated
            if !complete {
                problems.append(
                    (
                        0,
                        "the gzip stream ends early (the recording was not closed: a crash or a kill); read up to its last whole line"
                    ))
            }
        }
        guard !bytes.isEmpty else { throw RecordingWriteError("\(path) is empty: nothing was recorded") }
        var header: Recording.Header? = nil
        var entries: [Entry] = []
        var lineNumber = 0
        var i = 0
        bytes.withUnsafeBytes { raw in
            while i < raw.count {
                lineNumber += 1
                let start = i
                var end = start
                while end < raw.count && raw[end] != 0x0A { end += 1 }
                i = end + 1
                if end == raw.count {
                    problems.append((lineNumber, "the last line is cut short (the recording ended mid-line); skipped"))
                    break
                }
                if end == start { continue }
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                if let t = Self.fastTime(line) {
                    entries.append(Entry(time: t, start: start, end: end, line: lineNumber))
                    continue
                }
                do {
                    switch try Recording.decode(line) {
                    case .header(let h): if header == nil { header = h }
                    case .frame(let f): entries.append(Entry(time: f.time.microseconds, start: start, end: end, line: lineNumber))
                    case .lost(let t, _): entries.append(Entry(time: t.microseconds, start: start, end: end, line: lineNumber))
                    }
                } catch {
                    problems.append((lineNumber, "\(error); skipped"))
                }
            }
        }
        if header == nil && entries.isEmpty {
            let first = problems.first { $0.0 > 0 }.map { ": line \($0.0): \($0.1)" } ?? ""
            throw RecordingWriteError("\(path) is not a realtime-dash recording\(first)")
        }
        self.header = header
        self.bytes = bytes
        self.entries = entries
        self.problems = problems
    }

    /// `t` of a frame line written by the recorder (`{"t":123,…`), without decoding the rest.
    static func fastTime(_ line: UnsafeRawBufferPointer) -> Int64? {
        let prefix: [UInt8] = Array("{\"t\":".utf8)
        guard line.count > prefix.count + 1 else { return nil }
        for (k, b) in prefix.enumerated() where line[k] != b { return nil }
        var v: Int64 = 0
        var k = prefix.count
        var digits = 0
        while k < line.count, line[k] >= 0x30, line[k] <= 0x39, digits < 18 {
            v = v * 10 + Int64(line[k] - 0x30)
            k += 1
            digits += 1
        }
        guard digits > 0, k < line.count, line[k] == 0x2C, line[line.count - 1] == 0x7D else { return nil }
        return v
    }

    /// Decodes entry `index`: what it reports, or why it is skipped (with its line number).
    public func line(_ index: Int) -> Result<Recording.Line, RecordingError> {
        let e = entries[index]
        return bytes.withUnsafeBytes { raw in
            do {
                return .success(try Recording.decode(UnsafeRawBufferPointer(rebasing: raw[e.start..<e.end])))
            } catch {
                return .failure(RecordingError("line \(e.line): \(error); skipped"))
            }
        }
    }

    /// The raw bytes of entry `index`, without its newline (for `--export`).
    public func rawLine(_ index: Int) -> ArraySlice<UInt8> { bytes[entries[index].start..<entries[index].end] }

    /// The first entry at or after `time`.
    public func index(atOrAfter time: Int64) -> Int {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].time < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Inflates a gzip file (several members too: parts concatenated with `cat`). Returns what
    /// could be read and whether the stream ended properly.
    static func gunzip(_ input: [UInt8]) -> ([UInt8], Bool) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 4)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var complete = false
        input.withUnsafeBytes { inp in
            var offset = 0
            while offset < inp.count {
                var s = z_stream()
                guard cz_inflate_init_gzip(&s) == Z_OK else { return }
                defer { inflateEnd(&s) }
                s.next_in = UnsafeMutablePointer(mutating: inp.bindMemory(to: UInt8.self).baseAddress! + offset)
                s.avail_in = UInt32(inp.count - offset)
                var status: Int32 = Z_OK
                repeat {
                    let produced: Int = chunk.withUnsafeMutableBytes { o in
                        s.next_out = o.bindMemory(to: UInt8.self).baseAddress
                        s.avail_out = UInt32(o.count)
                        status = inflate(&s, Z_NO_FLUSH)
                        return o.count - Int(s.avail_out)
                    }
                    out.append(contentsOf: chunk[0..<produced])
                } while status == Z_OK && (s.avail_in > 0 || s.avail_out == 0)
                guard status == Z_STREAM_END else {
                    complete = false
                    return
                }
                complete = true
                offset = inp.count - Int(s.avail_in)
                // Another member follows only if it starts with the gzip magic.
                if offset + 1 < inp.count, !(inp[offset] == 0x1F && inp[offset + 1] == 0x8B) { return }
            }
        }
        return (out, complete)
    }
}
