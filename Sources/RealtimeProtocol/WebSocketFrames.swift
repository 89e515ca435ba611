/// A command the client sends over a WebSocket (PROTOCOL.md §6). Nothing else may be sent:
/// the server closes the socket on any frame that is not a JSON object.
public enum ClientCommand: Sendable, Hashable, CustomStringConvertible {
    case ping
    case cancelJob, pauseJob, resumeJob
    case pauseCampaign, resumeCampaign, cancelCampaign
    case querySession(sessionID: String)

    /// The `type` value on the wire.
    public var type: String {
        switch self {
        case .ping: "ping"
        case .cancelJob: "cancel_job"
        case .pauseJob: "pause_job"
        case .resumeJob: "resume_job"
        case .pauseCampaign: "pause_campaign"
        case .resumeCampaign: "resume_campaign"
        case .cancelCampaign: "cancel_campaign"
        case .querySession: "query_session"
        }
    }

    /// The verb an operator reads: "cancel", "pause", "resume", "ping", "query".
    public var verb: String {
        switch self {
        case .ping: "ping"
        case .cancelJob, .cancelCampaign: "cancel"
        case .pauseJob, .pauseCampaign: "pause"
        case .resumeJob, .resumeCampaign: "resume"
        case .querySession: "query"
        }
    }

    /// The exact JSON text of the frame, e.g. `{"type":"cancel_job"}`.
    public var json: String {
        switch self {
        case .querySession(let id):
            return "{\"type\":\"query_session\",\"session_id\":\(JSONValue.quoted(id))}"
        default:
            return "{\"type\":\"\(type)\"}"
        }
    }

    /// The acknowledgement the server sends for this command, if it sends one.
    /// `resume_job` gets none from the current backend.
    public var expectedAck: AckKind? {
        switch self {
        case .cancelJob, .cancelCampaign: .cancelRequested
        case .pauseJob, .pauseCampaign: .pauseRequested
        case .resumeCampaign: .resumeRequested
        case .resumeJob: .resumeRequested
        case .ping, .querySession: nil
        }
    }

    /// Parses a client frame (the demo backend's side). Returns `nil` for an unknown `type`.
    public init?(json value: JSONValue) {
        guard let type = value["type"]?.stringValue else { return nil }
        switch type {
        case "ping": self = .ping
        case "cancel_job": self = .cancelJob
        case "pause_job": self = .pauseJob
        case "resume_job": self = .resumeJob
        case "pause_campaign": self = .pauseCampaign
        case "resume_campaign": self = .resumeCampaign
        case "cancel_campaign": self = .cancelCampaign
        case "query_session":
            guard let id = value["session_id"]?.stringValue else { return nil }
            self = .querySession(sessionID: id)
        default: return nil
        }
    }

    public var description: String { type }
}

/// The `*_requested` acknowledgements. An ack only means "queued".
public enum AckKind: String, Sendable, Hashable {
    case cancelRequested = "cancel_requested"
    case pauseRequested = "pause_requested"
    case resumeRequested = "resume_requested"
}

public struct CommandAck: Sendable, Equatable {
    public var kind: AckKind
    public var jobID: String?
    public var campaignID: String?
    public var tenantID: String?

    public init(kind: AckKind, jobID: String? = nil, campaignID: String? = nil, tenantID: String? = nil) {
        self.kind = kind
        self.jobID = jobID
        self.campaignID = campaignID
        self.tenantID = tenantID
    }

    /// The exact frame the backend sends.
    public var json: String {
        var s = "{\"type\":\"\(kind.rawValue)\""
        if let jobID { s += ",\"job_id\":\(JSONValue.quoted(jobID))" }
        if let campaignID { s += ",\"campaign_id\":\(JSONValue.quoted(campaignID))" }
        if let tenantID { s += ",\"tenant_id\":\(JSONValue.quoted(tenantID))" }
        return s + "}"
    }
}

/// `{"type":"error", …}` from the server: a rejected command or the rate limit.
public struct ServerError: Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// A machine-readable code, e.g. `rate_limit_exceeded`.
    public var error: String?
    /// Seconds to wait before sending commands again (rate limit).
    public var retryAfter: Int?

    public init(message: String, error: String? = nil, retryAfter: Int? = nil) {
        self.message = message
        self.error = error
        self.retryAfter = retryAfter
    }

    public var isRateLimit: Bool { error == "rate_limit_exceeded" }

    public var json: String {
        var s = "{\"type\":\"error\""
        if let error { s += ",\"error\":\(JSONValue.quoted(error))" }
        s += ",\"message\":\(JSONValue.quoted(message))"
        if let retryAfter { s += ",\"retry_after\":\(retryAfter)" }
        return s + "}"
    }

    public var description: String { message }
}

/// A frame received from the server on a WebSocket. A frame with a `type` key is a control
/// message; one with an `event_type` key is an event.
public enum ServerFrame: Sendable {
    case subscribed(channel: String, tenantID: String?)
    case pong
    case ack(CommandAck)
    case error(ServerError)
    case sessionInfo(JSONValue)
    case event(DecodedEvent)
    /// A control message of a type this client does not know (kept for the log).
    case unknownControl(type: String, raw: [UInt8])
    /// Not a JSON object, or neither `type` nor `event_type`.
    case malformed(MalformedEvent)

    /// Classifies a text frame. Events go through ``EventDecoder`` untouched.
    public static func parse(_ bytes: [UInt8]) -> ServerFrame {
        // Events (nearly every frame) go straight to the fast decoder, without building a tree;
        // control frames are small and are read as a tree. A frame that mentions "event_type" but
        // does not decode as an event falls through to the tree, which decides what it is.
        if mentionsEventType(bytes), case .event(let event) = EventDecoder.decode(bytes) {
            return .event(.event(event))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            return .malformed(MalformedEvent(reason: error.description, raw: bytes))
        }
        guard case .object = value else {
            return .malformed(MalformedEvent(reason: "a WebSocket frame must be a JSON object", raw: bytes))
        }
        if let type = value["type"]?.stringValue {
            switch type {
            case "subscribed":
                return .subscribed(channel: value["channel"]?.stringValue ?? "", tenantID: value["tenant_id"]?.stringValue)
            case "pong":
                return .pong
            case "cancel_requested", "pause_requested", "resume_requested":
                return .ack(
                    CommandAck(
                        kind: AckKind(rawValue: type)!,
                        jobID: identifier(value["job_id"]),
                        campaignID: identifier(value["campaign_id"]),
                        tenantID: value["tenant_id"]?.stringValue))
            case "error":
                return .error(
                    ServerError(
                        message: value["message"]?.stringValue ?? "error",
                        error: value["error"]?.stringValue,
                        retryAfter: value["retry_after"]?.intValue))
            case "session_info":
                return .sessionInfo(value)
            default:
                return .unknownControl(type: type, raw: bytes)
            }
        }
        if value["event_type"] != nil {
            return .event(EventDecoder.decode(bytes))
        }
        return .malformed(MalformedEvent(reason: "frame has neither 'type' nor 'event_type'", raw: bytes))
    }

    public static func parse(_ text: String) -> ServerFrame { parse(Array(text.utf8)) }

    private static let eventTypeKey = Array("\"event_type\"".utf8)

    static func mentionsEventType(_ bytes: [UInt8]) -> Bool { containsBytes(bytes, eventTypeKey) }

    private static func identifier(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s): s
        case .number(let n): n
        default: nil
        }
    }
}
