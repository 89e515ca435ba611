import NIOCore
import RealtimeProtocol

/// How the firehose frames SSE events on the wire.
public enum FirehoseFraming: String, Sendable, CaseIterable {
    /// One HTTP chunk per event, as the real backend (uvicorn + sse-starlette) writes them; many
    /// chunks go to the socket in one write.
    case perEvent = "per-event"
    /// Events packed into 64 KiB chunks: friendlier to a client than any real backend is.
    case batched
}

/// Pre-rendered events written as fast as the socket takes them (benchmarks).
///
/// A thousand distinct payloads of the endpoint's family are rendered once, then cycled, so the
/// cost is the network's, not the renderer's. SSE frames go out one HTTP chunk per event by
/// default (``FirehoseFraming``), about 128 KiB of chunks per socket write.
enum Firehose {
    static func payloads(tenant: String, endpoint: Endpoint) -> [(name: String, json: String)] {
        let family = endpoint.families.sorted { $0.rawValue < $1.rawValue }.first ?? .alert
        let base = UTCInstant(iso8601: "2025-12-08T10:30:00")!
        return (0..<1000).map { i in
            let ts = UTCInstant(microseconds: base.microseconds + Int64(i) * 1000)
            let (type, payload): (EventType, EventPayload)
            switch family {
            case .session:
                type = .sessionUpdated
                payload = .session(
                    SessionEvent(
                        username: "user\(i)@\(tenant).isp", sessionID: "fh-\(i)", nasIPAddress: "10.0.0.1",
                        framedIPAddress: "100.64.\(i / 250).\(i % 250)", subscriberID: "sub-\(i)", bandwidthProfile: "100M",
                        bytesIn: Int64(i) * 1_000_003, bytesOut: Int64(i) * 250_001, sessionTime: Int64(i), terminateCause: nil))
            case .onu:
                type = .onuOffline
                payload = .onu(
                    ONUEvent(
                        onuSerial: "HWTCF\(hex(UInt64(i), 7))", subscriberID: "sub-\(i)", status: .offline,
                        previousStatus: .online,
                        oltID: "olt-01", ponPort: i % 16 + 1))
            case .job:
                type = .jobProgress
                payload = .job(
                    JobEvent(
                        jobID: "fh-job", jobType: "bulk_provision", status: .running, progressPercent: Double(i % 100),
                        itemsTotal: 1000, itemsProcessed: Int64(i), itemsSucceeded: Int64(i), itemsFailed: 0))
            default:
                type = .alertRaised
                payload = .alert(
                    AlertEvent(
                        alertID: "fh-\(i)", alertType: "device_offline", severity: [.info, .warning, .error, .critical][i % 4],
                        source: "olt-\(pad(i % 16, 2))", message: "Firehose alert \(i)", details: nil))
            }
            return (type.rawValue, EventEncoder.json(type: type, tenantID: tenant, timestamp: ts, payload: payload))
        }
    }

    /// Writes `count` SSE frames: each its own HTTP chunk through `writeChunks` (a group at a
    /// time), or packed into 64 KiB chunks through `write`.
    static func write(
        count: Int, tenant: String, endpoint: Endpoint, framing: FirehoseFraming,
        writeChunks: ([ByteBuffer]) async throws -> Void, write: (ByteBuffer) async throws -> Void
    ) async throws {
        let frames = payloads(tenant: tenant, endpoint: endpoint).map { sseFrame(name: $0.name, json: $0.json) }
        if framing == .perEvent {
            let chunks = frames.map { ByteBuffer(string: $0) }
            var group: [ByteBuffer] = []
            var bytes = 0
            for i in 0..<count {
                let chunk = chunks[i % chunks.count]
                group.append(chunk)
                bytes += chunk.readableBytes
                if bytes >= 128 << 10 {
                    try await writeChunks(group)
                    group.removeAll(keepingCapacity: true)
                    bytes = 0
                }
            }
            if !group.isEmpty { try await writeChunks(group) }
            return
        }
        var buffer = ByteBufferAllocator().buffer(capacity: 80 << 10)
        for i in 0..<count {
            buffer.writeString(frames[i % frames.count])
            if buffer.readableBytes >= 64 << 10 {
                try await write(buffer)
                buffer.clear()
            }
        }
        if buffer.readableBytes > 0 { try await write(buffer) }
    }

    /// Sends `count` WebSocket text frames through `send`.
    static func writeFrames(count: Int, tenant: String, endpoint: Endpoint, _ send: (String) async throws -> Void) async throws {
        let frames = payloads(tenant: tenant, endpoint: endpoint).map(\.json)
        for i in 0..<count { try await send(frames[i % frames.count]) }
    }
}
