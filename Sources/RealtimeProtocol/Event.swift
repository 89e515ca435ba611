/// One realtime event, decoded, with the bytes it came from.
///
/// `raw` is the event's JSON exactly as received (the SSE `data` or the WebSocket text
/// frame): the detail view and `tail --format jsonl` show it unchanged, unknown fields included.
/// A decoded payload's text fields are ranges of the same bytes (``TextFields``).
public struct Event: Sendable {
    public var type: EventType
    public var tenantID: String
    public var timestamp: UTCInstant
    public var payload: EventPayload
    public var raw: [UInt8]

    public init(type: EventType, tenantID: String, timestamp: UTCInstant, payload: EventPayload, raw: [UInt8]) {
        self.type = type
        self.tenantID = tenantID
        self.timestamp = timestamp
        self.payload = payload
        self.raw = raw
    }

    /// `raw` as text (invalid UTF-8 shown as U+FFFD).
    public var rawText: String { String(decoding: raw, as: UTF8.self) }
}

/// The typed body of an event, by family.
public enum EventPayload: Sendable, Equatable {
    case onu(ONUEvent)
    case session(SessionEvent)
    case job(JobEvent)
    case ticket(TicketEvent)
    case alert(AlertEvent)
    case subscriber(SubscriberEvent)
    /// An event of an unknown type: the whole JSON object, kept for display.
    case unknown(JSONValue)
}

/// The result of decoding one event payload: an event, or the reason it could not be one
/// (with its bytes, so nothing is lost). Decoding never throws out of a stream.
public enum DecodedEvent: Sendable {
    case event(Event)
    case malformed(MalformedEvent)

    public var event: Event? {
        if case .event(let e) = self { return e }
        return nil
    }
}

public struct MalformedEvent: Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var raw: [UInt8]
    public init(reason: String, raw: [UInt8]) {
        self.reason = reason
        self.raw = raw
    }
    public var description: String { "malformed event: \(reason)" }
}

// MARK: - Open enumerations

/// A value set the backend documents but may grow; unknown values are kept as text.
public protocol OpenEnumeration: Sendable, Hashable, CustomStringConvertible {
    init(rawValue: String)
    var rawValue: String { get }
}

extension OpenEnumeration {
    public var description: String { rawValue }
}

public enum ONUStatus: OpenEnumeration {
    case online, offline, rebooting, degraded
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "online": self = .online
        case "offline": self = .offline
        case "rebooting": self = .rebooting
        case "degraded": self = .degraded
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .online: "online"
        case .offline: "offline"
        case .rebooting: "rebooting"
        case .degraded: "degraded"
        case .other(let s): s
        }
    }
}

/// Job status. The current backend has no `paused`: a pause is shown as a command state.
public enum JobStatus: OpenEnumeration {
    case pending, running, completed, failed, cancelled
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "pending": self = .pending
        case "running": self = .running
        case "completed": self = .completed
        case "failed": self = .failed
        case "cancelled": self = .cancelled
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .completed: "completed"
        case .failed: "failed"
        case .cancelled: "cancelled"
        case .other(let s): s
        }
    }

    /// Completed, failed or cancelled: no further progress will come.
    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .cancelled: true
        default: false
        }
    }
}

public enum AlertSeverity: OpenEnumeration, Comparable {
    case info, warning, error, critical
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "info": self = .info
        case "warning": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        case .other(let s): s
        }
    }

    /// Higher is more severe; unknown severities rank just above info.
    public var rank: Int {
        switch self {
        case .info: 0
        case .other: 1
        case .warning: 2
        case .error: 3
        case .critical: 4
        }
    }

    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rank < b.rank }
}

// MARK: - Text fields

/// A payload's text fields, kept as byte ranges into one buffer and made a `String` only when
/// read.
///
/// A decoded payload shares its event's `raw` bytes: a field is the bytes between its JSON
/// string's quotes (or an integer identifier's digits), so decoding makes no String for a
/// field nobody reads (most fields of most events: a pane shows a window of them). A payload
/// built from Strings, decoded from a field with escapes, or with a field set since, owns one
/// compact buffer of its fields' text. Every read makes a new String: read a field once per
/// use, not once per comparison of a sort.
struct TextFields<Spans: SIMD & Sendable>: Sendable where Spans.Scalar == UInt64 {
    private(set) var bytes: [UInt8]
    /// Per field: start in the low 32 bits, length in the high 32, or ``absent``.
    private(set) var spans: Spans

    static var absent: UInt64 { .max }

    @inline(__always)
    static func span(start: Int, count: Int) -> UInt64 {
        // A count below UInt32.max: no span is ``absent``.
        precondition(start >= 0 && count >= 0 && start <= UInt32.max && count < UInt32.max, "text field out of range")
        return UInt64(start) | UInt64(count) << 32
    }

    /// Fields as ranges of `bytes` (the decoder's path).
    init(sharing bytes: [UInt8], spans: Spans) {
        self.bytes = bytes
        self.spans = spans
    }

    /// Fields from their values, in order (`nil`: absent), in one buffer of their text.
    init(_ values: [String?]) {
        bytes = []
        spans = Spans(repeating: Self.absent)
        bytes.reserveCapacity(values.reduce(0) { $0 + ($1?.utf8.count ?? 0) })
        for (i, value) in values.enumerated() { add(i, value) }
    }

    /// Field `i`, or nil when absent.
    @inline(__always)
    subscript(i: Int) -> String? {
        let span = spans[i]
        guard span != Self.absent else { return nil }
        let start = Int(truncatingIfNeeded: span & 0xFFFF_FFFF), count = Int(truncatingIfNeeded: span >> 32)
        return bytes.withUnsafeBytes {
            String(decoding: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)]), as: UTF8.self)
        }
    }

    /// A field every payload of its kind has (the decoder rejects a payload without it).
    @inline(__always)
    func required(_ i: Int) -> String { self[i] ?? "" }

    /// Fields from their values, in order (`nil`: absent), in one buffer of their text: a
    /// payload's `init`, without an array of the values (the demo backend makes one per event).
    init(
        _ a: String?, _ b: String?, _ c: String? = nil, _ d: String? = nil, _ e: String? = nil, _ f: String? = nil,
        _ g: String? = nil, _ h: String? = nil
    ) {
        bytes = []
        spans = Spans(repeating: Self.absent)
        func count(_ v: String?) -> Int { v?.utf8.count ?? 0 }
        bytes.reserveCapacity(count(a) + count(b) + count(c) + count(d) + count(e) + count(f) + count(g) + count(h))
        add(0, a)
        add(1, b)
        add(2, c)
        add(3, d)
        add(4, e)
        add(5, f)
        add(6, g)
        add(7, h)
    }

    private mutating func add(_ i: Int, _ value: String?) {
        guard let value else { return }
        precondition(i < Spans.scalarCount, "more text fields than the payload keeps")
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        spans[i] = Self.span(start: start, count: bytes.count - start)
    }

    /// Sets field `i`. The fields move to a compact buffer of their own text, made again: not a
    /// copy of the whole event a decoded payload shares, and no growth when one field is set
    /// over and over (setting is rare: tests, tools).
    mutating func set(_ i: Int, _ value: String?) {
        var values = (0..<Spans.scalarCount).map { self[$0] }
        values[i] = value
        self = TextFields(values)
    }
}

extension TextFields: CustomStringConvertible, CustomDebugStringConvertible {
    /// The fields as text (`nil` for absent ones), so a payload prints as its values, not as
    /// bytes and ranges.
    var description: String {
        // Every lane: a payload with fewer fields shows trailing nils.
        "[" + (0..<Spans.scalarCount).map { self[$0].map { String(reflecting: $0) } ?? "nil" }.joined(separator: ", ") + "]"
    }
    var debugDescription: String { description }
}

// MARK: - Family payloads (PROTOCOL.md §7; `?` fields are optionals)

// The text fields of each payload are ``TextFields`` in the order its `init` takes them; the
// decoder lists them in the same order (EventDecoder's `TextOrder`).

public struct ONUEvent: Sendable, Equatable {
    var text: TextFields<SIMD4<UInt64>>
    public var status: ONUStatus
    public var signalDBm: Double?
    public var previousStatus: ONUStatus?
    public var ponPort: Int?

    public var onuSerial: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var subscriberID: String? {
        get { text[1] }
        set { text.set(1, newValue) }
    }
    public var oltID: String? {
        get { text[2] }
        set { text.set(2, newValue) }
    }

    public init(
        onuSerial: String, subscriberID: String? = nil, status: ONUStatus, signalDBm: Double? = nil,
        previousStatus: ONUStatus? = nil, oltID: String? = nil, ponPort: Int? = nil
    ) {
        self.init(
            text: TextFields(onuSerial, subscriberID, oltID), status: status, signalDBm: signalDBm,
            previousStatus: previousStatus, ponPort: ponPort)
    }

    init(
        text: TextFields<SIMD4<UInt64>>, status: ONUStatus, signalDBm: Double?, previousStatus: ONUStatus?, ponPort: Int?
    ) {
        self.text = text
        self.status = status
        self.signalDBm = signalDBm
        self.previousStatus = previousStatus
        self.ponPort = ponPort
    }

    public static func == (a: ONUEvent, b: ONUEvent) -> Bool {
        a.onuSerial == b.onuSerial && a.subscriberID == b.subscriberID && a.status == b.status
            && a.signalDBm == b.signalDBm && a.previousStatus == b.previousStatus && a.oltID == b.oltID
            && a.ponPort == b.ponPort
    }
}

public struct SessionEvent: Sendable, Equatable {
    var text: TextFields<SIMD8<UInt64>>
    public var bytesIn: Int64?
    public var bytesOut: Int64?
    /// Seconds.
    public var sessionTime: Int64?

    public var username: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var sessionID: String {
        get { text.required(1) }
        set { text.set(1, newValue) }
    }
    public var nasIPAddress: String {
        get { text.required(2) }
        set { text.set(2, newValue) }
    }
    public var framedIPAddress: String? {
        get { text[3] }
        set { text.set(3, newValue) }
    }
    public var subscriberID: String? {
        get { text[4] }
        set { text.set(4, newValue) }
    }
    public var bandwidthProfile: String? {
        get { text[5] }
        set { text.set(5, newValue) }
    }
    public var terminateCause: String? {
        get { text[6] }
        set { text.set(6, newValue) }
    }

    public init(
        username: String, sessionID: String, nasIPAddress: String, framedIPAddress: String? = nil,
        subscriberID: String? = nil, bandwidthProfile: String? = nil, bytesIn: Int64? = nil,
        bytesOut: Int64? = nil, sessionTime: Int64? = nil, terminateCause: String? = nil
    ) {
        self.init(
            text: TextFields(
                username, sessionID, nasIPAddress, framedIPAddress, subscriberID, bandwidthProfile, terminateCause),
            bytesIn: bytesIn, bytesOut: bytesOut, sessionTime: sessionTime)
    }

    init(text: TextFields<SIMD8<UInt64>>, bytesIn: Int64?, bytesOut: Int64?, sessionTime: Int64?) {
        self.text = text
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.sessionTime = sessionTime
    }

    public static func == (a: SessionEvent, b: SessionEvent) -> Bool {
        a.username == b.username && a.sessionID == b.sessionID && a.nasIPAddress == b.nasIPAddress
            && a.framedIPAddress == b.framedIPAddress && a.subscriberID == b.subscriberID
            && a.bandwidthProfile == b.bandwidthProfile && a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut
            && a.sessionTime == b.sessionTime && a.terminateCause == b.terminateCause
    }
}

public struct JobEvent: Sendable, Equatable {
    var text: TextFields<SIMD4<UInt64>>
    public var status: JobStatus
    public var progressPercent: Double?
    public var itemsTotal: Int64?
    public var itemsProcessed: Int64?
    public var itemsSucceeded: Int64?
    public var itemsFailed: Int64?

    public var jobID: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var jobType: String {
        get { text.required(1) }
        set { text.set(1, newValue) }
    }
    public var currentItem: String? {
        get { text[2] }
        set { text.set(2, newValue) }
    }
    public var errorMessage: String? {
        get { text[3] }
        set { text.set(3, newValue) }
    }

    public init(
        jobID: String, jobType: String, status: JobStatus, progressPercent: Double? = nil,
        itemsTotal: Int64? = nil, itemsProcessed: Int64? = nil, itemsSucceeded: Int64? = nil,
        itemsFailed: Int64? = nil, currentItem: String? = nil, errorMessage: String? = nil
    ) {
        self.init(
            text: TextFields(jobID, jobType, currentItem, errorMessage), status: status,
            progressPercent: progressPercent, itemsTotal: itemsTotal, itemsProcessed: itemsProcessed,
            itemsSucceeded: itemsSucceeded, itemsFailed: itemsFailed)
    }

    init(
        text: TextFields<SIMD4<UInt64>>, status: JobStatus, progressPercent: Double?, itemsTotal: Int64?,
        itemsProcessed: Int64?, itemsSucceeded: Int64?, itemsFailed: Int64?
    ) {
        self.text = text
        self.status = status
        self.progressPercent = progressPercent
        self.itemsTotal = itemsTotal
        self.itemsProcessed = itemsProcessed
        self.itemsSucceeded = itemsSucceeded
        self.itemsFailed = itemsFailed
    }

    public static func == (a: JobEvent, b: JobEvent) -> Bool {
        a.jobID == b.jobID && a.jobType == b.jobType && a.status == b.status && a.progressPercent == b.progressPercent
            && a.itemsTotal == b.itemsTotal && a.itemsProcessed == b.itemsProcessed
            && a.itemsSucceeded == b.itemsSucceeded && a.itemsFailed == b.itemsFailed
            && a.currentItem == b.currentItem && a.errorMessage == b.errorMessage
    }
}

public struct TicketEvent: Sendable, Equatable {
    var text: TextFields<SIMD8<UInt64>>

    public var ticketID: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var ticketNumber: String {
        get { text.required(1) }
        set { text.set(1, newValue) }
    }
    public var title: String {
        get { text.required(2) }
        set { text.set(2, newValue) }
    }
    public var category: String {
        get { text.required(3) }
        set { text.set(3, newValue) }
    }
    /// Free text in the backend.
    public var priority: String {
        get { text.required(4) }
        set { text.set(4, newValue) }
    }
    /// Free text in the backend.
    public var status: String {
        get { text.required(5) }
        set { text.set(5, newValue) }
    }
    public var assignedTo: String? {
        get { text[6] }
        set { text.set(6, newValue) }
    }
    public var subscriberID: String? {
        get { text[7] }
        set { text.set(7, newValue) }
    }

    public init(
        ticketID: String, ticketNumber: String, title: String, category: String, priority: String,
        status: String, assignedTo: String? = nil, subscriberID: String? = nil
    ) {
        self.init(text: TextFields(ticketID, ticketNumber, title, category, priority, status, assignedTo, subscriberID))
    }

    init(text: TextFields<SIMD8<UInt64>>) {
        self.text = text
    }

    public static func == (a: TicketEvent, b: TicketEvent) -> Bool {
        a.ticketID == b.ticketID && a.ticketNumber == b.ticketNumber && a.title == b.title && a.category == b.category
            && a.priority == b.priority && a.status == b.status && a.assignedTo == b.assignedTo
            && a.subscriberID == b.subscriberID
    }
}

public struct AlertEvent: Sendable, Equatable {
    var text: TextFields<SIMD4<UInt64>>
    public var severity: AlertSeverity
    public var details: JSONValue?

    public var alertID: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var alertType: String {
        get { text.required(1) }
        set { text.set(1, newValue) }
    }
    public var source: String {
        get { text.required(2) }
        set { text.set(2, newValue) }
    }
    public var message: String {
        get { text.required(3) }
        set { text.set(3, newValue) }
    }

    public init(
        alertID: String, alertType: String, severity: AlertSeverity, source: String, message: String,
        details: JSONValue? = nil
    ) {
        self.init(text: TextFields(alertID, alertType, source, message), severity: severity, details: details)
    }

    init(text: TextFields<SIMD4<UInt64>>, severity: AlertSeverity, details: JSONValue?) {
        self.text = text
        self.severity = severity
        self.details = details
    }

    public static func == (a: AlertEvent, b: AlertEvent) -> Bool {
        a.alertID == b.alertID && a.alertType == b.alertType && a.severity == b.severity && a.source == b.source
            && a.message == b.message && a.details == b.details
    }
}

public struct SubscriberEvent: Sendable, Equatable {
    var text: TextFields<SIMD8<UInt64>>

    public var subscriberID: String {
        get { text.required(0) }
        set { text.set(0, newValue) }
    }
    public var accountNumber: String {
        get { text.required(1) }
        set { text.set(1, newValue) }
    }
    public var fullName: String {
        get { text.required(2) }
        set { text.set(2, newValue) }
    }
    /// Free text in the backend.
    public var status: String {
        get { text.required(3) }
        set { text.set(3, newValue) }
    }
    public var plan: String? {
        get { text[4] }
        set { text.set(4, newValue) }
    }
    public var onuSerial: String? {
        get { text[5] }
        set { text.set(5, newValue) }
    }

    public init(
        subscriberID: String, accountNumber: String, fullName: String, status: String,
        plan: String? = nil, onuSerial: String? = nil
    ) {
        self.init(text: TextFields(subscriberID, accountNumber, fullName, status, plan, onuSerial))
    }

    init(text: TextFields<SIMD8<UInt64>>) {
        self.text = text
    }

    public static func == (a: SubscriberEvent, b: SubscriberEvent) -> Bool {
        a.subscriberID == b.subscriberID && a.accountNumber == b.accountNumber && a.fullName == b.fullName
            && a.status == b.status && a.plan == b.plan && a.onuSerial == b.onuSerial
    }
}
