import DashboardCore
import Foundation
import RealtimeClient
import RealtimeProtocol
import Recording

/// `realtime-dash replay FILE` in the console: the recording's frames go into the console's
/// inbox at the recording's pace (``ReplayCursor``), through the same parsers and the same
/// reducer as live frames. It stands where the connections stand (``ConsoleEffects``): job
/// commands never get here (the reducer refuses them in a replay), and the replay keys do.
///
/// One thread feeds the inbox. It sleeps until the next frame is due, a key changes the pace,
/// or the inbox has room again (a replay at `max` goes as fast as the console drains, never
/// faster: nothing is coalesced away that the live console kept).
public final class ReplayDriver: ConsoleEffects, @unchecked Sendable {
    let file: RecordingFile
    let inbox: Inbox
    let monotonic: @Sendable () -> Double
    let log: @Sendable (String) -> Void

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var cursor: ReplayCursor
    private var controls: [ReplayControl] = []
    private var stopped = false
    private var room = true
    private var shown: Int64
    private var skipped = 0
    private var lost = 0
    private var thread: Thread?

    /// - Parameters:
    ///   - from: show the recording from this time (what came before is played at once).
    ///   - to: stop there (frames after it are not played).
    ///   - monotonic: the clock the pace follows (seconds).
    ///   - log: where skipped lines are written (the log file).
    public init(
        file: RecordingFile, inbox: Inbox, speed: Double = 1, from: UTCInstant? = nil, to: UTCInstant? = nil,
        monotonic: @escaping @Sendable () -> Double = { monotonicSeconds() },
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.file = file
        self.inbox = inbox
        self.monotonic = monotonic
        self.log = log
        let last = to.map { file.index(atOrAfter: $0.microseconds + 1) } ?? file.entries.count
        cursor = ReplayCursor(
            times: file.entries[..<last].map(\.time), speed: speed, from: from?.microseconds, now: monotonic())
        shown = cursor.position(at: monotonic())
    }

    /// Where the replay stands.
    public var status: ReplayStatus {
        condition.lock()
        defer { condition.unlock() }
        let now = monotonic()
        let position = cursor.behind(at: now) ? shown : cursor.position(at: now)
        return ReplayStatus(
            position: UTCInstant(microseconds: position), start: UTCInstant(microseconds: cursor.start),
            end: UTCInstant(microseconds: cursor.end), speed: cursor.speed, paused: cursor.paused, atEnd: cursor.atEnd,
            skipped: skipped, lost: lost)
    }

    /// The recording's time now: the console's clock during a replay.
    public var position: UTCInstant { status.position }

    public func start() {
        // What was wrong with the file as a whole (a cut gzip stream, a last line cut short).
        for p in file.problems {
            let text = p.line > 0 ? "recording line \(p.line): \(p.reason)" : "recording: \(p.reason)"
            log(text)
            inbox.push(.notice(text))
        }
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "replay"
        self.thread = thread
        thread.start()
    }

    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        var parser = SSEParser()
        var events: [ClientEvent] = []
        while true {
            condition.lock()
            if stopped {
                condition.unlock()
                return
            }
            let now = monotonic()
            var rewind = false
            for c in controls where cursor.apply(c, at: now) { rewind = true }
            controls.removeAll()
            if rewind {
                skipped = 0
                lost = 0
                shown = cursor.start
            }
            let range = room ? cursor.due(at: now, limit: 2048) : 0..<0
            if range.isEmpty && !rewind {
                let wait = room ? (cursor.wait(at: now).map { min($0, 0.5) } ?? 0.5) : 0.5
                if wait > 0 { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
                condition.unlock()
                continue
            }
            let start = cursor.start
            condition.unlock()

            if rewind {
                let h = file.header
                inbox.push(
                    .restarted(
                        Restart(
                            tenants: h?.tenants ?? [], profile: h?.profile, origin: h?.origin ?? "",
                            note: "replay: from \(UTCInstant(microseconds: start).timeOfDay) UTC again", clears: true)))
                parser = SSEParser()
            }
            var skippedNow = 0
            var lostNow = 0
            for i in range {
                switch file.line(i) {
                case .success(.frame(let frame)): frame.clientEvents(into: &events, parser: &parser)
                case .success(.lost(_, let n)):
                    lostNow += n
                    events.append(.notice("the recorder lost \(n) frames here (the disk was slower than the stream)"))
                case .success(.header): break
                case .failure(let error):
                    skippedNow += 1
                    log("recording \(error.description)")
                    if skipped + skippedNow <= 3 { events.append(.notice("recording \(error.description)")) }
                }
            }
            let last = range.isEmpty ? nil : file.entries[range.upperBound - 1].time
            let hasRoom = inbox.push(contentsOf: events)
            events.removeAll(keepingCapacity: true)
            condition.lock()
            if let last { shown = max(last, shown) }
            skipped += skippedNow
            lost += lostNow
            if !hasRoom { room = false }
            condition.unlock()
            if !hasRoom {
                inbox.whenRoom { [weak self] in
                    guard let self else { return }
                    self.condition.lock()
                    self.room = true
                    self.condition.broadcast()
                    self.condition.unlock()
                }
            }
        }
    }

    // MARK: ConsoleEffects

    public func replay(_ control: ReplayControl) {
        condition.lock()
        controls.append(control)
        condition.broadcast()
        condition.unlock()
    }

    // The reducer refuses these in a replay before they become effects; nothing is sent anyway.
    public func reconnectAll() async {}
    public func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) async {}
    public func switchProfile(_ name: String) {}
    public func reload() {}
}
