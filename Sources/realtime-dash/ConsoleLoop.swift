import DashboardCore
import DashboardRender
import Foundation
import RealtimeClient
import RealtimeProtocol
import TerminalCurses

/// The console's run loop (ARCHITECTURE.md "Data flow"): one thread owns curses. It sleeps in
/// `poll` on standard input and a wake-up pipe, drains keys and the ConnectionManager's inbox,
/// reduces, and draws only when something changed, at most `fps` frames per second, plus a 1 s
/// tick for the clock and ages. Network code never touches curses and never blocks this thread.
final class ConsoleLoop: @unchecked Sendable {
    let terminal: Terminal
    let manager: ConnectionManager
    var state: AppState
    let fps: Int
    private var wake: [Int32] = [-1, -1]
    /// The bridge task waits for this before it waits on the inbox again (no spinning).
    private let drained = DrainSignal()

    /// Re-read for expiry and file-mode warnings every `noticeInterval` seconds.
    let tokens: TokenStore?
    let noticeInterval = 15.0

    init(terminal: Terminal, manager: ConnectionManager, state: AppState, fps: Int, tokens: TokenStore? = nil) {
        self.terminal = terminal
        self.manager = manager
        self.tokens = tokens
        self.state = state
        self.fps = max(1, fps)
    }

    /// Runs until `q` or a stop signal; returns the signal number (0 for `q`).
    func run() -> Int32 {
        guard pipe(&wake) == 0 else { return 0 }
        _ = fcntl(wake[0], F_SETFL, fcntl(wake[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(wake[1], F_SETFL, fcntl(wake[1], F_GETFL) | O_NONBLOCK)
        TerminalGuard.wakeFD = wake[1]
        defer {
            TerminalGuard.wakeFD = -1
            close(wake[0])
            close(wake[1])
        }
        let inbox = manager.inbox
        let wakeWrite = wake[1]
        let drained = self.drained
        let bridge = Task.detached {
            while !Task.isCancelled {
                await inbox.waitForEvents()
                if Task.isCancelled { return }
                var b: UInt8 = 0x65
                _ = write(wakeWrite, &b, 1)
                await drained.wait()
            }
        }
        defer { bridge.cancel(); drained.signal() }

        let size = terminal.size
        _ = reduce(&state, .resized(cols: size.cols, rows: size.rows))
        _ = reduce(&state, .tick(wallNow()))
        var dirty = true
        var lastFrame = 0.0
        var nextTick = monoNow() + 1
        var nextNotices = 0.0
        let frameInterval = 1.0 / Double(fps)
        while true {
            if TerminalGuard.stopSignal != 0 { return TerminalGuard.stopSignal }
            let now = monoNow()
            var timeout = nextTick - now
            if dirty { timeout = min(timeout, max(0, lastFrame + frameInterval - now)) }
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, Int32(max(0, min(1000, timeout * 1000)).rounded(.up)))
            if TerminalGuard.stopSignal != 0 { return TerminalGuard.stopSignal }
            // Keys (also reads the resize that curses reports after SIGWINCH). An answer to a key
            // is drawn at once; only event-driven redraws wait for the frame interval.
            var answerKey = false
            for input in terminal.read() {
                answerKey = true
                switch input {
                case .resize(let cols, let rows):
                    _ = reduce(&state, .resized(cols: cols, rows: rows))
                    terminal.invalidate()
                case .key(let key):
                    if perform(reduce(&state, .key(key))) { return 0 }
                }
                dirty = true
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var buf = [UInt8](repeating: 0, count: 256)
                while read(wake[0], &buf, buf.count) > 0 {}
                let batch = inbox.drain()
                drained.signal()
                if !batch.events.isEmpty { _ = perform(reduce(&state, .client(batch.events))) }
                if batch.dropped + batch.coalesced > 0 { _ = reduce(&state, .inbox(dropped: batch.dropped, coalesced: batch.coalesced)) }
                dirty = true
            }
            let t = monoNow()
            if let tokens, t >= nextNotices {
                let notices = tokens.warnings(now: wallNow())
                if notices != state.notices {
                    _ = reduce(&state, .notices(notices))
                    dirty = true
                }
                nextNotices = t + noticeInterval
            }
            if t >= nextTick {
                _ = reduce(&state, .tick(wallNow()))
                nextTick = t + 1
                dirty = true
            }
            if dirty && (answerKey || t - lastFrame >= frameInterval) {
                let s = terminal.size
                terminal.draw(Screen.render(state, cols: s.cols, rows: s.rows, ascii: terminal.ascii))
                lastFrame = t
                dirty = false
            }
        }
    }

    /// Carries out effects; true means quit.
    private func perform(_ effects: [Effect]) -> Bool {
        for effect in effects {
            switch effect {
            case .quit: return true
            case .bell: terminal.bell()
            case .reconnectAll: Task { await manager.reconnectAll() }
            case .send(let tenant, let endpoint, let command): Task { await manager.send(command, tenant: tenant, endpoint: endpoint) }
            }
        }
        return false
    }
}

/// A one-shot "go on" between the UI thread and the bridge task.
final class DrainSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false

    func signal() {
        lock.lock()
        let w = waiter
        waiter = nil
        if w == nil { pending = true }
        lock.unlock()
        w?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if pending {
                pending = false
                lock.unlock()
                c.resume()
            } else {
                waiter = c
                lock.unlock()
            }
        }
    }
}

func monoNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wallNow() -> UTCInstant {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return UTCInstant(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
}
