import Foundation
import RealtimeProtocol

/// `tail --format text`: one readable line per event, control characters made visible.
public enum TextLine {
    public static func format(tenant: String, event: Event) -> String {
        let t = event.timestamp.timeOfDay
        let detail: String
        switch event.payload {
        case .onu(let o):
            detail =
                "\(o.onuSerial) \(o.status)" + (o.signalDBm.map { String(format: " %.1f dBm", $0) } ?? "")
                + (o.oltID.map { " \($0)" } ?? "") + (o.ponPort.map { "/\($0)" } ?? "")
        case .session(let s):
            detail =
                "\(s.username) \(s.sessionID) \(s.framedIPAddress ?? "-") in=\(s.bytesIn.map(String.init) ?? "-") out=\(s.bytesOut.map(String.init) ?? "-")"
                + (s.terminateCause.map { " cause=\($0)" } ?? "")
        case .job(let j):
            detail = "\(j.jobID) \(j.jobType) \(j.status)" + (j.progressPercent.map { String(format: " %.1f%%", $0) } ?? "")
        case .ticket(let k):
            detail = "\(k.ticketNumber) [\(k.priority)] \(k.status) \(k.title)"
        case .alert(let a):
            detail = "\(a.severity.rawValue.uppercased()) \(a.source) \(a.alertType): \(a.message)"
        case .subscriber(let s):
            detail = "\(s.accountNumber) \(s.fullName) \(s.status)"
        case .unknown:
            detail = event.rawText
        }
        return sanitize("\(t) \(tenant) \(event.type.rawValue) \(detail)")
    }

    /// C0/C1 controls and bidi overrides become visible escapes; nothing raw reaches a terminal.
    public static func sanitize(_ s: String) -> String {
        TerminalSafety.replacingUnsafe(s) { "\\u{\(String($0.value, radix: 16))}" }
    }
}
