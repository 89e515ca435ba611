import RealtimeProtocol

/// What every frame needs of the alerts table, made once per value of the table instead of once
/// per pass per frame.
///
/// Cleared alerts are kept ten minutes (``AlertRow/clearedKeptFor``): at three alerts a second
/// that is some 1,800 rows, and the header's summary, the Alerts title's counts, the alerts folded
/// under outages (twice) and the Alerts pane's groups each read every one of them, ten frames a
/// second. The table changes a few times a second; the digest is made again only then. Its
/// passes read a few facts of each active alert (a few dozen), and the groups, each with its
/// figures made.
///
/// A table is named by a stamp (``AppState/alertsStamp``) drawn from a process-wide counter each
/// time it changes, so two states never share a stamp for different tables; the last digest is
/// kept, for the stamp it was made for.
struct AlertDigest: Sendable {
    /// A group's figures over the alerts it shows: its active ones when any is active, else its
    /// recently cleared ones.
    struct Figures: Sendable {
        var latest: AlertRow
        var count: Int
        var severity: AlertSeverity
        var firstSeen: UTCInstant
        var lastSeen: UTCInstant
        var isActive: Bool
        var unverified: Bool
        /// What the Alerts pane ranks groups by, as scalars (stored: read in place every frame).
        var ranking: (active: Bool, rank: Int, lastSeen: Int64, clearedAt: Int64) = (false, 0, 0, 0)

        /// Nil for no members.
        init?(_ members: [AlertRow]) {
            let active = members.filter(\.isActive)
            let shown = active.isEmpty ? members : active
            guard let latest = shown.max(by: { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) }),
                let severity = shown.max(by: { $0.severity.rank < $1.severity.rank })?.severity,
                let firstSeen = shown.map(\.raisedAt).min(), let lastSeen = shown.map(\.raisedAt).max()
            else { return nil }
            (self.latest, self.count, self.severity) = (latest, shown.count, severity)
            (self.firstSeen, self.lastSeen) = (firstSeen, lastSeen)
            isActive = !active.isEmpty
            unverified = active.contains { $0.unverified }
            ranking = (isActive, severity.rank, lastSeen.microseconds, (latest.clearedAt ?? lastSeen).microseconds)
        }
    }

    /// One tenant × type × source.
    struct Group: Sendable {
        var members: [AlertRow]
        /// The OLT of the group's source, if it names one: under an outage of that OLT, its
        /// active alerts are folded into the outage's row.
        var olt: String?
        var all: Figures
        /// Without the active members (what shows while they are folded under an outage).
        var clearedOnly: Figures?
    }

    /// Each active alert's tenant and severity (the Alerts title's counts).
    var activeSeverities: [(tenant: String, severity: AlertSeverity)] = []
    /// Each active alert whose source names an OLT: what may fold under an outage.
    var activeByOLT: [(tenant: String, olt: String, type: String)] = []
    /// Each group with active members: its OLT and their highest severity (the header's count).
    var activeGroups: [(key: AlertGroupKey, olt: String?, severity: AlertSeverity)] = []
    var groups: [(key: AlertGroupKey, group: Group)] = []

    init(_ alerts: [EntityKey: AlertRow]) {
        var members: [AlertGroupKey: [AlertRow]] = [:]
        for a in alerts.values {
            if a.isActive { activeSeverities.append((a.tenant, a.severity)) }
            members[a.group, default: []].append(a)
        }
        for (key, list) in members {
            guard let all = Figures(list) else { continue }
            let olt = oltOf(key.source)
            if all.isActive {
                activeGroups.append((key, olt, all.severity))
                if let olt { for a in list where a.isActive { activeByOLT.append((a.tenant, olt, a.type)) } }
            }
            groups.append((key, Group(members: list, olt: olt, all: all, clearedOnly: Figures(list.filter { !$0.isActive }))))
        }
    }

    /// The digest of `alerts`, whose stamp is `stamp`.
    static func of(_ alerts: [EntityKey: AlertRow], stamp: UInt64) -> AlertDigest {
        if let kept = last.withLock({ $0?.stamp == stamp ? $0?.digest : nil }) { return kept }
        let digest = AlertDigest(alerts)
        last.withLock { $0 = (stamp, digest) }
        return digest
    }

    /// A stamp no table had before (0 names the empty table every state starts with).
    static func nextStamp() -> UInt64 {
        counter.withLock {
            $0 += 1
            return $0
        }
    }

    private static let last = Locked<(stamp: UInt64, digest: AlertDigest)?>(nil)
    private static let counter = Locked<UInt64>(0)
}

extension AppState.Snapshot {
    /// The alerts' digest (made at most once per change of the table).
    var alertDigest: AlertDigest { AlertDigest.of(alerts, stamp: alertsStamp) }
}
