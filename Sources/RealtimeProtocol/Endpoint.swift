/// One realtime endpoint of PROTOCOL.md §2.
///
/// Names, as used on the command line (`tail --endpoint`) and in the status bar:
/// `onu-status`, `alerts`, `tickets`, `subscribers`, `radius-sessions`, `events`,
/// `ws-sessions`, `job:<id>`, `campaign:<uuid>`.
public enum Endpoint: Sendable, Hashable, Comparable, CustomStringConvertible {
    case onuStatus, alerts, tickets, subscribers, radiusSessions
    /// The combined SSE stream (current release only).
    case events
    case wsSessions
    case job(String)
    case campaign(String)

    public enum Kind: Sendable { case sse, webSocket }

    /// The five per-family SSE streams: what the console and `tail` open by default.
    public static let defaultSSE: [Endpoint] = [.onuStatus, .alerts, .tickets, .subscribers, .radiusSessions]

    public var kind: Kind {
        switch self {
        case .onuStatus, .alerts, .tickets, .subscribers, .radiusSessions, .events: .sse
        case .wsSessions, .job, .campaign: .webSocket
        }
    }

    /// The path under the realtime base.
    public var path: String {
        switch self {
        case .onuStatus: "/onu-status"
        case .alerts: "/alerts"
        case .tickets: "/tickets"
        case .subscribers: "/subscribers"
        case .radiusSessions: "/radius-sessions"
        case .events: "/events"
        case .wsSessions: "/ws/sessions"
        case .job(let id): "/ws/jobs/\(percentEncodePathSegment(id))"
        case .campaign(let id): "/ws/campaigns/\(percentEncodePathSegment(id))"
        }
    }

    public var name: String {
        switch self {
        case .onuStatus: "onu-status"
        case .alerts: "alerts"
        case .tickets: "tickets"
        case .subscribers: "subscribers"
        case .radiusSessions: "radius-sessions"
        case .events: "events"
        case .wsSessions: "ws-sessions"
        case .job(let id): "job:\(id)"
        case .campaign(let id): "campaign:\(id)"
        }
    }

    /// The channel prefix the backend names in the `connected`/`subscribed` frame.
    public var channelPrefix: String {
        switch self {
        case .onuStatus: "onu_status"
        case .alerts: "alerts"
        case .tickets: "tickets"
        case .subscribers: "subscribers"
        case .radiusSessions, .wsSessions: "sessions"
        case .events: "events"
        case .job: "job"
        case .campaign: "campaign"
        }
    }

    /// The families this endpoint carries.
    public var families: Set<EventFamily> {
        switch self {
        case .onuStatus: [.onu]
        case .alerts: [.alert]
        case .tickets: [.ticket]
        case .subscribers: [.subscriber]
        case .radiusSessions, .wsSessions: [.session]
        case .events: [.onu, .alert, .ticket, .subscriber, .session]
        case .job: [.job]
        case .campaign: []
        }
    }

    /// Parses an endpoint name. Throws a sentence naming the valid choices.
    public init(name: String) throws(EndpointError) {
        switch name {
        case "onu-status": self = .onuStatus
        case "alerts": self = .alerts
        case "tickets": self = .tickets
        case "subscribers": self = .subscribers
        case "radius-sessions": self = .radiusSessions
        case "events": self = .events
        case "ws-sessions": self = .wsSessions
        default:
            if name.hasPrefix("job:") {
                let id = String(name.dropFirst(4))
                guard !id.isEmpty else { throw EndpointError("'job:' needs a job id, e.g. job:42") }
                self = .job(id)
            } else if name.hasPrefix("campaign:") {
                let id = String(name.dropFirst(9))
                guard isUUID(id) else { throw EndpointError("'\(name)': a campaign id must be a UUID") }
                self = .campaign(id)
            } else {
                throw EndpointError(
                    "unknown endpoint '\(name)'; choose from onu-status, alerts, tickets, subscribers, radius-sessions, events, ws-sessions, job:<id>, campaign:<uuid>"
                )
            }
        }
    }

    private var order: Int {
        switch self {
        case .onuStatus: 0
        case .alerts: 1
        case .tickets: 2
        case .subscribers: 3
        case .radiusSessions: 4
        case .events: 5
        case .wsSessions: 6
        case .job: 7
        case .campaign: 8
        }
    }

    public static func < (a: Endpoint, b: Endpoint) -> Bool {
        a.order != b.order ? a.order < b.order : a.name < b.name
    }

    public var description: String { name }
}

public struct EndpointError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// True when `s` is a UUID in the 8-4-4-4-12 hexadecimal form.
public func isUUID(_ s: String) -> Bool {
    let u = Array(s.utf8)
    guard u.count == 36 else { return false }
    for (i, c) in u.enumerated() {
        if i == 8 || i == 13 || i == 18 || i == 23 {
            if c != 0x2D { return false }
        } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) {
            return false
        }
    }
    return true
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
public func percentEncodePathSegment(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
            out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let hex = String(b, radix: 16, uppercase: true)
            out += "%" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
    return out
}

/// Where the backend's endpoints live: an origin and a REST base path, from which the
/// realtime base (`{REST}/realtime`) and every URL follow (PROTOCOL.md §1).
///
/// | release | REST base | realtime base |
/// |---|---|---|
/// | older | `/api/v1` | `/api/v1/realtime` |
/// | current ISP (default) | `/api/isp/v1` | `/api/isp/v1/realtime` |
/// | current platform | `/api/platform/v1` | `/api/platform/v1/realtime` |
public struct EndpointCatalogue: Sendable, Hashable {
    public static let defaultBasePath = "/api/isp/v1"

    /// `scheme://host[:port]`, no trailing slash.
    public let origin: String
    /// The REST base path: leading slash, no trailing slash.
    public let restBase: String

    /// - Throws: a sentence naming the bad value when the origin is not `http(s)://host[:port]`.
    public init(origin: String, basePath: String = EndpointCatalogue.defaultBasePath) throws(EndpointError) {
        var o = origin
        while o.hasSuffix("/") { o.removeLast() }
        guard o.hasPrefix("http://") || o.hasPrefix("https://") else {
            throw EndpointError("the API URL '\(origin)' must start with http:// or https://")
        }
        let rest = o.hasPrefix("https://") ? o.dropFirst(8) : o.dropFirst(7)
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("?"), !rest.contains("#") else {
            throw EndpointError(
                "the API URL '\(origin)' must be an origin like https://noc.example.net:8443 (put the path in --base-path)")
        }
        var b = basePath.trimmingSlashes()
        if !b.isEmpty { b = "/" + b }
        self.origin = o
        self.restBase = b
    }

    public var isTLS: Bool { origin.hasPrefix("https://") }

    public var realtimeBase: String { restBase + "/realtime" }

    /// The full URL of a realtime endpoint (`ws://`/`wss://` for WebSockets).
    public func url(for endpoint: Endpoint) -> String {
        switch endpoint.kind {
        case .sse: return origin + realtimeBase + endpoint.path
        case .webSocket: return webSocketOrigin + realtimeBase + endpoint.path
        }
    }

    /// A REST URL: `path` is under the REST base and may carry a query.
    public func restURL(_ path: String) -> String {
        origin + restBase + (path.hasPrefix("/") ? path : "/" + path)
    }

    public var webSocketOrigin: String {
        isTLS ? "wss://" + origin.dropFirst(8) : "ws://" + origin.dropFirst(7)
    }
}

extension String {
    fileprivate func trimmingSlashes() -> String {
        var s = Substring(self)
        while s.hasPrefix("/") { s.removeFirst() }
        while s.hasSuffix("/") { s.removeLast() }
        return String(s)
    }
}

extension Endpoint {
    /// A job's or a campaign's own socket.
    public var isJobOrCampaign: Bool {
        switch self {
        case .job, .campaign: true
        default: false
        }
    }
}
