import AsyncHTTPClient
import DashTestSupport
import DemoBackend
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import RealtimeProtocol
import Testing
import RealtimeClient

struct HTTPResult: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// Sends a request and reads the body until `until` says enough (or the body ends).
///
/// Each call has an HTTP client of its own, shut down before it returns, so a stream read only
/// in part is closed at once (the server sees it go), not left open in a shared pool.
func http(
    _ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil,
    timeout: Double = 10, until: @escaping @Sendable ([UInt8]) -> Bool = { _ in false }
) async throws -> HTTPResult {
    try await withTimeout(timeout, "\(method) \(url)") {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(request, timeout: .seconds(Int64(timeout)))
            var collected: [UInt8] = []
            for try await chunk in response.body {
                collected += chunk.readableBytesView
                if until(collected) { break }
            }
            try await client.shutdown()
            return HTTPResult(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: collected)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

/// Everything SSE-parsed from a byte prefix.
func sseOutputs(_ bytes: [UInt8]) -> [SSEParser.Output] {
    var p = SSEParser()
    return p.feed(bytes)
}

func sseEvents(_ bytes: [UInt8]) -> [SSEEvent] {
    sseOutputs(bytes).compactMap { if case .event(let e) = $0 { e } else { nil } }
}

/// Reads an SSE stream until `count` events (beyond `connected`) have arrived.
func readSSE(
    _ url: String, token: String?, events count: Int, extraHeaders: [(String, String)] = [], timeout: Double = 10
) async throws -> (HTTPResult, [SSEEvent]) {
    // Counted as the bytes come, each byte parsed once: the backend's framing is one HTTP chunk
    // per event, and parsing everything again at every chunk made 5,000 events take minutes.
    let counted = Locked((parser: SSEParser(), seen: 0, events: 0))
    let r = try await http(url, headers: (token.map(bearer) ?? []) + extraHeaders, timeout: timeout) { bytes in
        counted.withLock { c in
            let new = c.parser.feed(Array(bytes[c.seen...]))
            c.seen = bytes.count
            c.events += new.filter { if case .event = $0 { true } else { false } }.count
            return c.events >= count + 1
        }
    }
    return (r, sseEvents(r.body))
}

// MARK: - WebSocket client

/// A WebSocket test client on ``WebSocketClient``: frames and the close code as async values.
/// The session lives in a task until ``close()`` or the server closes it.
final class WSClient: Sendable {
    let frames: AsyncStream<String>
    let session: WebSocketSession
    private let done: AsyncStream<Void>.Continuation

    private init(frames: AsyncStream<String>, session: WebSocketSession, done: AsyncStream<Void>.Continuation) {
        self.frames = frames
        self.session = session
        self.done = done
    }

    static func connect(_ url: String, headers: [(String, String)] = []) async throws -> WSClient {
        let (sessions, sessionContinuation) = AsyncStream.makeStream(of: WebSocketSession.self)
        let (doneStream, doneContinuation) = AsyncStream.makeStream(of: Void.self)
        let (frames, framesContinuation) = AsyncStream.makeStream(of: String.self)
        let failure = Box<(any Error)?>(nil)
        Task {
            do {
                try await WebSocketClient.connect(url, headers: headers) { session in
                    sessionContinuation.yield(session)
                    sessionContinuation.finish()
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await m in session.messages { if case .text(let t) = m { framesContinuation.yield(t) } }
                            framesContinuation.finish()
                        }
                        group.addTask { for await _ in doneStream {} }
                        await group.next()
                        group.cancelAll()
                    }
                }
            } catch {
                failure.set(error)
            }
            sessionContinuation.finish()
            framesContinuation.finish()
        }
        let session = try await withTimeout(5, "connecting to \(url)") { () -> WebSocketSession? in
            var it = sessions.makeAsyncIterator()
            return await it.next()
        }
        guard let session else { throw failure.get() ?? TimedOut(what: "connect \(url)") }
        return WSClient(frames: frames, session: session, done: doneContinuation)
    }

    /// The next text frame, or nil when the socket closed.
    func next(timeout: Double = 5) async throws -> String? {
        let frames = self.frames
        return try await withTimeout(timeout, "next WebSocket frame") {
            var it = frames.makeAsyncIterator()
            return await it.next()
        }
    }

    /// Waits for the next frame that satisfies `predicate`.
    func next(timeout: Double = 5, where predicate: @escaping @Sendable (String) -> Bool) async throws -> String? {
        let frames = self.frames
        return try await withTimeout(timeout, "a matching WebSocket frame") {
            for await f in frames where predicate(f) { return f }
            return nil
        }
    }

    func send(_ text: String) async throws { try await session.send(text) }

    /// Waits for the server's close (draining frames) and returns its code.
    func closeCode(timeout: Double = 5) async throws -> Int? {
        let frames = self.frames
        try await withTimeout(timeout, "WebSocket close") { for await _ in frames {} }
        return session.closeCode.map(Int.init)
    }

    func close() async {
        try? await session.close()
        done.finish()
    }
}

/// A locked value that escaping closures can share.
final class Box<T: Sendable>: Sendable {
    private let value: Locked<T>
    init(_ v: T) { value = Locked(v) }
    func get() -> T { value.withLock { $0 } }
    func set(_ v: T) { value.withLock { $0 = v } }
}
