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
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
