import RealtimeProtocol

/// Wakes one stream's loop early (manual reconnect, a changed token). The latest wake wins;
/// a wake posted while nobody waits is kept for the next wait.
final class WakeSignal: Sendable {
    enum Wake: Sendable, Equatable { case reconnect, tokenChanged }

    private struct State {
        var pending: Wake? = nil
        var waiter: CheckedContinuation<Wake?, Never>? = nil
        var closed = false
    }
    private let state = Locked(State())

    func post(_ wake: Wake) {
        let waiter = state.withLock { s -> CheckedContinuation<Wake?, Never>? in
            guard !s.closed else { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = wake
            return nil
        }
        waiter?.resume(returning: wake)
    }

    func close() {
        let waiter = state.withLock { s -> CheckedContinuation<Wake?, Never>? in
            s.closed = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next wake; nil when closed or cancelled.
    func next() async -> Wake? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Wake?, Never>) in
                let immediate: Wake?? = state.withLock { s in
                    if let p = s.pending {
                        s.pending = nil
                        return .some(p)
                    }
                    if s.closed || Task.isCancelled { return .some(nil) }
                    s.waiter = c
                    return .none
                }
                if let immediate { c.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Wake?, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    enum WaitResult: Sendable, Equatable { case elapsed, woken(Wake), ended }

    /// Waits `seconds` on `clock` unless woken first.
    func wait(seconds: Double, clock: StreamClock) async -> WaitResult {
        await withTaskGroup(of: WaitResult.self) { group in
            group.addTask {
                try? await clock.sleep(seconds: seconds)
                return Task.isCancelled ? .ended : .elapsed
            }
            group.addTask {
                if let w = await self.next() { return .woken(w) }
                return .ended
            }
            let first = await group.next() ?? .ended
            group.cancelAll()
            // A wake that lost the race to the timer stays pending (post stores it when nobody waits).
            return first
        }
    }
}
