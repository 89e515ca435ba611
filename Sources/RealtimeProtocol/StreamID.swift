/// One stream: tenant × endpoint. The one name for it in every target (the client's streams,
/// the console's connection table).
public struct StreamID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var tenant: String
    public var endpoint: Endpoint

    public init(_ tenant: String, _ endpoint: Endpoint) {
        self.tenant = tenant
        self.endpoint = endpoint
    }

    public init(tenant: String, endpoint: Endpoint) { self.init(tenant, endpoint) }

    /// By endpoint, then tenant: the order of the connections panel.
    public static func < (a: StreamID, b: StreamID) -> Bool {
        a.endpoint != b.endpoint ? a.endpoint < b.endpoint : a.tenant < b.tenant
    }

    public var description: String { "\(tenant) \(endpoint)" }
}

/// The entity an event is about (a session, job, ONU, alert, ticket or subscriber of a tenant),
/// or a stream's latency report: what the inbox coalesces by when the console falls behind.
public struct EntityKey: Hashable, Sendable {
    public enum Kind: UInt8, Sendable { case session, job, onu, alert, ticket, subscriber, latency }
    public var kind: Kind
    public var tenant: String
    public var id: String

    public init(kind: Kind, tenant: String, id: String) {
        self.kind = kind
        self.tenant = tenant
        self.id = id
    }

    /// The entity `event` of `tenant` updates; nil for an event of unknown type.
    public init?(tenant: String, event: Event) {
        switch event.payload {
        case .session(let s): self.init(kind: .session, tenant: tenant, id: s.sessionID)
        case .job(let j): self.init(kind: .job, tenant: tenant, id: j.jobID)
        case .onu(let o): self.init(kind: .onu, tenant: tenant, id: o.onuSerial)
        case .alert(let a): self.init(kind: .alert, tenant: tenant, id: a.alertID)
        case .ticket(let t): self.init(kind: .ticket, tenant: tenant, id: t.ticketID)
        case .subscriber(let s): self.init(kind: .subscriber, tenant: tenant, id: s.subscriberID)
        case .unknown: return nil
        }
    }

    public static func alert(_ tenant: String, _ id: String) -> EntityKey { EntityKey(kind: .alert, tenant: tenant, id: id) }
    /// A job or a campaign (their ids do not collide: campaigns are UUIDs).
    public static func job(_ tenant: String, _ id: String) -> EntityKey { EntityKey(kind: .job, tenant: tenant, id: id) }
    public static func session(_ tenant: String, _ id: String) -> EntityKey { EntityKey(kind: .session, tenant: tenant, id: id) }
    public static func onu(_ tenant: String, _ serial: String) -> EntityKey { EntityKey(kind: .onu, tenant: tenant, id: serial) }

    /// The id alone: it tells entities apart almost always (a tenant's or a kind's twin is found
    /// by `==`), and a storm or a session update hashes one String per lookup instead of two and
    /// a byte.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
