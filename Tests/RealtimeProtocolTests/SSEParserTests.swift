import Testing
@testable import RealtimeProtocol

/// SSE bugs live at chunk boundaries: every vector runs at these chunk sizes.
let chunkSizes = [1, 2, 3, 7, 64, Int.max]

/// Feeds `bytes` in chunks of `size` and collects everything the parser produced,
/// then ends the stream.
func parse(_ bytes: [UInt8], chunk size: Int, maxEventSize: Int = 1 << 20) -> [SSEParser.Output] {
    var parser = SSEParser(maxEventSize: maxEventSize)
    var out: [SSEParser.Output] = []
    var i = 0
    while i < bytes.count {
        let end = size == Int.max ? bytes.count : min(i + size, bytes.count)
        out += parser.feed(bytes[i..<end])
        i = end
    }
    parser.finish()
    return out
}

func parse(_ text: String, chunk size: Int, maxEventSize: Int = 1 << 20) -> [SSEParser.Output] {
    parse(Array(text.utf8), chunk: size, maxEventSize: maxEventSize)
}

func events(_ outputs: [SSEParser.Output]) -> [SSEEvent] {
    outputs.compactMap { if case .event(let e) = $0 { e } else { nil } }
}

func ev(_ type: String, _ data: String, id: String? = nil) -> SSEEvent {
    SSEEvent(type: type, data: Array(data.utf8), lastEventID: id)
}

@Suite("SSEParser")
struct SSEParserTests {
    static let protocolExample =
        "event: connected\r\n"
        + "data: {\"channel\": \"alerts:t-01\"}\r\n"
        + "\r\n"
        + "event: alert.raised\r\n"
        + "data: {\"event_type\":\"alert.raised\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:00.123456\",\"alert_id\":\"a-1\",\"alert_type\":\"device_offline\",\"severity\":\"critical\",\"source\":\"olt-01\",\"message\":\"OLT unreachable\",\"details\":null}\r\n"
        + "\r\n"
        + ": ping - 2025-12-08 10:30:15.000001+00:00\r\n"
        + "\r\n"

    /// Events are kept (histories, sessions, alerts: their `raw` is this data), so each must own
    /// its bytes alone: before, every event shared the parser's buffer, with the capacity of the
    /// largest event the stream ever carried (87 MB of the scale scene's memory, by heaptrack).
    @Test("an event's data is an exact copy, never the parser's grown buffer", arguments: chunkSizes)
    func exactData(chunk: Int) throws {
        let big = String(repeating: "x", count: 100_000)
        let out = events(parse("data: \(big)\n\ndata: small\n\ndata: small again\n\n", chunk: chunk))
        #expect(out.map(\.data.count) == [100_000, 5, 11])
        #expect(out[0].data.capacity < 101_000, "the large event holds its own size")
        for e in out.dropFirst() {
            #expect(e.data.capacity < 1_000, "an event of \(e.data.count) bytes holds \(e.data.capacity)")
        }
    }

    /// Feeds `bytes` cut at `cuts`, each piece copied into one buffer that is overwritten after
    /// each feed, as a reused read buffer is: an event must not point into it afterwards.
    static func feedThroughOneBuffer(_ bytes: [UInt8], cuts: [Int]) -> [SSEEvent] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        defer { buffer.deallocate() }
        var parser = SSEParser()
        var got: [SSEEvent] = []
        let bounds = [0] + cuts + [bytes.count]
        for (from, to) in zip(bounds, bounds.dropFirst()) where from < to {
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[from..<to])) }
            parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<(to - from)])) {
                if case .event(let e) = $0 { got.append(e) }
            }
            buffer.initializeMemory(as: UInt8.self, repeating: 0x7E)
        }
        return got
    }

    @Test("a read buffer reused after each feed: the same events wherever the bytes are cut")
    func reusedReadBuffer() {
        let text =
            Self.protocolExample + "data: one\r\n\r\ndata: a\ndata: b\n\n: ping\n\nevent: x\rdata: {\"k\":1}\r\r"
            + "data: " + String(repeating: "z", count: 40) + "\n\n"
        let bytes = Array(text.utf8)
        let expected = events(parse(bytes, chunk: Int.max))
        #expect(expected.count == 6)
        // Every single cut (a data line's end in one read and its blank line in the next among
        // them), then pieces of each chunk size.
        for cut in 0...bytes.count {
            let got = Self.feedThroughOneBuffer(bytes, cuts: [cut])
            #expect(got == expected, "cut at \(cut)")
        }
        for size in chunkSizes where size < bytes.count {
            let got = Self.feedThroughOneBuffer(bytes, cuts: Array(stride(from: size, to: bytes.count, by: size)))
            #expect(got == expected, "chunks of \(size)")
        }
    }

    @Test("PROTOCOL.md §5 example, byte for byte", arguments: chunkSizes)
    func protocolExample(chunk: Int) {
        let out = parse(Self.protocolExample, chunk: chunk)
        #expect(
            out == [
                .event(ev("connected", "{\"channel\": \"alerts:t-01\"}")),
                .event(
                    ev(
                        "alert.raised",
                        "{\"event_type\":\"alert.raised\",\"tenant_id\":\"t-01\",\"timestamp\":\"2025-12-08T10:30:00.123456\",\"alert_id\":\"a-1\",\"alert_type\":\"device_offline\",\"severity\":\"critical\",\"source\":\"olt-01\",\"message\":\"OLT unreachable\",\"details\":null}"
                    )),
                .comment("ping - 2025-12-08 10:30:15.000001+00:00"),
            ])
        // The decoded alert survives the trip.
        guard case .event(let e) = out[1], case .event(let alert) = EventDecoder.decode(e.data) else {
            Issue.record("alert did not decode")
            return
        }
        #expect(alert.type == .alertRaised)
        #expect(alert.tenantID == "t-01")
    }

    @Test("LF, CR and CRLF line ends, mixed", arguments: chunkSizes)
    func lineEnds(chunk: Int) {
        let text = "data: lf\n\ndata: cr\r\rdata: crlf\r\n\r\ndata: a\rdata: b\ndata: c\r\n\n"
        #expect(
            events(parse(text, chunk: chunk)) == [
                ev("message", "lf"), ev("message", "cr"), ev("message", "crlf"), ev("message", "a\nb\nc"),
            ])
    }

    @Test("a CR that ends one chunk and its LF that starts the next are one line end")
    func crlfSplitAcrossChunks() {
        var p = SSEParser()
        var out = p.feed(Array("data: x\r".utf8))
        out += p.feed(Array("\n\r".utf8))
        out += p.feed(Array("\ndata: y\r\n\r\n".utf8))
        #expect(events(out) == [ev("message", "x"), ev("message", "y")])
    }

    @Test("one leading BOM is stripped, even split across chunks", arguments: chunkSizes)
    func bom(chunk: Int) {
        #expect(events(parse("\u{FEFF}data: x\n\n", chunk: chunk)) == [ev("message", "x")])
        // A second BOM is content: it becomes part of the field name, which is then unknown.
        #expect(events(parse("\u{FEFF}\u{FEFF}data: x\n\ndata: y\n\n", chunk: chunk)) == [ev("message", "y")])
        // Bytes that start like a BOM but are not one are kept.
        let almost: [UInt8] = [0xEF, 0xBB, 0x41] + Array(": z\n\ndata: w\n\n".utf8)
        #expect(events(parse(almost, chunk: chunk)) == [ev("message", "w")])
    }

    @Test("exactly one leading space is removed from a value", arguments: chunkSizes)
    func oneSpace(chunk: Int) {
        #expect(
            events(parse("data:x\n\ndata: x\n\ndata:  x\n\n", chunk: chunk)) == [
                ev("message", "x"), ev("message", "x"), ev("message", " x"),
            ])
    }

    @Test("data lines are joined with newlines; a bare 'data' line adds an empty line", arguments: chunkSizes)
    func dataJoin(chunk: Int) {
        #expect(
            events(parse("data: a\ndata: b\ndata\ndata: c\n\ndata\n\n", chunk: chunk)) == [
                ev("message", "a\nb\n\nc"), ev("message", ""),
            ])
    }

    @Test("event name, and the default 'message'", arguments: chunkSizes)
    func eventName(chunk: Int) {
        #expect(
            events(parse("event: a.b\ndata: 1\n\ndata: 2\n\nevent: a.b\nevent: c\ndata: 3\n\n", chunk: chunk)) == [
                ev("a.b", "1"), ev("message", "2"), ev("c", "3"),
            ])
    }

    @Test("id persists across events, NUL ignored, empty id resets", arguments: chunkSizes)
    func ids(chunk: Int) {
        let text = "id: 1\ndata: a\n\ndata: b\n\nid: 2\u{0}x\ndata: c\n\nid\ndata: d\n\nid: 3\ndata: e\n\n"
        #expect(
            events(parse(text, chunk: chunk)) == [
                ev("message", "a", id: "1"), ev("message", "b", id: "1"), ev("message", "c", id: "1"),
                ev("message", "d", id: nil), ev("message", "e", id: "3"),
            ])
    }

    @Test("retry only when all ASCII digits", arguments: chunkSizes)
    func retry(chunk: Int) {
        let out = parse("retry: 1500\nretry: 15a\nretry:\nretry: -1\nretry: 99999999999999999999999\ndata: x\n\n", chunk: chunk)
        #expect(out == [.retry(1500), .retry(Int.max), .event(ev("message", "x"))])
    }

    @Test("comments are surfaced; unknown fields ignored; no data means no event", arguments: chunkSizes)
    func commentsAndUnknown(chunk: Int) {
        let out = parse(":\n: hi\n:no space\nfoo: bar\nevent: x\n\nevent: y\nfoo\n\n", chunk: chunk)
        #expect(out == [.comment(""), .comment("hi"), .comment("no space")])
    }

    @Test("an incomplete event at end of stream is discarded", arguments: chunkSizes)
    func incompleteDiscarded(chunk: Int) {
        #expect(events(parse("data: a\n\ndata: b\n", chunk: chunk)) == [ev("message", "a")])
        #expect(events(parse("data: a\n\ndata: b", chunk: chunk)) == [ev("message", "a")])
    }

    @Test("invalid UTF-8 becomes U+FFFD in text", arguments: chunkSizes)
    func invalidUTF8(chunk: Int) {
        let bytes: [UInt8] = Array("event: e\u{FF}\ndata: a".utf8) + [0xFF, 0xC3] + Array("b\n\n".utf8)
        let e = events(parse(bytes, chunk: chunk))
        #expect(e.count == 1)
        #expect(e.first?.type == "e\u{FF}")
        #expect(e.first?.text == "a\u{FFFD}\u{FFFD}b")
    }

    @Test("a field name and value keep colons after the first", arguments: chunkSizes)
    func colons(chunk: Int) {
        #expect(events(parse("data: a:b: c\n\n", chunk: chunk)) == [ev("message", "a:b: c")])
    }

    @Test("100 events arrive in order", arguments: chunkSizes)
    func hundredInOrder(chunk: Int) {
        var text = ""
        for i in 0..<100 { text += "event: n\r\ndata: {\"i\":\(i)}\r\n\r\n: ping\r\n" }
        let e = events(parse(text, chunk: chunk))
        #expect(e.count == 100)
        #expect(e.map(\.text) == (0..<100).map { "{\"i\":\($0)}" })
    }

    @Test("a 1 MiB event is accepted; 1 MiB + 1 is reported and skipped, and the next one parses", arguments: chunkSizes)
    func oversized(chunk: Int) {
        let limit = 1 << 20
        let exact = String(repeating: "x", count: limit)
        // Two data lines joined by "\n": limit - 1 + 1 + 1 = limit + 1 bytes.
        let over = "data: " + String(repeating: "y", count: limit - 1) + "\r\ndata: z\r\n\r\n"
        let text = "data: \(exact)\r\n\r\n" + over + "data: small\r\n\r\n"
        let out = parse(text, chunk: chunk, maxEventSize: limit)
        #expect(out.count == 3)
        if case .event(let e) = out.first { #expect(e.data.count == limit) } else { Issue.record("no 1 MiB event") }
        #expect(Array(out.dropFirst()) == [.error(.eventTooLarge(limit: limit)), .event(ev("message", "small"))])
    }

    @Test("the size limit holds at every chunk size (small limit)", arguments: chunkSizes)
    func oversizedSmall(chunk: Int) {
        let text = "data: 0123456789\ndata: 012345\n\ndata: ok\n\nevent: \(String(repeating: "e", count: 40))\n\ndata: after\n\n"
        let out = parse(text, chunk: chunk, maxEventSize: 16)
        #expect(
            out == [
                .error(.eventTooLarge(limit: 16)), .event(ev("message", "ok")),
                .error(.eventTooLarge(limit: 16)), .event(ev("message", "after")),
            ])
    }

    /// The review's case: the first line of an event is too long and comes in pieces; the rest of
    /// that event (`data: tail`) must be skipped with it, as it is when the line comes whole.
    @Test("an event whose first line is too long is skipped whole at every chunk size", arguments: chunkSizes)
    func oversizedFirstLine(chunk: Int) {
        let text = "data: \(String(repeating: "y", count: 40))\ndata: tail\n\ndata: next\n\n"
        #expect(
            parse(text, chunk: chunk, maxEventSize: 16) == [.error(.eventTooLarge(limit: 16)), .event(ev("message", "next"))])
    }

    @Test("a line that never ends does not grow memory without bound")
    func endlessLine() {
        var p = SSEParser(maxEventSize: 1024)
        var errors = 0
        let chunk = [UInt8](repeating: 0x61, count: 4096)
        for _ in 0..<1000 {
            for o in p.feed(chunk) { if case .error = o { errors += 1 } }
        }
        #expect(errors == 1)
        let tail = p.feed(Array("\n\ndata: ok\n\n".utf8))
        #expect(events(tail) == [ev("message", "ok")])
    }

    @Test("the parser resets for a new connection but keeps the last event id")
    func finishResets() {
        var p = SSEParser()
        _ = p.feed(Array("id: 7\ndata: a\n\ndata: half".utf8))
        p.finish()
        #expect(p.currentLastEventID == "7")
        let out = p.feed(Array("\u{FEFF}data: b\n\n".utf8))
        #expect(events(out) == [ev("message", "b", id: "7")])
    }
}
