import DashboardCore
import DashboardRender
import RealtimeClient
import RealtimeProtocol

#if canImport(Glibc)
import Glibc
#endif

/// The console's run loop (ARCHITECTURE.md "Data flow"): one thread owns the terminal. It sleeps
/// in `poll` on the terminal's input and a wake-up pipe, drains keys and the inbox, reduces, and
/// draws only when something changed, at most `fps` frames per second, plus a 1 s tick for the
/// clock and ages (``FramePacer``). Network code never touches the terminal and never blocks
/// this thread.
public final class ConsoleLoop: @unchecked Sendable {
    let terminal: any TerminalDevice
    let inbox: Inbox
    let effects: any ConsoleEffects
    public private(set) var state: AppState
    let fps: Int
    private var wake: [Int32] = [-1, -1]
    /// The bridge task waits for this before it waits on the inbox again (no spinning).
    private let drained = DrainSignal()

    /// Re-read for expiry and file-mode warnings every `noticeInterval` seconds.
    /// The tokens in use now (a profile switch or a reload brings others).
    let tokens: (@Sendable () -> TokenStore)?
    let noticeInterval = 15.0
    let monotonic: @Sendable () -> Double
    let wallClock: @Sendable () -> UTCInstant
    /// Set from another thread to end the loop (the service group shutting down).
    let stop: StopRequest
    /// Keeps the acknowledgements and silences when they change (acks.json); nil: not kept.
    let saveAcks: (@Sendable (AckBook) -> Void)?
    /// Where yanks and the command history go.
    let files: LocalFiles
    /// Set when the console replays a recording: its timeline goes into the state.
    let replay: ReplayDriver?
    /// The frame on screen, for what a click points at.
    private var lastGrid: Grid? = nil
    private var historyFailed = false

    /// - Parameters:
    ///   - inbox: what the network reports (the ConnectionManager's inbox).
    ///   - effects: who carries out the reducer's effects (the ConnectionManager).
    ///   - clock: the clock frames and ticks are paced on.
    ///   - wallClock: the time the reducer is told (clocks, ages).
    ///   - stop: ends the loop from another thread (``ConsoleService`` hands one in).
    public init(
        terminal: any TerminalDevice, inbox: Inbox, effects: any ConsoleEffects, state: AppState, fps: Int,
        tokens: (@Sendable () -> TokenStore)? = nil, clock: some Clock<Duration> = ContinuousClock(),
        wallClock: @escaping @Sendable () -> UTCInstant = UTCInstant.now, stop: StopRequest = StopRequest(),
        saveAcks: (@Sendable (AckBook) -> Void)? = nil, files: LocalFiles = LocalFiles(), replay: ReplayDriver? = nil
    ) {
        self.replay = replay
        self.saveAcks = saveAcks
        self.files = files
        self.terminal = terminal
        self.inbox = inbox
        self.effects = effects
        self.tokens = tokens
        self.state = state
        self.fps = max(1, fps)
        let origin = clock.now
        self.monotonic = {
            let (seconds, attoseconds) = origin.duration(to: clock.now).components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
        self.wallClock = wallClock
        self.stop = stop
    }

    /// Runs until `q`, a stop signal or a stop request; returns the signal number (0 for `q`
    /// or a request).
    public func run() -> Int32 {
        guard pipe(&wake) == 0 else { return 0 }
        _ = fcntl(wake[0], F_SETFL, fcntl(wake[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(wake[1], F_SETFL, fcntl(wake[1], F_GETFL) | O_NONBLOCK)
        terminal.setWakeDescriptor(wake[1])
        stop.attach(wake[1])
        defer {
            stop.attach(-1)
            terminal.setWakeDescriptor(-1)
            close(wake[0])
            close(wake[1])
        }
        let inbox = self.inbox
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
        defer {
            bridge.cancel()
            drained.signal()
        }

        let size = terminal.size
        _ = reduce(&state, .resized(cols: size.cols, rows: size.rows))
        _ = reduce(&state, .tick(wallClock()))
        var pacer = FramePacer(fps: fps, now: monotonic())
        var nextNotices = 0.0
        while true {
            if terminal.stopSignal != 0 { return terminal.stopSignal }
            if stop.isRequested { return 0 }
            var fds = [
                pollfd(fd: terminal.inputDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, pacer.pollTimeout(at: monotonic()))
            if terminal.stopSignal != 0 { return terminal.stopSignal }
            if stop.isRequested { return 0 }
            // Keys (also the resize that curses reports after SIGWINCH). An answer to a key is
            // drawn at once; only event-driven redraws wait for the frame interval.
            var answerKey = false
            for input in terminal.read() {
                answerKey = true
                switch input {
                case .resize(let cols, let rows):
                    _ = reduce(&state, .resized(cols: cols, rows: rows))
                    terminal.invalidate()
                case .key(let key):
                    if perform(reduce(&state, .key(key))) { return 0 }
                case .reload:
                    _ = perform(reduce(&state, .reloadSignal))
                case .mouse(let event, let x, let y):
                    // What was under the pointer is what the operator saw: the last frame drawn.
                    if perform(reduce(&state, .pointer(lastGrid?.hit(x: x, y: y), event))) { return 0 }
                }
                pacer.markDirty()
            }
            if fds[1].revents & Int16(POLLIN) != 0 {
                var buf = [UInt8](repeating: 0, count: 256)
                while read(wake[0], &buf, buf.count) > 0 {}
                let batch = inbox.drain()
                drained.signal()
                if !batch.events.isEmpty {
                    // A replay's clock is the recording's: what arrives is timed by it (gaps, ages).
                    if replay != nil { _ = reduce(&state, .tick(wallClock())) }
                    _ = perform(reduce(&state, .client(batch.events)))
                }
                if batch.dropped + batch.coalesced > 0 {
                    _ = reduce(&state, .inbox(dropped: batch.dropped, coalesced: batch.coalesced))
                }
                if Self.needsFrame(batch) { pacer.markDirty() }
                inbox.recycle(consume batch)
            }
            let t = monotonic()
            if let tokens, t >= nextNotices {
                let notices = tokens().notices(now: wallClock())
                if notices != state.notices {
                    _ = reduce(&state, .notices(notices))
                    pacer.markDirty()
                }
                nextNotices = t + noticeInterval
            }
            if let replay {
                let status = replay.status
                if status != state.replay {
                    _ = reduce(&state, .replay(status))
                    pacer.markDirty()
                }
                if replayFlash(at: t) { pacer.markDirty() }
            }
            if pacer.tickDue(at: t) { _ = reduce(&state, .tick(wallClock())) }
            if pacer.drawNow(at: t, answeringKey: answerKey) {
                let s = terminal.size
                let grid = Screen.render(state, cols: s.cols, rows: s.rows, ascii: terminal.ascii)
                terminal.draw(grid)
                lastGrid = grid
            }
        }
    }

    /// The flash line in a replay lasts its seconds of the operator's time, not the recording's
    /// (at ×64 it would vanish at once; paused, it would never go). Returns true when it went.
    private var flashShown: (text: String, until: Double)? = nil
    private func replayFlash(at now: Double) -> Bool {
        guard let f = state.flash else {
            flashShown = nil
            return false
        }
        if flashShown?.text != f.text {
            let seconds = Double(f.until.microseconds - state.now.microseconds) / 1e6
            flashShown = (f.text, now + min(max(seconds, 2), 20))
        }
        // The recording's clock no longer ends it; this one does.
        state.flash?.until = UTCInstant(microseconds: Int64.max / 4)
        guard let shown = flashShown, now >= shown.until else { return false }
        state.flash = nil
        flashShown = nil
        return true
    }

    /// Carries out effects; true means quit.
    private func perform(_ effects: [Effect]) -> Bool {
        let target = self.effects
        for effect in effects {
            switch effect {
            case .quit: return true
            case .bell: terminal.bell()
            case .reconnectAll: Task { await target.reconnectAll() }
            case .replay(let control): target.replay(control)
            case .switchProfile(let name): target.switchProfile(name)
            case .reload: target.reload()
            case .saveAcks(let book): saveAcks?(book)
            case .saveHistory(let commands):
                do {
                    try files.history?.save(commands)
                } catch {
                    // Said once: the commands still work, only their history is not kept.
                    if !historyFailed { _ = reduce(&state, .said("command history not kept: \(error)")) }
                    historyFailed = true
                }
            case .yank(let bytes, let what): yank(bytes, what)
            case .send(let tenant, let endpoint, let command):
                Task { await target.send(command, tenant: tenant, endpoint: endpoint) }
            }
        }
        return false
    }

    /// Copies `bytes` to `yank.json` and, when allowed, the clipboard (OSC 52); the flash line
    /// says where it went, or why not.
    private func yank(_ bytes: [UInt8], _ what: String) {
        var went: [String] = []
        var not: [String] = []
        // The file first: it is the copy that is known to be kept.
        if let path = files.yankPath {
            do {
                try AtomicFile.write(bytes, to: path)
                went.append(LocalFiles.shown(path))
            } catch {
                not.append("\(error)")
            }
        }
        if files.osc52 {
            if let sequence = OSC52.sequence(for: bytes) {
                terminal.passThrough(sequence)
                // Sent, not known to be kept: tmux without set-clipboard drops it.
                went.append("the terminal's clipboard (OSC 52, sent)")
            } else {
                not.append("too long for OSC 52")
            }
        }
        let text =
            went.isEmpty
            ? "\(what) not copied: \(not.isEmpty ? "no clipboard and no yank file" : not.joined(separator: "; "))"
            : "yanked \(what) to \(went.joined(separator: " and "))\(not.isEmpty ? "" : " (\(not.joined(separator: "; ")))")"
        _ = reduce(&state, .said(text))
    }

    /// Whether a drained batch must be drawn at the next frame slot. Background figures (a
    /// latency, job lists read over REST) wait for the next tick, at most a second: with 100
    /// tenants they arrive about thirty times a second, and drawing each would be most of an
    /// idle console's CPU.
    public static func needsFrame(_ batch: Inbox.Batch) -> Bool {
        if batch.dropped + batch.coalesced > 0 { return true }
        return batch.events.contains { e in
            switch e {
            case .latency, .jobSnapshot, .campaigns: false
            default: true
            }
        }
    }
}
