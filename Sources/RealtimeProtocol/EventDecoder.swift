/// Decodes event payloads (`bytes → Event`): the one function every caller goes through,
/// so the implementation can change without touching them.
///
/// A purpose-built reader over the raw UTF-8 bytes (no Foundation): one pass over the
/// object, each known field read straight into typed storage, unknown fields skipped (the raw
/// bytes keep them). A payload's text fields stay ranges of the raw bytes (``TextFields``),
/// made Strings when read; the tenant, numbers, timestamps and enumerations are read here.
/// It applies the tolerance rules of PROTOCOL.md §7:
///
/// - optional fields may be `null` or absent; required ones must be present and non-null;
/// - unknown fields are ignored; unknown event types decode to ``EventPayload/unknown(_:)``;
/// - timestamps in every form ``UTCInstant/parse(_:)`` accepts;
/// - identifiers (`job_id`, `alert_id`, …) may be strings or integers;
/// - integer fields accept integral numbers only, within Int64; float fields any number.
///
/// Anything else (invalid JSON, a wrong type, a missing required field, an integer out of
/// range) yields ``DecodedEvent/malformed(_:)`` with a reason naming the field. It never throws.
///
/// `realtime-dash bench parse decode-foundation` measures it with the SSE parser in front:
/// 1.9 to 2 million mixed events per second on one core of the development machine, where
/// Foundation's `JSONDecoder` decodes 230 to 250 thousand alert payloads alone (PERFORMANCE.md).
public enum EventDecoder {
    /// Decodes one event from its JSON bytes. `raw` of the result shares `bytes`' storage.
    public static func decode(_ bytes: [UInt8]) -> DecodedEvent {
        // The result is built where it is returned: an event is a few hundred bytes, and each
        // copy of it showed in the profile.
        bytes.withUnsafeBytes { (buf: UnsafeRawBufferPointer) -> DecodedEvent in
            do throws(DecodeFailure) {
                return .event(try decodeEvent(buf, raw: bytes))
            } catch {
                return .malformed(MalformedEvent(reason: error.reason, raw: bytes))
            }
        }
    }

    /// Decodes one event from text (tests and tools).
    public static func decode(_ text: String) -> DecodedEvent {
        decode(Array(text.utf8))
    }
}

struct DecodeFailure: Error {
    var reason: String
}

// MARK: - Fields

private enum Field: UInt8, CaseIterable {
    case eventType, tenantID, timestamp
    case onuSerial, subscriberID, status, signalDBm, previousStatus, oltID, ponPort
    case username, sessionID, nasIPAddress, framedIPAddress, bandwidthProfile, bytesIn, bytesOut, sessionTime, terminateCause
    case jobID, jobType, progressPercent, itemsTotal, itemsProcessed, itemsSucceeded, itemsFailed, currentItem, errorMessage
    case ticketID, ticketNumber, title, category, priority, assignedTo
    case alertID, alertType, severity, source, message, details
    case accountNumber, fullName, plan

    var name: String {
        switch self {
        case .eventType: "event_type"
        case .tenantID: "tenant_id"
        case .timestamp: "timestamp"
        case .onuSerial: "onu_serial"
        case .subscriberID: "subscriber_id"
        case .status: "status"
        case .signalDBm: "signal_dbm"
        case .previousStatus: "previous_status"
        case .oltID: "olt_id"
        case .ponPort: "pon_port"
        case .username: "username"
        case .sessionID: "session_id"
        case .nasIPAddress: "nas_ip_address"
        case .framedIPAddress: "framed_ip_address"
        case .bandwidthProfile: "bandwidth_profile"
        case .bytesIn: "bytes_in"
        case .bytesOut: "bytes_out"
        case .sessionTime: "session_time"
        case .terminateCause: "terminate_cause"
        case .jobID: "job_id"
        case .jobType: "job_type"
        case .progressPercent: "progress_percent"
        case .itemsTotal: "items_total"
        case .itemsProcessed: "items_processed"
        case .itemsSucceeded: "items_succeeded"
        case .itemsFailed: "items_failed"
        case .currentItem: "current_item"
        case .errorMessage: "error_message"
        case .ticketID: "ticket_id"
        case .ticketNumber: "ticket_number"
        case .title: "title"
        case .category: "category"
        case .priority: "priority"
        case .assignedTo: "assigned_to"
        case .alertID: "alert_id"
        case .alertType: "alert_type"
        case .severity: "severity"
        case .source: "source"
        case .message: "message"
        case .details: "details"
        case .accountNumber: "account_number"
        case .fullName: "full_name"
        case .plan: "plan"
        }
    }

    enum Kind { case string, identifier, integer, number, json, timestamp }

    var kind: Kind {
        switch self {
        case .timestamp: .timestamp
        case .subscriberID, .oltID, .sessionID, .jobID, .ticketID, .ticketNumber, .assignedTo, .alertID, .accountNumber:
            .identifier
        case .signalDBm, .progressPercent: .number
        case .ponPort, .bytesIn, .bytesOut, .sessionTime, .itemsTotal, .itemsProcessed, .itemsSucceeded, .itemsFailed: .integer
        case .details: .json
        default: .string
        }
    }

    /// Where an integer or number field's value is kept once read (each kind has its own lanes).
    var numberSlot: Int {
        switch self {
        case .ponPort, .signalDBm: 0
        case .bytesIn, .progressPercent: 1
        case .bytesOut: 2
        case .sessionTime: 3
        case .itemsTotal: 4
        case .itemsProcessed: 5
        case .itemsSucceeded: 6
        case .itemsFailed: 7
        default: -1
        }
    }

    static let table = NameTable(Field.allCases.map(\.name))

    @inline(__always)
    static func lookup(_ key: UnsafeRawBufferPointer) -> Field? {
        table.find(key).flatMap { Field(rawValue: UInt8($0)) }
    }
}

/// The order the backend writes each family's keys in (EventEncoder writes the same): the
/// decoder first checks whether the next key is the one this order predicts (one comparison,
/// no scan for the closing quote, no hash), and looks it up by hash only when it is not. Any
/// order decodes; this one is just faster.
private enum WireOrder {
    static let common: [Field] = [.eventType, .tenantID, .timestamp]
    /// Indexed by ``EventFamily/allCases`` order.
    static let byFamily: [[Field]] = EventFamily.allCases.map { family in
        common
            + {
                switch family {
                case .onu: [.onuSerial, .subscriberID, .status, .signalDBm, .previousStatus, .oltID, .ponPort]
                case .session:
                    [
                        .username, .sessionID, .nasIPAddress, .framedIPAddress, .subscriberID, .bandwidthProfile, .bytesIn,
                        .bytesOut, .sessionTime, .terminateCause,
                    ]
                case .job:
                    [
                        .jobID, .jobType, .status, .progressPercent, .itemsTotal, .itemsProcessed, .itemsSucceeded,
                        .itemsFailed, .currentItem, .errorMessage,
                    ]
                case .ticket: [.ticketID, .ticketNumber, .title, .category, .priority, .status, .assignedTo, .subscriberID]
                case .alert: [.alertID, .alertType, .severity, .source, .message, .details]
                case .subscriber: [.subscriberID, .accountNumber, .fullName, .status, .plan, .onuSerial]
                }
            }()
    }
}

/// Each family's text fields, in the order of its payload's ``TextFields`` (its `init`'s order).
private enum TextOrder {
    static let onu: [Field] = [.onuSerial, .subscriberID, .oltID]
    static let session: [Field] = [
        .username, .sessionID, .nasIPAddress, .framedIPAddress, .subscriberID, .bandwidthProfile, .terminateCause,
    ]
    static let job: [Field] = [.jobID, .jobType, .currentItem, .errorMessage]
    static let ticket: [Field] = [.ticketID, .ticketNumber, .title, .category, .priority, .status, .assignedTo, .subscriberID]
    static let alert: [Field] = [.alertID, .alertType, .source, .message]
    static let subscriber: [Field] = [.subscriberID, .accountNumber, .fullName, .status, .plan, .onuSerial]
}

/// Each family's required fields, in the order a missing one is reported.
private enum RequiredOrder {
    static let onu: [Field] = [.onuSerial, .status]
    static let session: [Field] = [.username, .sessionID, .nasIPAddress]
    static let job: [Field] = [.jobID, .jobType, .status]
    static let ticket: [Field] = [.ticketID, .ticketNumber, .title, .category, .priority, .status]
    static let alert: [Field] = [.alertID, .alertType, .severity, .source, .message]
    static let subscriber: [Field] = [.subscriberID, .accountNumber, .fullName, .status]
}

/// Where each known field's value lies in the buffer, found in one pass and type-checked
/// then; values are materialised only when the payload is built. Two SIMD vectors: no heap.
private struct FieldBag {
    /// Value start offset per field, or -1 when absent or null.
    var start = SIMD64<Int32>(repeating: -1)
    var end = SIMD64<Int32>(repeating: 0)
    /// Fields whose value is a string without escapes: read back straight from the bytes.
    var plain: UInt64 = 0
    /// Integer and number values as read (by ``Field/numberSlot``): checked once, not parsed again.
    var integers = SIMD8<Int64>(repeating: 0)
    var numbers = SIMD2<Double>(repeating: 0)
}

/// Reads typed values back out of a ``FieldBag``, in place: a bag is 600 bytes, and a copy of it
/// per reader cost `bench parse` about 5 % (1.45M against 1.52M events/s, side by side).
private struct FieldReader {
    let buf: UnsafeRawBufferPointer
    let pointer: UnsafePointer<FieldBag>
    var bag: FieldBag { _read { yield pointer.pointee } }

    /// The bag's start and end vectors, as raw memory: a field's lane is loaded in place. (A lane
    /// read through `bag.start[i]` copied the whole 256-byte vector first: most of the text
    /// fields' cost in the profile.)
    private let starts: UnsafeRawPointer
    private let ends: UnsafeRawPointer

    init(buf: UnsafeRawBufferPointer, pointer: UnsafePointer<FieldBag>) {
        self.buf = buf
        self.pointer = pointer
        starts = UnsafeRawPointer(pointer) + MemoryLayout<FieldBag>.offset(of: \.start)!
        ends = UnsafeRawPointer(pointer) + MemoryLayout<FieldBag>.offset(of: \.end)!
    }

    @inline(__always) private func start(_ f: Field) -> Int {
        Int(starts.load(fromByteOffset: Int(f.rawValue) * 4, as: Int32.self))
    }
    @inline(__always) private func end(_ f: Field) -> Int {
        Int(ends.load(fromByteOffset: Int(f.rawValue) * 4, as: Int32.self))
    }
    @inline(__always) func has(_ f: Field) -> Bool { start(f) >= 0 }

    func string(_ f: Field) -> String? {
        let s = start(f)
        guard s >= 0 else { return nil }
        if bag.plain & (1 << UInt64(f.rawValue)) != 0 {
            return String(decoding: UnsafeRawBufferPointer(rebasing: buf[(s + 1)..<(end(f) - 1)]), as: UTF8.self)
        }
        var scanner = JSONScanner(buf)
        scanner.pos = s
        if buf[s] == 0x22 { return try? scanner.readString() }
        // An integer identifier: its text.
        return String(decoding: UnsafeRawBufferPointer(rebasing: buf[s..<end(f)]), as: UTF8.self)
    }

    func required(_ f: Field) throws(DecodeFailure) -> String {
        guard let s = string(f) else { throw DecodeFailure(reason: "missing required field '\(f.name)'") }
        return s
    }

    /// An open enumeration's value: a known one found from its bytes (no String made and
    /// compared), anything else kept as text.
    @inline(__always)
    func value<E: KnownByName>(_ f: Field, as: E.Type = E.self) -> E? {
        if let plain = plainStringBytes(f), let i = E.nameTable.find(plain) { return E.knownValues[i] }
        return string(f).map(E.init(rawValue:))
    }

    func required<E: KnownByName>(_ f: Field, as: E.Type = E.self) throws(DecodeFailure) -> E {
        guard let v = value(f, as: E.self) else { throw DecodeFailure(reason: "missing required field '\(f.name)'") }
        return v
    }

    /// Throws for the first of `fields` that is absent or null.
    func require(_ fields: [Field]) throws(DecodeFailure) {
        for f in fields where !has(f) { throw DecodeFailure(reason: "missing required field '\(f.name)'") }
    }

    /// A payload's text fields, `fields` in its ``TextFields`` order: ranges of `raw` (the
    /// bytes `buf` points at) when each is a string without escapes or an integer identifier
    /// (its digits), else the payload's own buffer of their decoded text.
    func text<Spans: SIMD & Sendable>(_ fields: [Field], raw: [UInt8]) -> TextFields<Spans> where Spans.Scalar == UInt64 {
        precondition(fields.count <= Spans.scalarCount, "more text fields than the payload keeps")
        var spans = Spans(repeating: TextFields<Spans>.absent)
        let plain = bag.plain
        // Written through memory: setting a lane of the vector in a loop stored and reloaded it
        // whole each time.
        let escaped = withUnsafeMutableBytes(of: &spans) { out -> Bool in
            for i in fields.indices {
                let f = fields[i]
                let s = start(f)
                guard s >= 0 else { continue }
                let e = end(f)
                let span: UInt64
                if plain & (1 << UInt64(f.rawValue)) != 0 {
                    span = TextFields<Spans>.span(start: s + 1, count: e - s - 2)
                } else if buf[s] != 0x22 {
                    span = TextFields<Spans>.span(start: s, count: e - s)  // an integer identifier's digits
                } else {
                    return true
                }
                out.storeBytes(of: span, toByteOffset: i * 8, as: UInt64.self)
            }
            return false
        }
        if escaped { return TextFields(fields.map { string($0) }) }
        return TextFields(sharing: raw, spans: spans)
    }

    /// An integer field's value (read and checked when the field was).
    func integer(_ f: Field) -> Int64? {
        has(f) ? bag.integers[f.numberSlot] : nil
    }

    /// A number field's value (read and checked when the field was).
    func double(_ f: Field) -> Double? {
        has(f) ? bag.numbers[f.numberSlot] : nil
    }

    func json(_ f: Field) -> JSONValue? {
        let s = start(f)
        guard s >= 0 else { return nil }
        var scanner = JSONScanner(buf)
        scanner.pos = s
        return try? scanner.readValue(depth: 1)
    }

    /// The raw bytes between the quotes of a string value without escapes, else nil: the bag's
    /// `plain` mark, set when the value was read (not a second search for a backslash).
    func plainStringBytes(_ f: Field) -> UnsafeRawBufferPointer? {
        guard bag.plain & (1 << UInt64(f.rawValue)) != 0 else { return nil }
        let s = start(f), e = end(f)
        return UnsafeRawBufferPointer(rebasing: buf[(s + 1)..<(e - 1)])
    }
}

extension EventFamily {
    /// The position in ``allCases``.
    fileprivate var index: Int {
        switch self {
        case .onu: 0
        case .session: 1
        case .job: 2
        case .ticket: 3
        case .alert: 4
        case .subscriber: 5
        }
    }
}

/// An open enumeration whose documented values the decoder finds from bytes.
private protocol KnownByName: OpenEnumeration {
    static var knownValues: [Self] { get }
    static var nameTable: NameTable { get }
}

extension ONUStatus: KnownByName {
    fileprivate static let knownValues: [ONUStatus] = [.online, .offline, .rebooting, .degraded]
    fileprivate static let nameTable = NameTable(knownValues.map(\.rawValue))
}

extension JobStatus: KnownByName {
    fileprivate static let knownValues: [JobStatus] = [.pending, .running, .completed, .failed, .cancelled]
    fileprivate static let nameTable = NameTable(knownValues.map(\.rawValue))
}

extension AlertSeverity: KnownByName {
    fileprivate static let knownValues: [AlertSeverity] = [.info, .warning, .error, .critical]
    fileprivate static let nameTable = NameTable(knownValues.map(\.rawValue))
}

extension EventType {
    fileprivate static let table = NameTable(EventType.known.map(\.rawValue))

    fileprivate static func lookup(_ name: UnsafeRawBufferPointer) -> EventType? {
        table.find(name).map { EventType.known[$0] }
    }
}

// MARK: - Decoding

private func typeName(_ b: UInt8) -> String {
    switch b {
    case 0x22: "string"
    case 0x7B: "object"
    case 0x5B: "array"
    case 0x74, 0x66: "boolean"
    case 0x6E: "null"
    default: "number"
    }
}

private func decodeEvent(_ buf: UnsafeRawBufferPointer, raw: [UInt8]) throws(DecodeFailure) -> Event {
    var scanner = JSONScanner(buf)
    var bag = FieldBag()
    /// The event type, when read on the way (a plain `event_type` of a known type).
    var knownType: EventType? = nil
    do {
        if try scanner.peek() != 0x7B {
            throw DecodeFailure(reason: "expected a JSON object, found \(typeName(try scanner.peek()))")
        }
        if try scanner.beginObject() {
            let table = Field.table
            var expected = WireOrder.common
            var next = 0
            repeat {
                let field: Field?
                if next < expected.count, try scanner.peek() == 0x22,
                    let n = table.matches(Int(expected[next].rawValue), in: buf, at: scanner.pos + 1)
                {
                    // The key the backend's order predicts.
                    field = expected[next]
                    next += 1
                    scanner.pos += n + 2
                    try scanner.expect(0x3A)
                } else {
                    let key = try scanner.readKey()
                    switch key {
                    case .raw(let s, let e): field = Field.lookup(UnsafeRawBufferPointer(rebasing: buf[s..<e]))
                    case .decoded(let b): field = b.withUnsafeBytes { Field.lookup($0) }
                    }
                }
                guard let field else {
                    try scanner.skipValue(depth: 1)
                    continue
                }
                try read(field, from: &scanner, into: &bag)
                if field == .eventType {
                    // Known now: the rest of the keys are predicted in its family's order.
                    knownType = withUnsafePointer(to: &bag) {
                        FieldReader(buf: buf, pointer: $0).plainStringBytes(.eventType).flatMap(EventType.lookup)
                    }
                    if let family = knownType?.family { expected = WireOrder.byFamily[family.index] }
                }
            } while try scanner.nextMember()
        }
        try scanner.expectEnd()
    } catch let error as JSONError {
        throw DecodeFailure(reason: error.description)
    } catch let error as DecodeFailure {
        throw error
    } catch {
        throw DecodeFailure(reason: "\(error)")
    }

    return try withUnsafePointer(to: &bag) { (pointer) throws(DecodeFailure) -> Event in
        try makeEvent(FieldReader(buf: buf, pointer: pointer), knownType: knownType, raw: raw)
    }
}

/// The event from the fields found in `buf`.
private func makeEvent(_ bag_: FieldReader, knownType: EventType?, raw: [UInt8]) throws(DecodeFailure) -> Event {
    let buf = bag_.buf
    let type: EventType
    if let knownType {
        type = knownType  // read with the last event_type key
    } else if let plain = bag_.plainStringBytes(.eventType), let known = EventType.lookup(plain) {
        type = known
    } else {
        type = EventType(rawValue: try bag_.required(.eventType))
    }
    let tenant = try bag_.required(.tenantID)
    guard bag_.has(.timestamp) else { throw DecodeFailure(reason: "missing required field 'timestamp'") }
    let parsedTime: UTCInstant?
    if let plain = bag_.plainStringBytes(.timestamp) {
        parsedTime = UTCInstant.parse(plain)
    } else if var text = bag_.string(.timestamp) {
        parsedTime = text.withUTF8 { UTCInstant.parse(UnsafeRawBufferPointer($0)) }
    } else {
        parsedTime = nil
    }
    guard let timestamp = parsedTime else { throw DecodeFailure(reason: "field 'timestamp': not an ISO-8601 UTC time") }
    let payload: EventPayload
    switch type.family {
    case .onu:
        try bag_.require(RequiredOrder.onu)
        payload = .onu(
            ONUEvent(
                text: bag_.text(TextOrder.onu, raw: raw),
                status: try bag_.required(.status, as: ONUStatus.self),
                signalDBm: bag_.double(.signalDBm),
                previousStatus: bag_.value(.previousStatus, as: ONUStatus.self),
                ponPort: bag_.integer(.ponPort).map { Int($0) }))
    case .session:
        try bag_.require(RequiredOrder.session)
        payload = .session(
            SessionEvent(
                text: bag_.text(TextOrder.session, raw: raw),
                bytesIn: bag_.integer(.bytesIn),
                bytesOut: bag_.integer(.bytesOut),
                sessionTime: bag_.integer(.sessionTime)))
    case .job:
        try bag_.require(RequiredOrder.job)
        payload = .job(
            JobEvent(
                text: bag_.text(TextOrder.job, raw: raw),
                status: try bag_.required(.status, as: JobStatus.self),
                progressPercent: bag_.double(.progressPercent),
                itemsTotal: bag_.integer(.itemsTotal),
                itemsProcessed: bag_.integer(.itemsProcessed),
                itemsSucceeded: bag_.integer(.itemsSucceeded),
                itemsFailed: bag_.integer(.itemsFailed)))
    case .ticket:
        try bag_.require(RequiredOrder.ticket)
        payload = .ticket(TicketEvent(text: bag_.text(TextOrder.ticket, raw: raw)))
    case .alert:
        try bag_.require(RequiredOrder.alert)
        payload = .alert(
            AlertEvent(
                text: bag_.text(TextOrder.alert, raw: raw),
                severity: try bag_.required(.severity, as: AlertSeverity.self),
                details: bag_.json(.details)))
    case .subscriber:
        try bag_.require(RequiredOrder.subscriber)
        payload = .subscriber(SubscriberEvent(text: bag_.text(TextOrder.subscriber, raw: raw)))
    case nil:
        // Unknown type: keep the whole object for display. It parsed once already.
        var again = JSONScanner(buf)
        let whole = (try? again.readValue()) ?? .null
        payload = .unknown(whole)
    }
    return Event(type: type, tenantID: tenant, timestamp: timestamp, payload: payload, raw: raw)
}

extension JSONScanner {
    /// At a string: when it has no escape, moves past it and marks `field` plain in `bag`;
    /// otherwise stays put (the caller's full skip validates the escapes).
    @inline(__always)
    fileprivate mutating func skipString(markingPlain field: Field, in bag: inout FieldBag) {
        let i = nextQuoteOrBackslash(buf, from: pos + 1)
        guard i < buf.count, buf[i] == 0x22 else { return }
        pos = i + 1
        bag.plain |= 1 << UInt64(field.rawValue)
    }
}

/// Type-checks one known field's value and records where it lies; `null` counts as absent.
private func read(_ field: Field, from scanner: inout JSONScanner, into bag: inout FieldBag) throws -> Void {
    let index = Int(field.rawValue)
    bag.plain &= ~(1 << UInt64(index))  // a repeated key: the last value decides
    if try scanner.consumeNull() {
        bag.start[index] = -1
        return
    }
    let next = try scanner.peek()
    let valueStart = scanner.pos
    func wrongType(_ expected: String) -> DecodeFailure {
        DecodeFailure(reason: "field '\(field.name)': expected \(expected), found \(typeName(next))")
    }
    let isNumberStart = next == 0x2D || (next >= 0x30 && next <= 0x39)
    switch field.kind {
    case .string, .timestamp:
        guard next == 0x22 else { throw wrongType("a string") }
        scanner.skipString(markingPlain: field, in: &bag)
        if scanner.pos == valueStart { try scanner.skipValue(depth: 1) }
    case .identifier:
        if next == 0x22 {
            scanner.skipString(markingPlain: field, in: &bag)
            if scanner.pos == valueStart { try scanner.skipValue(depth: 1) }
        } else if isNumberStart {
            let token = try scanner.readNumber()
            guard token.isInteger, scanner.int64(token) != nil else {
                throw DecodeFailure(
                    reason:
                        "field '\(field.name)': expected a string or an integer identifier, found \(scanner.numberText(token))")
            }
        } else {
            throw wrongType("a string")
        }
    case .integer:
        guard isNumberStart else { throw wrongType("an integer") }
        let token = try scanner.readNumber()
        guard let value = scanner.int64(token) else {
            throw DecodeFailure(reason: "field '\(field.name)': \(scanner.numberText(token)) is not an integer within 64 bits")
        }
        precondition(field.numberSlot >= 0, "integer field \(field.name) has no slot")
        bag.integers[field.numberSlot] = value
    case .number:
        guard isNumberStart else { throw wrongType("a number") }
        let token = try scanner.readNumber()
        guard let value = scanner.double(token) else {
            throw DecodeFailure(reason: "field '\(field.name)': \(scanner.numberText(token)) is out of range")
        }
        precondition(field.numberSlot >= 0, "number field \(field.name) has no slot")
        bag.numbers[field.numberSlot] = value
    case .json:
        try scanner.skipValue(depth: 1)
    }
    bag.start[index] = Int32(truncatingIfNeeded: valueStart)
    bag.end[index] = Int32(truncatingIfNeeded: scanner.pos)
}
