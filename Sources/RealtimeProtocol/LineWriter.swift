#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Builds a line's bytes.
struct LineWriter {
    var bytes: [UInt8]

    init() { bytes = [] }
    init(reusing out: inout [UInt8]) {
        bytes = out
        out = []
    }

    mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
    mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    mutating func key(_ k: StaticString) {
        raw(",\"")
        raw(k)
        raw("\":")
    }

    mutating func int(_ v: Int64) {
        guard v > 0 else {
            raw(String(v))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for any Int64
        var n = v
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[23 - count] = UInt8(truncatingIfNeeded: n % 10) + 0x30
                n /= 10
                count += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    mutating func string(_ s: String) { quoted(s.utf8) }

    mutating func strings(_ list: [String]) {
        raw("[")
        for (i, s) in list.enumerated() {
            if i > 0 { raw(",") }
            string(s)
        }
        raw("]")
    }

    /// A JSON string of `s`'s bytes (UTF-8: what is not goes as base64, see ``data(_:decoded:)``).
    mutating func quoted(_ s: String.UTF8View) {
        // Names and ids (tenants, endpoints, event types) need no escape: copied at once.
        if s.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0x7F }) {
            bytes.append(0x22)
            bytes.append(contentsOf: s)
            bytes.append(0x22)
            return
        }
        quotedBytes(s)
    }

    mutating func quotedBytes<S: Sequence<UInt8>>(_ s: S) {
        bytes.append(0x22)
        for b in s {
            switch b {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20, 0x7F:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(0x22)
    }

    /// The frame's bytes: as they are when they are one JSON object on one line and decoded
    /// (`decoded`), else as a string, else as base64url (`Base64URL`, shared with the JWT claims).
    mutating func data(_ raw: [UInt8], decoded: Bool) {
        if decoded, raw.first == 0x7B, raw.last == 0x7D, !Self.hasLineBreak(raw) {
            key("data")
            bytes.append(contentsOf: raw)
        } else if let text = String(validating: raw, as: UTF8.self) {
            key("data_s")
            quotedBytes(text.utf8)
        } else {
            key("data_b64")
            string(Base64URL.encode(raw))
        }
    }

    static func hasLineBreak(_ raw: [UInt8]) -> Bool {
        raw.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return false }
            return memchr(base, 0x0A, b.count) != nil || memchr(base, 0x0D, b.count) != nil
        }
    }

    mutating func state(_ s: ConnectionState) {
        raw("{\"s\":")
        switch s {
        case .connecting(let a):
            string("connecting")
            key("attempt")
            int(Int64(a))
        case .live: string("live")
        case .stale: string("stale")
        case .backingOff(let a, let at, let reason):
            string("retry")
            key("attempt")
            int(Int64(a))
            key("at")
            int(at.microseconds)
            key("reason")
            string(reason)
        case .authFailed(let status, let at):
            string("auth")
            key("status")
            int(Int64(status))
            if let at {
                key("at")
                int(at.microseconds)
            }
        case .gaveUp(let reason):
            string("gave_up")
            key("reason")
            string(reason)
        case .polled(let reason):
            string("polled")
            key("reason")
            string(reason)
        case .stopped(let reason):
            string("stopped")
            key("stop")
            switch reason {
            case .noContent: string("no_content")
            case .jobFinished: string("job_finished")
            case .policyViolation(let why):
                string("policy")
                key("reason")
                string(why)
            }
        }
        raw("}")
    }

    mutating func job(_ j: JobSummary) {
        raw("{\"id\":")
        string(j.id)
        key("job_type")
        string(j.jobType)
        key("status")
        string(j.status.rawValue)
        key("title")
        string(j.title)
        if let p = j.progressPercent, p.isFinite {
            key("progress_percent")
            raw(String(p))
        }
        for (k, v) in [
            ("items_total", j.itemsTotal), ("items_processed", j.itemsProcessed), ("items_succeeded", j.itemsSucceeded),
            ("items_failed", j.itemsFailed),
        ] {
            if let v {
                raw(",\"\(k)\":")
                int(v)
            }
        }
        if let c = j.currentItem {
            key("current_item")
            string(c)
        }
        if let e = j.errorMessage {
            key("error_message")
            string(e)
        }
        raw("}")
    }
}
