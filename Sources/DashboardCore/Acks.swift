import Foundation
import RealtimeProtocol

/// What can be acknowledged: an alert group (tenant × type × source) or an outage (tenant × OLT
/// × PON). Local to this console: the backend has no acknowledgement API.
public struct AckTarget: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tenant: String
    /// An alert group.
    public var type: String?
    public var source: String?
    /// An outage.
    public var olt: String?
    public var pon: Int?

    public init(_ g: AlertGroupKey) {
        tenant = g.tenant
        type = g.type
        source = g.source
    }

    public init(_ s: OutageScope) {
        tenant = s.tenant
        olt = s.olt
        pon = s.pon
    }

    public var description: String {
        if let olt { return "outage \(pon.map { "\(olt)/\($0)" } ?? olt)" }
        return "\(type ?? "?") on \(source ?? "?")"
    }
}

/// An acknowledgement: who (the login user), when, a note, and when it lapses (nil: when the
/// item goes away).
public struct Ack: Sendable, Equatable, Codable {
    public var target: AckTarget
    public var who: String
    public var at: Int64
    public var note: String
    public var expires: Int64?

    public init(target: AckTarget, who: String, at: UTCInstant, note: String, expires: UTCInstant?) {
        self.target = target
        self.who = who
        self.at = at.microseconds
        self.note = note
        self.expires = expires?.microseconds
    }

    /// `ack bob 15:20 "crew on site"`
    public var label: String {
        "ack \(who) \(UTCInstant(microseconds: at).timeOfDay)" + (note.isEmpty ? "" : " \"\(note)\"")
    }
}

/// A silence: no bell and no flash for what it matches (a field left nil matches anything),
/// until it lapses.
public struct Silence: Sendable, Equatable, Codable {
    public var tenant: String?
    public var type: String?
    public var source: String?
    public var olt: String?
    public var pon: Int?
    public var who: String
    public var until: Int64

    public init(matching t: AckTarget, who: String, until: UTCInstant) {
        tenant = t.tenant
        type = t.type
        source = t.source
        olt = t.olt
        pon = t.pon
        self.who = who
        self.until = until.microseconds
    }

    /// Made for exactly this target (what `m` on its row toggles).
    public func isFor(_ t: AckTarget) -> Bool {
        tenant == t.tenant && type == t.type && source == t.source && olt == t.olt && pon == t.pon
    }

    func matches(tenant: String, type: String?, source: String?, olt: String?, pon: Int?) -> Bool {
        func ok<T: Equatable>(_ mine: T?, _ theirs: T?) -> Bool { mine == nil || mine == theirs }
        return ok(self.tenant, tenant) && ok(self.type, type) && ok(self.source, source) && ok(self.olt, olt)
            && ok(self.pon, pon)
    }
}

/// Every ack and silence, as kept in `acks.json`.
public struct AckBook: Sendable, Equatable, Codable {
    public var version = 1
    public var acks: [Ack] = []
    public var silences: [Silence] = []
    public init() {}

    public func ack(for t: AckTarget) -> Ack? { acks.first { $0.target == t } }

    /// Drops what has lapsed; whether anything did.
    public mutating func expire(now: UTCInstant) -> Bool {
        let before = (acks.count, silences.count)
        acks.removeAll { ($0.expires ?? .max) <= now.microseconds }
        silences.removeAll { $0.until <= now.microseconds }
        return before != (acks.count, silences.count)
    }

    public func silenced(tenant: String, type: String? = nil, source: String? = nil, olt: String? = nil, pon: Int? = nil) -> Bool
    {
        silences.contains { $0.matches(tenant: tenant, type: type, source: source, olt: olt, pon: pon) }
    }

    /// What a console starting with this book says first, so nobody wonders why a row is already
    /// marked: `kept from earlier: 1 acknowledgement (outage olt-03/11 by nightshift), 1 silence
    /// (local to this console)`; nil when it is empty.
    public var keptSummary: String? {
        guard !acks.isEmpty || !silences.isEmpty else { return nil }
        var parts: [String] = []
        if !acks.isEmpty {
            let first = acks[0]
            let more = acks.count > 1 ? ", …" : ""
            parts.append(
                "\(acks.count) acknowledgement\(acks.count == 1 ? "" : "s") (\(first.target) by \(first.who)\(more))")
        }
        if !silences.isEmpty { parts.append("\(silences.count) silence\(silences.count == 1 ? "" : "s")") }
        return "kept from earlier: " + parts.joined(separator: ", ") + " (local to this console)"
    }
}

/// `crew on site for 4h` → the note `crew on site` and 4 hours; a note without `for N[mhd]` at
/// its end has no expiry.
public func parseAckNote(_ text: String) -> (note: String, seconds: Double?) {
    let words = text.split(separator: " ", omittingEmptySubsequences: true)
    guard words.count >= 2, words[words.count - 2] == "for", let last = words.last, let unit = last.last,
        let n = Double(last.dropLast()), n > 0
    else { return (text.trimmingCharacters(in: .whitespaces), nil) }
    let scale: Double
    switch unit {
    case "m": scale = 60
    case "h": scale = 3600
    case "d": scale = 86_400
    default: return (text.trimmingCharacters(in: .whitespaces), nil)
    }
    return (words.dropLast(2).joined(separator: " "), n * scale)
}
