import ConsoleRuntime
import DashTestSupport
import DashboardCore
import DashboardRender
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

/// A terminal for tests: keys queued behind a real pipe (so the loop's `poll` wakes for them),
/// every drawn grid kept.
final class FakeTerminal: TerminalDevice, @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [TerminalInput] = []
    private var grids: [Grid] = []
    private var pipeFDs: [Int32] = [-1, -1]
    private var signal: Int32 = 0
    private(set) var bells = 0
    private var passed: [[UInt8]] = []
    var passedThrough: [[UInt8]] { lock.withLock { passed } }
    let size: (cols: Int, rows: Int)
    let ascii = false

    init(cols: Int, rows: Int) {
        size = (cols, rows)
        _ = pipe(&pipeFDs)
        _ = fcntl(pipeFDs[0], F_SETFL, O_NONBLOCK)
    }

    deinit {
        close(pipeFDs[0])
        close(pipeFDs[1])
    }

    var inputDescriptor: Int32 { pipeFDs[0] }

    func passThrough(_ sequence: [UInt8]) { lock.withLock { passed.append(sequence) } }

    func press(_ input: TerminalInput) {
        lock.withLock { pending.append(input) }
        var b: UInt8 = 1
        _ = write(pipeFDs[1], &b, 1)
    }

    func read() -> [TerminalInput] {
        var buf = [UInt8](repeating: 0, count: 64)
        while Foundation.read(pipeFDs[0], &buf, buf.count) > 0 {}
        return lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }

    func draw(_ grid: Grid) -> Int {
        lock.withLock { grids.append(grid) }
        return grid.cols * grid.rows
    }

    func invalidate() {}
    func bell() { lock.withLock { bells += 1 } }
    var stopSignal: Int32 { lock.withLock { signal } }
    func setWakeDescriptor(_ fd: Int32) {}
    func raise(_ s: Int32) { lock.withLock { signal = s } }

    var frames: Int { lock.withLock { grids.count } }
    var lastScreen: String {
        lock.withLock {
            guard let g = grids.last else { return "" }
            return (0..<g.rows).map { y in (0..<g.cols).map { g[$0, y].text }.joined() }.joined(separator: "\n")
        }
    }
}

/// An alert as the wire carries it, decoded by the real decoder and pushed into `inbox`.
/// - Returns: its bytes as received.
@discardableResult
func pushAlert(
    _ inbox: Inbox, id: String, severity: AlertSeverity, source: String = "s", message: String, type: String = "x"
) throws -> [UInt8] {
    let raw = Array(
        EventEncoder.json(
            type: .alertRaised, tenantID: "t-01", timestamp: UTCInstant.now(),
            payload: .alert(AlertEvent(alertID: id, alertType: type, severity: severity, source: source, message: message))
        ).utf8)
    guard case .event(let e) = EventDecoder.decode(raw) else { throw HarnessError("the test alert \(id) does not decode") }
    inbox.push(.event(tenant: "t-01", endpoint: .alerts, event: e))
    return raw
}

/// Records what the loop asked of the network.
final class RecordedEffects: ConsoleEffects, @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [String] = []
    func reconnectAll() async { lock.withLock { calls.append("reconnectAll") } }
    func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) async {
        lock.withLock { calls.append("send \(command) \(tenant) \(endpoint)") }
    }
    func switchProfile(_ name: String) { lock.withLock { calls.append("switchProfile \(name)") } }
    func reload() { lock.withLock { calls.append("reload") } }
    var all: [String] { lock.withLock { calls } }
}

/// Runs the loop on a thread of its own, as the console does; the result when it returns.
final class RunningLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Int32?
    init(_ loop: ConsoleLoop) {
        let thread = Thread { [self] in
            let r = loop.run()
            lock.withLock { result = r }
        }
        thread.start()
    }
    var exit: Int32? { lock.withLock { result } }
}

@Suite("ConsoleLoop, driven through a fake terminal")
struct ConsoleLoopTests {
    func start(_ terminal: FakeTerminal, inbox: Inbox, effects: RecordedEffects) -> RunningLoop {
        let state = AppState(tenants: ["t-01"], now: UTCInstant.now())
        return RunningLoop(ConsoleLoop(terminal: terminal, inbox: inbox, effects: effects, state: state, fps: 30))
    }

    @Test("draws a first frame, shows what the inbox delivers, and quits on q", .timeLimit(.minutes(1)))
    func eventsAndQuit() async throws {
        let terminal = FakeTerminal(cols: 120, rows: 40)
        let inbox = Inbox()
        let effects = RecordedEffects()
        let running = start(terminal, inbox: inbox, effects: effects)
        try await eventually("a first frame", timeout: 10) { terminal.frames > 0 }
        #expect(terminal.lastScreen.contains("Alerts"))

        try pushAlert(inbox, id: "a-1", severity: .critical, source: "edge-1", message: "BGP-FROM-INBOX", type: "bgp_down")
        try await eventually("the alert drawn", timeout: 10) { terminal.lastScreen.contains("BGP-FROM-INBOX") }

        terminal.press(.key(.char("q")))
        try await eventually("the loop returned", timeout: 10) { running.exit != nil }
        #expect(running.exit == 0)
    }

    @Test("R asks the network to reconnect; a stop signal ends the loop with its number", .timeLimit(.minutes(1)))
    func effectsAndSignal() async throws {
        let terminal = FakeTerminal(cols: 80, rows: 24)
        let effects = RecordedEffects()
        let running = start(terminal, inbox: Inbox(), effects: effects)
        try await eventually("a first frame", timeout: 10) { terminal.frames > 0 }
        terminal.press(.key(.char("R")))
        try await eventually("reconnectAll called", timeout: 10) { effects.all == ["reconnectAll"] }
        terminal.raise(SIGTERM)
        terminal.press(.resize(cols: 80, rows: 24))  // wakes the poll, as the real handler's byte does
        try await eventually("the loop returned", timeout: 10) { running.exit != nil }
        #expect(running.exit == SIGTERM)
    }
}

@Suite("Local files: yank, OSC 52, the command history")
struct LocalFilesTests {
    @Test(
        "y writes the row's exact bytes to yank.json and an OSC 52 sequence whose payload is their base64",
        .timeLimit(.minutes(1)))
    func yank() async throws {
        let dir = try scratchDirectory()
        let terminal = FakeTerminal(cols: 120, rows: 40)
        var state = AppState(tenants: ["t-01"], now: UTCInstant.now())
        state.focus = .alerts
        let files = LocalFiles(yankPath: dir + "/state/yank.json", osc52: true, history: nil)
        let inbox = Inbox()
        let running = RunningLoop(
            ConsoleLoop(terminal: terminal, inbox: inbox, effects: RecordedEffects(), state: state, fps: 30, files: files))
        // An alert whose message holds an escape sequence: copied as received, never sent raw.
        let raw = try pushAlert(inbox, id: "a-1", severity: .critical, message: "\u{1B}]0;pwned\u{07} ünï")
        try await eventually("the alert drawn", timeout: 10) { terminal.lastScreen.contains("CRITICAL") }
        terminal.press(.key(.char("y")))
        try await eventually("the flash says where it went", timeout: 10) {
            terminal.lastScreen.contains("yanked Alerts row JSON")
        }
        let written = FileManager.default.contents(atPath: dir + "/state/yank.json").map { Array($0) }
        #expect(written == raw, "yank.json holds the event exactly as received")
        let sequences = terminal.passedThrough
        #expect(sequences.count == 1)
        let prefix = [UInt8(0x1B)] + Array("]52;c;".utf8)
        if let seq = sequences.first, seq.starts(with: prefix), seq.last == 0x07 {
            let payload = String(decoding: seq[prefix.count..<(seq.count - 1)], as: UTF8.self)
            #expect(Data(base64Encoded: payload).map { Array($0) } == raw)
            #expect(!payload.unicodeScalars.contains { $0.value < 0x20 }, "no control character from the network")
        } else {
            Issue.record("an OSC 52 sequence: \(sequences)")
        }
        #expect(
            terminal.lastScreen.contains(
                "yanked Alerts row JSON as received (\(raw.count) bytes) to \(dir)/state/yank.json and the"))
        terminal.press(.key(.char("q")))
        try await eventually("the loop returned", timeout: 10) { running.exit != nil }
    }

    @Test("an OSC 52 sequence is ESC ] 52 ; c ; base64 BEL, and none is made for a payload terminals drop")
    func osc52Limits() {
        #expect(OSC52.sequence(for: Array(repeating: 0x41, count: 80_000)) == nil, "base64 of 80 KB is over 100 KB")
        #expect(OSC52.sequence(for: Array("hi".utf8)) == [0x1B] + Array("]52;c;aGk=".utf8) + [0x07])
    }

    @Test("ui.osc52 off: y writes yank.json and nothing to the terminal", .timeLimit(.minutes(1)))
    func osc52Off() async throws {
        let dir = try scratchDirectory()
        let terminal = FakeTerminal(cols: 160, rows: 40)
        let files = LocalFiles(yankPath: dir + "/yank.json", osc52: false, history: nil)
        let inbox = Inbox()
        let running = RunningLoop(
            ConsoleLoop(
                terminal: terminal, inbox: inbox, effects: RecordedEffects(),
                state: AppState(tenants: ["t-01"], now: UTCInstant.now()), fps: 30, files: files))
        let raw = try pushAlert(inbox, id: "a-2", severity: .warning, message: "m")
        try await eventually("the alert drawn", timeout: 10) { terminal.lastScreen.contains("WARNING") }
        terminal.press(.key(.char("y")))
        try await eventually("the flash", timeout: 10) { terminal.lastScreen.contains("yanked Alerts row JSON") }
        #expect(terminal.passedThrough.isEmpty, "no OSC 52 with ui.osc52 off")
        #expect(!terminal.lastScreen.contains("OSC 52"), "and the flash does not claim it")
        #expect(FileManager.default.contents(atPath: dir + "/yank.json").map { Array($0) } == raw)
        terminal.press(.key(.char("q")))
        try await eventually("the loop returned", timeout: 10) { running.exit != nil }
    }

    @Test("the history file round-trips, keeps the newest, and skips lines with control characters")
    func historyFile() throws {
        let dir = try scratchDirectory()
        let store = HistoryStore(path: dir + "/sub/history")
        #expect(store.load(limit: 10) == [], "no file: no history")
        try store.save(["jobs", "tenant t-01", "filter sev>=error"])
        #expect(store.load(limit: 10) == ["jobs", "tenant t-01", "filter sev>=error"])
        #expect(store.load(limit: 2) == ["tenant t-01", "filter sev>=error"])
        try Data("ok\nbad\u{1B}[2J\n\nalso ok\n".utf8).write(to: URL(fileURLWithPath: dir + "/sub/history"))
        #expect(store.load(limit: 10) == ["ok", "also ok"])
    }
}

@Suite("What a drained batch redraws")
struct NeedsFrameTests {
    @Test("latencies and job lists read over REST wait for the next tick; anything else, or a loss, is drawn at the next slot")
    func background() {
        let latency = ClientEvent.latency(tenant: "t-01", endpoint: .alerts, milliseconds: 5)
        let jobs = ClientEvent.jobSnapshot(
            tenant: "t-01", jobs: [JobSummary(id: "j-1", jobType: "bulk", status: .running, title: "Provision")])
        let campaigns = ClientEvent.campaigns(tenant: "t-01", campaigns: [CampaignSummary(id: "c-1", name: "c", isActive: true)])
        let status = ClientEvent.status(tenant: "t-01", endpoint: .alerts, state: .live)
        #expect(!ConsoleLoop.needsFrame(Inbox.Batch(events: [latency, jobs, campaigns])))
        #expect(ConsoleLoop.needsFrame(Inbox.Batch(events: [latency, status])), "a connection state is drawn at once")
        #expect(ConsoleLoop.needsFrame(Inbox.Batch(events: [latency], coalesced: 1)), "so is what the inbox had to coalesce")
        #expect(
            ConsoleLoop.needsFrame(Inbox.Batch(events: [.error(tenant: "t-01", endpoint: .alerts, message: "x")])),
            "and an error")
    }
}
