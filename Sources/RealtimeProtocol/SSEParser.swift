/// One dispatched Server-Sent Event.
///
/// `data` holds the joined `data:` lines as raw bytes (lines joined with `\n`, the final
/// newline removed). Invalid UTF-8 is kept as received; ``text`` replaces it with U+FFFD.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or `"message"` when the event had none.
    public var type: String
    /// The joined `data:` lines, as received.
    public var data: [UInt8]
    /// The last event id in force when this event was dispatched (`nil` when none or reset).
    public var lastEventID: String?

    public init(type: String, data: [UInt8], lastEventID: String? = nil) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }

    /// `data` as text; invalid UTF-8 becomes U+FFFD.
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// An error the parser reports in-band; parsing always continues after it.
public enum SSEParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An event (or a single line) grew beyond the configured maximum. Its bytes were
    /// discarded up to the next blank line; the parser resumes with the next event.
    case eventTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .eventTooLarge(let limit):
            return "an SSE event exceeded the \(limit)-byte limit and was skipped"
        }
    }
}

/// Incremental, byte-level parser for `text/event-stream`, following the WHATWG
/// EventSource rules.
///
/// Feed it chunks exactly as they arrive from the network; it keeps whatever state a chunk
/// boundary splits (half a line, a CR whose LF is in the next chunk, half a BOM).
///
/// - One leading UTF-8 BOM is stripped, even when split across chunks.
/// - Lines end in CRLF, LF or a lone CR.
/// - A line starting with `:` is a comment, surfaced as ``Output/comment(_:)`` (the backend's
///   `: ping - …` heartbeats).
/// - `field: value` — exactly one space after the colon is removed.
/// - `data` lines are joined with `\n`; `event` sets the type; `id` sets the last event id
///   unless it contains NUL (an empty `id` resets it); `retry` is honoured only when all
///   ASCII digits. Other fields are ignored.
/// - A blank line dispatches the event; an event with no data is not dispatched.
/// - An incomplete event at end of stream is discarded (see ``finish()``).
/// - An event whose joined data would exceed `maxEventSize` bytes (or a line longer than the
///   limit plus a field name) yields ``SSEParserError/eventTooLarge(limit:)`` once and the rest
///   of that event is skipped, so memory stays bounded whatever the server sends. The outcome
///   does not depend on how the bytes were chunked.
///
/// - Complexity: O(n) in the bytes fed; each byte is looked at a constant number of times.
public struct SSEParser: Sendable {
    /// What the parser produced from a chunk.
    public enum Output: Sendable, Equatable {
        case event(SSEEvent)
        /// A comment line, without its leading colon (and one leading space removed).
        case comment(String)
        /// A valid `retry:` field, in milliseconds.
        case retry(Int)
        case error(SSEParserError)
    }

    /// The largest event (data plus the line being read) accepted, in bytes.
    public let maxEventSize: Int

    /// 16 MiB, the same as the WebSocket frame limit: the backend puts no limit on a message, so
    /// a 1 MiB alert is legitimate and must not be skipped.
    public static let defaultMaxEventSize = 16 << 20

    private var line: [UInt8] = []
    private var data: [UInt8] = []
    /// An event's first `data` line while it is still in the caller's chunk: an event of one
    /// line (every event the backend sends) is copied once, into the event, and not first into
    /// `data`. Valid only inside one `feed`; moved into `data` before the chunk can go.
    nonisolated(unsafe) private var firstData: UnsafeRawBufferPointer? = nil
    private var eventType: String? = nil
    private var lastEventID: String? = nil
    private var skipLeadingLF = false
    /// How many bytes of a possible leading BOM have been matched (3 = decided).
    private var bomState = 0
    private var discarding = false
    /// Bytes of the current line came in an earlier chunk (kept in `line`, or dropped while
    /// discarding): the next break ends a line that is not blank.
    private var midLine = false
    /// The event types this stream used lately, as bytes and as the String an event carries:
    /// a stream that mixes a few types (`/events` carries them all) makes each String once.
    private var recentTypes: [(bytes: [UInt8], string: String)] = []
    private var nextRecent = 0

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// Room for `data: ` in front of a value when a line is checked against the limit.
    private static let fieldAllowance = 6

    /// The joined data's length so far (with its trailing newline).
    private var dataCount: Int { data.count + (firstData.map { $0.count + 1 } ?? 0) }

    /// Moves a first data line still in the caller's chunk into `data`.
    @inline(__always)
    private mutating func keepFirstData() {
        guard let first = firstData else { return }
        firstData = nil
        data.append(contentsOf: first)
        data.append(0x0A)
    }

    public init(maxEventSize: Int = SSEParser.defaultMaxEventSize) {
        precondition(maxEventSize > 0, "maxEventSize must be positive")
        self.maxEventSize = maxEventSize
    }

    /// The last event id seen (`Last-Event-ID` for a reconnect), or `nil`.
    public var currentLastEventID: String? { lastEventID }

    /// Parses a chunk and returns what it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Output] {
        var out: [Output] = []
        let array = Array(bytes)
        array.withUnsafeBytes { raw in
            feed(raw) { out.append($0) }
        }
        return out
    }

    /// Parses a chunk, calling `emit` for each output in order. The fast path: no
    /// intermediate array is built.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        var start = 0
        let count = chunk.count
        guard count > 0 else { return }

        // A possible BOM, possibly split across chunks.
        while bomState < 3 && start < count {
            if chunk[start] == Self.bom[bomState] {
                bomState += 1
                start += 1
                if bomState == 3 { break }
            } else {
                // Not a BOM after all: the bytes matched so far are ordinary content.
                let matched = bomState
                bomState = 3
                if matched > 0 {
                    Self.bom.withUnsafeBytes { appendToLine(UnsafeRawBufferPointer(rebasing: $0[0..<matched]), emit) }
                }
            }
        }
        if bomState < 3 { return }

        if skipLeadingLF && start < count {
            if chunk[start] == 0x0A { start += 1 }
            skipLeadingLF = false
        }

        var i = start
        while i < count {
            i = Self.nextLineBreak(chunk, from: i)
            guard i < count else { break }
            let b = chunk[i]
            if b == 0x0A || b == 0x0D {
                if !midLine {
                    processLine(UnsafeRawBufferPointer(rebasing: chunk[start..<i]), emit)
                } else if line.isEmpty {
                    // The end of a line whose first pieces were dropped (its event is being
                    // discarded): not a blank line, so not the end of that event. (Read as one,
                    // it ended the discarding early when a line came in pieces and not when it
                    // came whole: the rest of an oversized event got through.)
                } else {
                    appendToLine(UnsafeRawBufferPointer(rebasing: chunk[start..<i]), emit)
                    // Its last piece made it too long: the event is being discarded (the line
                    // is gone), and this break ends that line, not the event.
                    if !discarding {
                        // Moved out while it is read (processing is mutating), then emptied and
                        // put back: no copy, and the line keeps its capacity.
                        var pending: [UInt8] = []
                        swap(&pending, &line)
                        pending.withUnsafeBytes { processLine($0, emit) }
                        keepFirstData()  // it points into `pending`, which is reused
                        pending.removeAll(keepingCapacity: true)
                        line = pending
                    }
                }
                midLine = false
                if b == 0x0D {
                    if i + 1 < count {
                        if chunk[i + 1] == 0x0A { i += 1 }
                    } else {
                        skipLeadingLF = true
                    }
                }
                i += 1
                start = i
            } else {
                i += 1
            }
        }
        keepFirstData()  // it points into `chunk`, which is the caller's
        if start < count {
            appendToLine(UnsafeRawBufferPointer(rebasing: chunk[start..<count]), emit)
        }
    }

    /// The index of the next CR or LF at or after `i`, or `chunk.count`.
    @inline(__always)
    static func nextLineBreak(_ chunk: UnsafeRawBufferPointer, from i0: Int) -> Int {
        nextByte(0x0A, or: 0x0D, in: chunk, from: i0)
    }

    /// Ends the stream: an incomplete event (no blank line yet) is discarded, per the spec.
    /// The parser is reset for a new connection, keeping only the last event id.
    public mutating func finish() {
        line.removeAll()
        data.removeAll()
        firstData = nil
        eventType = nil
        skipLeadingLF = false
        bomState = 0
        discarding = false
        midLine = false
    }

    // MARK: - Lines

    private mutating func appendToLine(_ bytes: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        midLine = midLine || !bytes.isEmpty
        if discarding { return }
        // A partial line may carry a field name ("data: ") on top of its value.
        if line.count + bytes.count + dataCount > maxEventSize + Self.fieldAllowance {
            startDiscarding(emit)
            return
        }
        line.append(contentsOf: bytes)
    }

    private mutating func startDiscarding(_ emit: (Output) -> Void) {
        line.removeAll()
        data.removeAll()
        firstData = nil
        eventType = nil
        discarding = true
        emit(.error(.eventTooLarge(limit: maxEventSize)))
    }

    private mutating func processLine(_ l: UnsafeRawBufferPointer, _ emit: (Output) -> Void) {
        if l.isEmpty {
            if discarding {
                discarding = false
                return
            }
            dispatch(emit)
            return
        }
        if discarding { return }
        if l.count + dataCount > maxEventSize + Self.fieldAllowance {
            startDiscarding(emit)
            return
        }
        if l[0] == 0x3A {  // ':' comment
            var s = 1
            if s < l.count && l[s] == 0x20 { s += 1 }
            emit(.comment(String(decoding: UnsafeRawBufferPointer(rebasing: l[s...]), as: UTF8.self)))
            return
        }
        var colon = -1
        for j in 0..<l.count where l[j] == 0x3A {
            colon = j
            break
        }
        let name: UnsafeRawBufferPointer
        let value: UnsafeRawBufferPointer
        if colon >= 0 {
            name = UnsafeRawBufferPointer(rebasing: l[0..<colon])
            var vs = colon + 1
            if vs < l.count && l[vs] == 0x20 { vs += 1 }
            value = UnsafeRawBufferPointer(rebasing: l[vs...])
        } else {
            name = l
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        switch name.count {
        case 4 where name[0] == 0x64 && name[1] == 0x61 && name[2] == 0x74 && name[3] == 0x61:  // data
            if dataCount + value.count > maxEventSize {
                startDiscarding(emit)
                return
            }
            if data.isEmpty && firstData == nil {
                firstData = value
            } else {
                keepFirstData()
                data.append(contentsOf: value)
                data.append(0x0A)
            }
        case 5 where name[0] == 0x65 && name[1] == 0x76 && name[2] == 0x65 && name[3] == 0x6E && name[4] == 0x74:  // event
            eventType = typeString(value)
        case 2 where name[0] == 0x69 && name[1] == 0x64:  // id
            if !bytesContain(value, 0) {
                lastEventID = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
            }
        case 5 where name[0] == 0x72 && name[1] == 0x65 && name[2] == 0x74 && name[3] == 0x72 && name[4] == 0x79:  // retry
            var allDigits = !value.isEmpty
            for d in value where d < 0x30 || d > 0x39 { allDigits = false; break }
            if allDigits {
                var ms = 0
                for d in value {
                    let (m, o1) = ms.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int(d - 0x30))
                    if o1 || o2 { ms = Int.max; break }
                    ms = a
                }
                emit(.retry(ms))
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func typeString(_ value: UnsafeRawBufferPointer) -> String {
        for recent in recentTypes where recent.bytes.withUnsafeBytes({ bytesEqual($0, value) }) { return recent.string }
        let string = String(decoding: value, as: UTF8.self)
        if recentTypes.count < 8 {
            recentTypes.append((Array(value), string))
        } else {
            recentTypes[nextRecent] = (Array(value), string)
            nextRecent = (nextRecent + 1) % recentTypes.count
        }
        return string
    }

    private mutating func dispatch(_ emit: (Output) -> Void) {
        defer { eventType = nil }
        if let first = firstData {
            // One data line, still in the chunk: copied once, exactly.
            firstData = nil
            emit(.event(SSEEvent(type: eventType ?? "message", data: Array(first), lastEventID: lastEventID)))
            return
        }
        guard !data.isEmpty else { return }
        data.removeLast()  // the trailing "\n" added after the last data line
        // The event gets an exact-size copy; the buffer keeps its capacity for the next one.
        // (`Array(data)` would share the buffer, capacity and all: every kept event then held
        // the largest event's capacity, and the parser allocated that much again for the next.)
        let event = SSEEvent(
            type: eventType ?? "message", data: data.withUnsafeBufferPointer { Array($0) }, lastEventID: lastEventID)
        data.removeAll(keepingCapacity: true)
        emit(.event(event))
    }
}
