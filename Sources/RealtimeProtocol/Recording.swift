/// The recording format of `--record` (NDJSON: one JSON object per line), written by the
/// recorder and read back by `realtime-dash replay`.
///
/// The first line is a ``Header`` (`{"realtime_dash_recording":1,…}`): the format version, the
/// program, when, the profile, the tenants and the backend's origin; never a token. Every other
/// line is one thing the connections reported, with its receive time `t` (microseconds since
/// the epoch, UTC), tenant `tn` and endpoint `ep`, by kind `k`:
///
/// | `k` | what | carries |
/// |---|---|---|
/// | `sse` | an SSE event as it arrived | `ev` (the `event:` name) and `data` |
/// | `ws` | a WebSocket text frame as it arrived | `data` |
/// | `bad` | a frame the SSE parser refused (no bytes kept) | `reason` |
/// | `state` | a connection state change (live, retry, auth, stale, stopped…) | `state` |
/// | `latency` | SSE time to response headers, WebSocket ping round trip | `ms` |
/// | `error` | a stream's last error text | `message` |
/// | `jobs`, `campaigns` | what job and campaign discovery read over REST | `jobs`, `campaigns` |
/// | `restart` | the connections were replaced (a profile switch, a reload) | `tenants`, `profile`, `note` |
/// | `lost` | frames the recorder could not keep (the disk was slower than the stream) | `n` |
///
/// `data` is the frame's bytes themselves when they are one JSON object on one line (every
/// event that decoded), else `data_s` (a JSON string of them) or, for bytes that are not
/// UTF-8, `data_b64` (base64url, unpadded). So a replay hands the parser the same bytes the socket did, and
/// `replay --format jsonl` prints what `tail` printed, byte for byte.
public enum Recording {
    public static let version = 1
    static let magic = "realtime_dash_recording"

    /// The first line of a recording (and of each part after a rotation).
    public struct Header: Sendable, Equatable {
        public var version: Int
        public var program: String
        public var started: UTCInstant
        public var profile: String?
        public var tenants: [String]
        public var origin: String
        /// 1 for the first file; a rotation starts part 2, 3, …
        public var part: Int

        public init(
            version: Int = Recording.version, program: String, started: UTCInstant, profile: String?, tenants: [String],
            origin: String, part: Int = 1
        ) {
            self.version = version
            self.program = program
            self.started = started
            self.profile = profile
            self.tenants = tenants
            self.origin = origin
            self.part = part
        }

        /// The header as one line, with its newline.
        public var line: [UInt8] {
            var o = LineWriter()
            o.raw("{\"\(Recording.magic)\":")
            o.int(Int64(version))
            o.key("program")
            o.string(program)
            o.key("started")
            o.string(started.iso8601)
            o.key("started_us")
            o.int(started.microseconds)
            o.key("profile")
            if let profile { o.string(profile) } else { o.raw("null") }
            o.key("tenants")
            o.strings(tenants)
            o.key("origin")
            o.string(origin)
            o.key("part")
            o.int(Int64(part))
            o.raw("}\n")
            return o.bytes
        }
    }

    /// One line read back.
    public enum Line: Sendable {
        case header(Header)
        case frame(Frame)
        /// `count` frames were not recorded around `time`.
        case lost(time: UTCInstant, count: Int)
    }

    /// One recorded frame: when it arrived and what it was.
    public struct Frame: Sendable {
        public var time: UTCInstant
        public var body: Body
    }

    public enum Body: Sendable {
        case sse(tenant: String, endpoint: Endpoint, name: String, data: [UInt8])
        case webSocket(tenant: String, endpoint: Endpoint, text: [UInt8])
        case refused(tenant: String, endpoint: Endpoint, reason: String)
        case client(ClientEvent)
    }

    // MARK: - Writing

    /// Appends `event`, received at `time`, as one line. Returns false for what is not
    /// recorded: command outcomes and notices (what the operator did, not what the network said).
    @discardableResult
    public static func append(_ event: ClientEvent, at time: UTCInstant, to out: inout [UInt8]) -> Bool {
        var cache = HeadCache(LineHeads.none)
        return append(event, at: time, to: &out, cache: &cache)
    }

    /// Appends a read's frames, all received at `time`, as lines: the recorder's hot path (an
    /// event costs its time's digits, its stream's head, its type's and its bytes, the first
    /// three built once). Touches nothing shared but `heads`, which never changes: any number of
    /// event loops encode at once without a lock.
    ///
    /// - Returns: the frames appended (command outcomes and notices are not).
    @discardableResult
    public static func appendRead(
        _ events: inout [ClientEvent], at time: UTCInstant, heads: LineHeads, to out: inout [UInt8]
    ) -> Int {
        var cache = HeadCache(heads)
        var frames = 0
        // Each event is read where it is, never copied (a copy is a retain and a release of every
        // string and array in it, a third of the encoding): taken out of its place and put back
        // as it was, which a shared array would not allow (and an array this function is given
        // uniquely does without a copy of itself).
        events.withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices {
                let place = buffer.baseAddress! + i
                let event = place.move()
                if append(event, at: time, to: &out, cache: &cache) { frames += 1 }
                place.initialize(to: event)
            }
        }
        return frames
    }

    /// The parts of event lines that repeat, built once for a recording's streams: `,"tn":…,"ep":…,"k":…`
    /// for each tenant's fixed endpoints and `,"ev":"…","data":` for each known type. Never
    /// changed after it is made, so it is shared by every thread that encodes; a stream or a
    /// type it lacks (a job's socket, a type the client does not know) is built on the way.
    public struct LineHeads: Sendable {
        let streams: [String: [Endpoint: [UInt8]]]
        /// By type, looked through in order: two dozen comparisons of a tag cost less than
        /// hashing the type, and a read's type changes at most every few events.
        let types: [(type: EventType, head: [UInt8])]

        public init(tenants: [String]) {
            var streams: [String: [Endpoint: [UInt8]]] = [:]
            for tenant in tenants {
                var heads: [Endpoint: [UInt8]] = [:]
                for endpoint in Endpoint.defaultSSE + [.events, .wsSessions] {
                    heads[endpoint] = Self.head(tenant: tenant, endpoint: endpoint)
                }
                streams[tenant] = heads
            }
            self.streams = streams
            types = EventType.known.map { ($0, Self.typeHead($0, sse: true)) }
        }

        /// No stream known in advance: every read builds its heads (tests, single lines).
        static let none = LineHeads(tenants: [])

        static func head(tenant: String, endpoint: Endpoint) -> [UInt8] {
            var h = LineWriter()
            h.key("tn")
            h.string(tenant)
            h.key("ep")
            h.string(endpoint.name)
            h.key("k")
            h.string(endpoint.kind == .sse ? "sse" : "ws")
            return h.bytes
        }

        /// `,"ev":"…","data":` (SSE) or `,"data":` (a WebSocket frame has no event name).
        static func typeHead(_ type: EventType, sse: Bool) -> [UInt8] {
            var t = LineWriter()
            if sse {
                t.key("ev")
                t.string(type.rawValue)
            }
            t.key("data")
            return t.bytes
        }
    }

    /// What a read's event lines share: the time, and the stream and type of the last event
    /// (a read's events are one stream's, mostly of one type).
    struct HeadCache {
        let heads: LineHeads
        var tenant = ""
        var endpoint: Endpoint? = nil
        /// `,"tn":…,"ep":…,"k":…` of that stream.
        var head: [UInt8] = []
        var type: EventType? = nil
        /// `,"ev":"…","data":` of that type.
        var typeHead: [UInt8] = []
        /// `{"t":…` of the last time.
        var time: Int64 = 0
        var stamp: [UInt8] = []

        init(_ heads: LineHeads) { self.heads = heads }

        /// A new stream (the rare path, kept out of the per-event one so that the event is only
        /// read there, never copied).
        @inline(never)
        mutating func reset(tenant: String, endpoint: Endpoint) {
            head = heads.streams[tenant]?[endpoint] ?? LineHeads.head(tenant: tenant, endpoint: endpoint)
            self.tenant = tenant
            self.endpoint = endpoint
            type = nil
        }

        @inline(never)
        mutating func reset(type: EventType) {
            let sse = endpoint?.kind == .sse
            typeHead =
                sse
                ? heads.types.first { $0.type == type }?.head ?? LineHeads.typeHead(type, sse: true)
                : LineHeads.typeHead(type, sse: false)
            self.type = type
        }

        @inline(never)
        mutating func reset(time: Int64) {
            var t = LineWriter()
            t.raw("{\"t\":")
            t.int(time)
            stamp = t.bytes
            self.time = time
        }
    }

    /// One event, read where it is, as a line (see ``appendRead(_:at:heads:to:)``).
    static func append(
        _ event: borrowing ClientEvent, at time: UTCInstant, to out: inout [UInt8], cache: inout HeadCache
    ) -> Bool {
        switch event {
        case .event(let tenant, let endpoint, let e)
        where e.raw.first == 0x7B && e.raw.last == 0x7D && !LineWriter.hasLineBreak(e.raw):
            if cache.endpoint != endpoint || cache.tenant != tenant { cache.reset(tenant: tenant, endpoint: endpoint) }
            if cache.type != e.type { cache.reset(type: e.type) }
            // `{"t":` and the time's digits: the same for every event of a read.
            if cache.time != time.microseconds || cache.stamp.isEmpty { cache.reset(time: time.microseconds) }
            cache.stamp.withUnsafeBytes { out.append(contentsOf: $0) }
            cache.head.withUnsafeBytes { out.append(contentsOf: $0) }
            cache.typeHead.withUnsafeBytes { out.append(contentsOf: $0) }
            e.raw.withUnsafeBytes { out.append(contentsOf: $0) }
            out.append(0x7D)
            out.append(0x0A)
            return true
        default:
            break
        }
        let event = copy event
        var o = LineWriter(reusing: &out)
        defer { out = o.bytes }
        func head(_ tenant: String, _ endpoint: Endpoint?, _ kind: String) {
            o.raw("{\"t\":")
            o.int(time.microseconds)
            o.key("tn")
            o.string(tenant)
            if let endpoint {
                o.key("ep")
                o.string(endpoint.name)
            }
            o.key("k")
            o.string(kind)
        }
        switch event {
        case .event(let tenant, let endpoint, let e):
            head(tenant, endpoint, endpoint.kind == .sse ? "sse" : "ws")
            if endpoint.kind == .sse {
                o.key("ev")
                o.string(e.type.rawValue)
            }
            o.data(e.raw, decoded: true)
        case .malformed(let tenant, let endpoint, let reason, let raw):
            if raw.isEmpty {
                head(tenant, endpoint, "bad")
                o.key("reason")
                o.string(reason)
            } else {
                head(tenant, endpoint, endpoint.kind == .sse ? "sse" : "ws")
                if endpoint.kind == .sse {
                    o.key("ev")
                    o.string("message")
                }
                o.data(raw, decoded: false)
            }
        case .status(let tenant, let endpoint, let state):
            head(tenant, endpoint, "state")
            o.key("state")
            o.state(state)
        case .latency(let tenant, let endpoint, let ms):
            head(tenant, endpoint, "latency")
            o.key("ms")
            o.raw(ms.isFinite ? String(Double(Int64(ms * 1000)) / 1000) : "0")
        case .error(let tenant, let endpoint, let message):
            head(tenant, endpoint, "error")
            o.key("message")
            o.string(message)
        case .jobSnapshot(let tenant, let jobs):
            head(tenant, nil, "jobs")
            o.key("jobs")
            o.raw("[")
            for (i, j) in jobs.enumerated() {
                if i > 0 { o.raw(",") }
                o.job(j)
            }
            o.raw("]")
        case .campaigns(let tenant, let campaigns):
            head(tenant, nil, "campaigns")
            o.key("campaigns")
            o.raw("[")
            for (i, c) in campaigns.enumerated() {
                if i > 0 { o.raw(",") }
                o.raw("{\"id\":")
                o.string(c.id)
                o.key("name")
                o.string(c.name)
                o.key("is_active")
                o.raw(c.isActive ? "true" : "false")
                if let p = c.priority {
                    o.key("priority")
                    o.int(Int64(p))
                }
                o.raw("}")
            }
            o.raw("]")
        case .restarted(let r):
            o.raw("{\"t\":")
            o.int(time.microseconds)
            o.key("k")
            o.string("restart")
            o.key("tenants")
            o.strings(r.tenants)
            o.key("profile")
            if let p = r.profile { o.string(p) } else { o.raw("null") }
            o.key("origin")
            o.string(r.origin)
            o.key("read_only")
            o.raw(r.readOnly ? "true" : "false")
            o.key("note")
            o.string(r.note)
        case .command, .notice:
            return false
        }
        o.raw("}\n")
        return true
    }

    /// The marker line for `count` frames the recorder could not keep.
    public static func lostLine(_ count: Int, at time: UTCInstant) -> [UInt8] {
        Array("{\"t\":\(time.microseconds),\"k\":\"lost\",\"n\":\(count)}\n".utf8)
    }

    // MARK: - Reading

    /// Reads one line (without its newline).
    public static func decode(_ line: UnsafeRawBufferPointer) throws(RecordingError) -> Line {
        var s = JSONScanner(line)
        var fields = Fields()
        do {
            guard try s.beginObject() else { throw RecordingError("an empty object") }
            repeat {
                let key = s.keyString(try s.readKey())
                switch key {
                case "data":
                    let start = s.pos
                    try s.skipValue()
                    fields.data = Array(UnsafeRawBufferPointer(rebasing: line[start..<s.pos]))
                default:
                    fields.values[key] = try s.readValue()
                }
            } while try s.nextMember()
            try s.expectEnd()
        } catch let e as JSONError {
            throw RecordingError("not JSON (\(e.description))")
        } catch let e as RecordingError {
            throw e
        } catch {
            throw RecordingError("\(error)")
        }
        return try fields.line()
    }

    public static func decode(_ line: [UInt8]) throws(RecordingError) -> Line {
        do {
            return try line.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(RecordingError) -> Line in try decode(raw) }
        } catch let e as RecordingError {
            throw e
        } catch {
            throw RecordingError("\(error)")
        }
    }

    private struct Fields {
        var values: [String: JSONValue] = [:]
        var data: [UInt8]? = nil

        func string(_ k: String) throws(RecordingError) -> String {
            guard let s = values[k]?.stringValue else { throw RecordingError("no '\(k)'") }
            return s
        }

        func strings(_ k: String) -> [String] {
            guard case .array(let items)? = values[k] else { return [] }
            return items.compactMap(\.stringValue)
        }

        func int(_ k: String) throws(RecordingError) -> Int64 {
            guard case .number(let n)? = values[k], let v = Int64(n) else { throw RecordingError("no whole number '\(k)'") }
            return v
        }

        func line() throws(RecordingError) -> Line {
            if let v = values[Recording.magic] {
                guard case .number(let n) = v, let version = Int(n) else { throw RecordingError("a header without a version") }
                guard version == Recording.version else {
                    throw RecordingError(
                        "recording format version \(version); this realtime-dash reads version \(Recording.version)")
                }
                let tenants = strings("tenants")
                return .header(
                    Header(
                        version: version, program: values["program"]?.stringValue ?? "?",
                        started: UTCInstant(microseconds: (try? int("started_us")) ?? 0), profile: values["profile"]?.stringValue,
                        tenants: tenants, origin: values["origin"]?.stringValue ?? "", part: Int((try? int("part")) ?? 1)))
            }
            // From the epoch to the year 9999: anything else is not a time this program wrote.
            let t = try int("t")
            guard (0...253_402_300_799_999_999).contains(t) else { throw RecordingError("'t' is not a time (\(t))") }
            let time = UTCInstant(microseconds: t)
            let kind = try string("k")
            if kind == "lost" { return .lost(time: time, count: Int(try int("n"))) }
            if kind == "restart" {
                let tenants = strings("tenants")
                return .frame(
                    Frame(
                        time: time,
                        body: .client(
                            .restarted(
                                Restart(
                                    tenants: tenants, profile: values["profile"]?.stringValue,
                                    readOnly: values["read_only"] == .bool(true), origin: values["origin"]?.stringValue ?? "",
                                    note: values["note"]?.stringValue ?? "restarted")))))
            }
            let tenant = try string("tn")
            if kind == "jobs" || kind == "campaigns" {
                guard case .array(let items)? = values[kind] else { throw RecordingError("no '\(kind)' list") }
                if kind == "jobs" {
                    return .frame(
                        Frame(
                            time: time,
                            body: .client(.jobSnapshot(tenant: tenant, jobs: items.compactMap(JobSummary.init(json:))))))
                }
                return .frame(
                    Frame(
                        time: time,
                        body: .client(.campaigns(tenant: tenant, campaigns: items.compactMap(CampaignSummary.init(json:))))))
            }
            let endpoint: Endpoint
            do { endpoint = try Endpoint(name: try string("ep")) } catch let e as RecordingError { throw e } catch {
                throw RecordingError("\(error)")
            }
            switch kind {
            case "sse", "ws":
                let bytes = try payload()
                if kind == "sse" {
                    return .frame(
                        Frame(time: time, body: .sse(tenant: tenant, endpoint: endpoint, name: try string("ev"), data: bytes)))
                }
                return .frame(Frame(time: time, body: .webSocket(tenant: tenant, endpoint: endpoint, text: bytes)))
            case "bad":
                return .frame(Frame(time: time, body: .refused(tenant: tenant, endpoint: endpoint, reason: try string("reason"))))
            case "state":
                guard let v = values["state"], let state = Recording.state(v) else { throw RecordingError("an unknown 'state'") }
                return .frame(Frame(time: time, body: .client(.status(tenant: tenant, endpoint: endpoint, state: state))))
            case "latency":
                guard let ms = values["ms"]?.doubleValue else { throw RecordingError("no 'ms'") }
                return .frame(Frame(time: time, body: .client(.latency(tenant: tenant, endpoint: endpoint, milliseconds: ms))))
            case "error":
                return .frame(
                    Frame(time: time, body: .client(.error(tenant: tenant, endpoint: endpoint, message: try string("message")))))
            default:
                throw RecordingError("an unknown kind '\(kind)'")
            }
        }

        func payload() throws(RecordingError) -> [UInt8] {
            if let data { return data }
            if let s = values["data_s"]?.stringValue { return Array(s.utf8) }
            if let s = values["data_b64"]?.stringValue {
                guard let b = Base64URL.decode(s) else { throw RecordingError("'data_b64' is not base64") }
                return b
            }
            throw RecordingError("no 'data'")
        }
    }

    static func state(_ v: JSONValue) -> ConnectionState? {
        let at = v["at"]?.intValue.map { UTCInstant(microseconds: Int64($0)) }
        switch v["s"]?.stringValue {
        case "connecting": return .connecting(attempt: v["attempt"]?.intValue ?? 1)
        case "live": return .live
        case "stale": return .stale
        case "retry":
            return .backingOff(
                attempt: v["attempt"]?.intValue ?? 1, retryAt: at ?? UTCInstant(microseconds: 0),
                reason: v["reason"]?.stringValue ?? "")
        case "auth": return .authFailed(status: v["status"]?.intValue ?? 0, retryAt: at)
        case "gave_up": return .gaveUp(reason: v["reason"]?.stringValue ?? "")
        case "polled": return .polled(reason: v["reason"]?.stringValue ?? "")
        case "stopped":
            switch v["stop"]?.stringValue {
            case "no_content": return .stopped(reason: .noContent)
            case "job_finished": return .stopped(reason: .jobFinished)
            case "policy": return .stopped(reason: .policyViolation(reason: v["reason"]?.stringValue ?? ""))
            default: return nil
            }
        default: return nil
        }
    }
}

extension Recording.Frame {
    /// What the connections reported for this frame, through the same parsers a live stream
    /// uses: the SSE parser and event decoder, or the WebSocket frame classifier.
    public func clientEvents(into out: inout [ClientEvent], parser: inout SSEParser) {
        switch body {
        case .client(let e):
            out.append(e)
        case .refused(let tenant, let endpoint, let reason):
            out.append(.malformed(tenant: tenant, endpoint: endpoint, reason: reason, raw: []))
        case .webSocket(let tenant, let endpoint, let text):
            switch ServerFrame.parse(text) {
            case .event(.event(let event)): out.append(.event(tenant: tenant, endpoint: endpoint, event: event))
            case .event(.malformed(let m)), .malformed(let m):
                out.append(.malformed(tenant: tenant, endpoint: endpoint, reason: m.reason, raw: m.raw))
            default: break
            }
        case .sse(let tenant, let endpoint, let name, let data):
            // The frame as the wire had it: `event:`, one `data:` line per line, a blank line.
            var wire: [UInt8] = []
            wire.reserveCapacity(data.count + name.utf8.count + 20)
            wire.append(contentsOf: "event: ".utf8)
            wire.append(contentsOf: name.utf8)
            wire.append(0x0A)
            var start = 0
            repeat {
                let end = data[start...].firstIndex(of: 0x0A) ?? data.count
                wire.append(contentsOf: "data: ".utf8)
                wire.append(contentsOf: data[start..<end])
                wire.append(0x0A)
                start = end + 1
            } while start <= data.count
            wire.append(0x0A)
            wire.withUnsafeBytes { raw in
                parser.feed(raw) { output in
                    switch output {
                    case .event(let e):
                        switch EventDecoder.decode(e.data) {
                        case .event(let event): out.append(.event(tenant: tenant, endpoint: endpoint, event: event))
                        case .malformed(let m):
                            out.append(.malformed(tenant: tenant, endpoint: endpoint, reason: m.reason, raw: m.raw))
                        }
                    case .error(let error):
                        out.append(.malformed(tenant: tenant, endpoint: endpoint, reason: error.description, raw: []))
                    case .comment, .retry: break
                    }
                }
            }
        }
    }
}
