import Foundation
import RealtimeProtocol

/// Waits until `condition` holds, checking every 10 ms, for at most `timeout` seconds.
/// - Throws: ``TimedOut`` naming `what` when it never held.
public func eventually(
    _ what: String, timeout: Double = 10, _ condition: @escaping @Sendable () async -> Bool
) async throws {
    let deadline = monotonicSeconds() + timeout
    while monotonicSeconds() < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what: what)
}

/// Waits until `condition` holds, checking every 5 ms (bounded by `timeout`).
public func waitUntil(_ what: String, timeout: Double = 5, _ condition: @escaping @Sendable () -> Bool) async throws {
    try await eventually(what, timeout: timeout) { condition() }
}

/// Runs `body`, failing with ``TimedOut`` after `seconds` (a guard against hangs, not a wait).
/// `body` is cancelled then; it must answer cancellation for the call to return.
public func withTimeout<T: Sendable>(
    _ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}
