import ConsoleRuntime
import DashTestSupport
import DashboardCore
import Foundation
import Logging
import RealtimeClient
import RealtimeProtocol
import ServiceLifecycle
import Testing

/// Stands for the other services of the console's group (the manager, the demo backend): it
/// runs until the group shuts it down gracefully, and says so.
final class Bystander: Service, @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    var shutDown: Bool { lock.withLock { ended } }
    func run() async throws {
        try? await gracefulShutdown()
        lock.withLock { ended = true }
    }
}

/// Waits for `task`, cancelling it if the wait is cancelled (so ``withTimeout`` can end it).
func ended<T: Sendable>(_ task: Task<T, any Error>) async throws {
    _ = try await withTaskCancellationHandler {
        try await task.value
    } onCancel: {
        task.cancel()
    }
}

func ended<T: Sendable>(_ task: Task<T, Never>) async throws {
    _ = await withTaskCancellationHandler {
        await task.value
    } onCancel: {
        task.cancel()
    }
}

@Suite("ConsoleService, the console in a ServiceGroup")
struct ConsoleServiceTests {
    func group(_ console: ConsoleService, _ other: Bystander) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: other),
                    .init(service: console, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
    }

    func console(_ terminal: FakeTerminal) -> ConsoleService {
        ConsoleService { stop in
            ConsoleLoop(
                terminal: terminal, inbox: Inbox(), effects: RecordedEffects(),
                state: AppState(tenants: ["t-01"], now: UTCInstant.now()), fps: 30, stop: stop
            ).run()
        }
    }

    @Test("q ends the console, and the group shuts the other services down gracefully", .timeLimit(.minutes(1)))
    func quitEndsTheGroup() async throws {
        let terminal = FakeTerminal(cols: 80, rows: 24)
        let console = console(terminal)
        let other = Bystander()
        let running = Task { try await group(console, other).run() }
        try await eventually("a first frame", timeout: 10) { terminal.frames > 0 }
        #expect(!other.shutDown)
        let early = Task { await console.ended() }
        #expect(console.result == nil, "still running")
        terminal.press(.key(.char("q")))
        try await withTimeout(10, "ended() to return after q") { await early.value }
        try await withTimeout(10, "the group to end after q") { try await ended(running) }
        #expect(other.shutDown, "the other service was shut down gracefully, not left running")
        guard case .success(let signal)? = console.result else {
            Issue.record("the console ended with \(String(describing: console.result))")
            return
        }
        #expect(signal == 0)
    }

    @Test("a graceful shutdown of the group stops the run loop", .timeLimit(.minutes(1)))
    func shutdownStopsTheLoop() async throws {
        let terminal = FakeTerminal(cols: 80, rows: 24)
        let console = console(terminal)
        let group = group(console, Bystander())
        let running = Task { try await group.run() }
        try await eventually("a first frame", timeout: 10) { terminal.frames > 0 }
        await group.triggerGracefulShutdown()
        try await withTimeout(10, "the loop to end on the group's shutdown") { try await ended(running) }
        guard case .success(0)? = console.result else {
            Issue.record("the console ended with \(String(describing: console.result))")
            return
        }
    }

    @Test("a console that cannot start ends the group with its error", .timeLimit(.minutes(1)))
    func failureIsReported() async throws {
        struct NoTerminal: Error {}
        let console = ConsoleService { _ in throw NoTerminal() }
        let other = Bystander()
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: other),
                    .init(
                        service: console, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try? await group.run() }  // its error is the console's, checked below
        try await withTimeout(10, "the group to end after the console failed") { try await ended(running) }
        #expect(other.shutDown)
        guard case .failure(let error)? = console.result else {
            Issue.record("expected a failure, got \(String(describing: console.result))")
            return
        }
        #expect(error is NoTerminal)
    }
}
