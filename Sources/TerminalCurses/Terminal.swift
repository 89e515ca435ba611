import CNcurses
import ConsoleRuntime
import DashboardCore
import DashboardRender
#if canImport(Glibc)
import Glibc
#endif

/// Why the console cannot start on this terminal, with what to do instead.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public var exitCode: Int32
    public init(description: String, exitCode: Int32) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// The one owner of curses: set-up and teardown, the diff blit, key decoding, colours.
///
/// Not thread-safe (curses is not): create, use and close it on one thread.
public final class Terminal: TerminalDevice {
    private var screen: OpaquePointer?
    private var previous: Grid? = nil
    public let ascii: Bool
    public let colors: Bool
    public let theme: Theme
    /// Each role's attributes (bold, dim, underline), by raw value: looked up once, not per cell.
    private var roleAttributes: [attr_t] = []
    private var closed = false

    /// - Parameters:
    ///   - theme: `auto`, `color`, `mono` or `light` (``Theme/resolve(_:environment:terminalHasColors:)``);
    ///     `NO_COLOR` in the environment, or a terminal without colours, means mono.
    /// - Throws: ``TerminalError`` when standard input/output is not a terminal, `TERM` is
    ///   missing or `dumb`, or curses does not know the terminal.
    public init(theme: String = "auto", environment: [String: String], mouse: Bool = false) throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalError(
                description:
                    "standard input and output must be a terminal for the console; for scripts and pipes use 'realtime-dash tail'",
                exitCode: 64)
        }
        guard let term = environment["TERM"], !term.isEmpty, term != "dumb" else {
            throw TerminalError(
                description:
                    "TERM is \(environment["TERM"].map { "'\($0)'" } ?? "not set"): the console needs a capable terminal (e.g. TERM=xterm-256color); for a plain stream use 'realtime-dash tail --format text'",
                exitCode: 64)
        }
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        ascii = codeset.uppercased().replacingOccurrences(of: "-", with: "") != "UTF8"
        TerminalGuard.saveTermios()
        guard let s = newterm(nil, cn_stdout(), cn_stdin()) else {
            throw TerminalError(
                description:
                    "curses does not know the terminal type '\(term)'; try TERM=xterm-256color, or use 'realtime-dash tail'",
                exitCode: 64)
        }
        screen = s
        set_term(s)
        TerminalGuard.install()
        cbreak()
        noecho()
        nonl()
        intrflush(cn_stdscr(), false)
        keypad(cn_stdscr(), true)
        nodelay(cn_stdscr(), true)
        // No typeahead check during an update: with it, curses polls standard input and flushes
        // its output before each changed line, which is a `poll` and a `write` (a pty wake-up
        // for tmux or ssh) per line, tens per frame. Keys are answered with a frame of their own.
        typeahead(-1)
        set_escdelay(25)
        curs_set(0)
        // ncurses 6.4 flushes its output after every cursor movement until the screen has been
        // through one endwin/refresh cycle (its `_endwin` is still `ewInitial`): a `write` per
        // changed run of cells, dozens per frame, each one a wake-up of tmux or sshd. One empty
        // cycle here, before anything is drawn, switches that off; frames are then one write.
        def_prog_mode()
        endwin()
        doupdate()
        if mouse { cn_mouse_on() }
        self.theme = Theme.resolve(theme, environment: environment, terminalHasColors: has_colors()) ?? .mono
        colors = self.theme.usesColor
        roleAttributes = [attr_t](repeating: cn_a_normal(), count: Role.allCases.map { Int($0.rawValue) }.max()! + 1)
        for role in Role.allCases {
            let look = self.theme.look(role)
            var a = cn_a_normal()
            if look.bold { a |= cn_a_bold() }
            if look.dim { a |= cn_a_dim() }
            if look.underline { a |= cn_a_underline() }
            roleAttributes[Int(role.rawValue)] = a
        }
        if colors {
            start_color()
            use_default_colors()
            Palette.install(self.theme)
        }
    }

    /// Columns and rows now.
    public var size: (cols: Int, rows: Int) {
        var y: Int32 = 0, x: Int32 = 0
        cn_getmaxyx(cn_stdscr(), &y, &x)
        return (Int(x), Int(y))
    }

    /// Draws `grid`, writing only the cells that changed since the last frame.
    /// - Returns: how many cells were written.
    @discardableResult
    public func draw(_ grid: Grid) -> Int {
        let win = cn_stdscr()
        let changes = grid.diff(from: previous)
        if changes.clear { wclear(win) }
        var cell = cchar_t()
        // A cell's scalars (at most five, as curses keeps), NUL-terminated, in one buffer for the frame.
        withUnsafeTemporaryAllocation(of: wchar_t.self, capacity: 6) { wch in
            for i in changes.cells {
                let c = grid.cells[i]
                var n = 0
                for scalar in c.text.unicodeScalars.prefix(5) {
                    wch[n] = wchar_t(bitPattern: scalar.value)
                    n += 1
                }
                if n == 0 {
                    wch[0] = 0x20
                    n = 1
                }
                wch[n] = 0
                cn_setcchar(&cell, wch.baseAddress!, attributes(c.style), colors ? Int16(Palette.pair(c.style.role)) : 0)
                mvwadd_wch(win, Int32(i / grid.cols), Int32(i % grid.cols), &cell)
            }
        }
        wnoutrefresh(win)
        doupdate()
        previous = grid
        return changes.cells.count
    }

    /// Forces a full redraw on the next frame (after a resume from Ctrl-Z, a resize).
    public func invalidate() { previous = nil }

    private func attributes(_ s: Style) -> attr_t {
        var a = roleAttributes[Int(s.role.rawValue)]
        if s.bold { a |= cn_a_bold() }
        if s.reverse { a |= cn_a_reverse() }
        return a
    }

    /// Everything typed since the last call.
    public func read() -> [TerminalInput] {
        var out: [TerminalInput] = []
        if TerminalGuard.reloadRequested != 0 {
            TerminalGuard.reloadRequested = 0
            out.append(.reload)
        }
        var ch: wint_t = 0
        while true {
            let r = wget_wch(cn_stdscr(), &ch)
            if r == cn_err() { break }
            if r == cn_key_code_yes() {
                let code = Int32(ch)
                switch code {
                case cn_key_resize():
                    let s = size
                    out.append(.resize(cols: s.cols, rows: s.rows))
                case cn_key_mouse():
                    var x: Int32 = 0, y: Int32 = 0
                    switch cn_get_mouse(&x, &y) {
                    case 1: out.append(.mouse(.click, x: Int(x), y: Int(y)))
                    case 4: out.append(.mouse(.wheelUp, x: Int(x), y: Int(y)))
                    case 5: out.append(.mouse(.wheelDown, x: Int(x), y: Int(y)))
                    default: break
                    }
                case KEY_UP: out.append(.key(.up))
                case KEY_DOWN: out.append(.key(.down))
                case KEY_LEFT: out.append(.key(.left))
                case KEY_RIGHT: out.append(.key(.right))
                case KEY_PPAGE: out.append(.key(.pageUp))
                case KEY_NPAGE: out.append(.key(.pageDown))
                case KEY_HOME: out.append(.key(.home))
                case KEY_END: out.append(.key(.end))
                case KEY_BTAB: out.append(.key(.backTab))
                case KEY_BACKSPACE: out.append(.key(.backspace))
                case KEY_ENTER: out.append(.key(.enter))
                default: break
                }
                continue
            }
            switch ch {
            case 9: out.append(.key(.tab))
            case 10, 13: out.append(.key(.enter))
            case 27: out.append(.key(.escape))
            case 8, 127: out.append(.key(.backspace))
            default:
                if ch >= 32, let scalar = Unicode.Scalar(UInt32(ch)) { out.append(.key(.char(Character(scalar)))) }
            }
        }
        return out
    }

    public func bell() { beep() }

    public func passThrough(_ sequence: [UInt8]) {
        // curses writes each frame with write(2) and flushes it in doupdate, so the sequence
        // lands between frames, not inside one.
        var offset = 0
        while offset < sequence.count {
            let n = sequence.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue } else { return } }
            offset += n
        }
    }

    public var inputDescriptor: Int32 { 0 }
    public var stopSignal: Int32 { TerminalGuard.stopSignal }
    public func setWakeDescriptor(_ fd: Int32) { TerminalGuard.wakeFD = fd }

    /// Restores the terminal (normal screen, cursor, modes). Safe to call twice.
    public func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        if let s = screen { delscreen(s) }
        screen = nil
        TerminalGuard.uninstall()
    }

    deinit { close() }
}

/// Colour pairs by role: one pair per role, from the theme's table (DashboardRender's `Theme`).
/// Severity never relies on colour alone: rows carry the severity as text, and the mono theme
/// marks critical and failed with bold and underline.
enum Palette {
    static func pair(_ role: Role) -> Int { Int(role.rawValue) + 1 }

    static func install(_ theme: Theme) {
        for role in Role.allCases {
            let look = theme.look(role)
            init_pair(Int16(pair(role)), look.foreground.rawValue, look.background.rawValue)
        }
    }
}

/// Puts the terminal back however the process ends: on SIGINT/SIGTERM/SIGHUP the run loop is
/// woken to close curses; on a crash signal the saved terminal modes are restored directly
/// (async-signal-safe) and the alternate screen is left before the signal takes its course.
public enum TerminalGuard {
    /// The modes to restore. Heap storage with room to spare, not a Swift global `termios`: Swift
    /// sizes a global to the struct's size without tail padding, and `tcgetattr` writes the C
    /// `sizeof` — AddressSanitizer caught it writing 3 bytes past the global into its neighbours.
    nonisolated(unsafe) static let saved: UnsafeMutablePointer<termios> = {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(MemoryLayout<termios>.stride, 128), alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(MemoryLayout<termios>.stride, 128))
        return raw.bindMemory(to: termios.self, capacity: 1)
    }()
    nonisolated(unsafe) static var haveSaved = false
    /// The run loop's wake-up pipe; the stop signals write one byte to it.
    nonisolated(unsafe) public static var wakeFD: Int32 = -1
    nonisolated(unsafe) public static var stopSignal: Int32 = 0
    /// Set by SIGUSR1 (a reload asked for from outside: `pkill -USR1 realtime-dash`).
    nonisolated(unsafe) public static var reloadRequested: Int32 = 0

    static func saveTermios() {
        if tcgetattr(0, saved) == 0 { haveSaved = true }
    }

    static func install() {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { s in
                TerminalGuard.stopSignal = s
                if TerminalGuard.wakeFD >= 0 {
                    var b: UInt8 = 0x21
                    _ = write(TerminalGuard.wakeFD, &b, 1)
                }
            }
        }
        // SIGHUP stays a stop signal: the kernel sends it when the terminal or the ssh session
        // hangs up, and a console with no terminal must end. SIGUSR1 asks for a reload.
        signal(SIGUSR1) { _ in
            TerminalGuard.reloadRequested = 1
            if TerminalGuard.wakeFD >= 0 {
                var b: UInt8 = 0x21
                _ = write(TerminalGuard.wakeFD, &b, 1)
            }
        }
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] {
            signal(sig) { s in
                TerminalGuard.emergencyRestore()
                signal(s, SIG_DFL)
                raise(s)
            }
        }
    }

    static func uninstall() {
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP] { signal(sig, SIG_DFL) }
    }

    /// Leaves the alternate screen, shows the cursor, resets attributes and restores the modes.
    static func emergencyRestore() {
        // Mouse reporting off too (harmless when it was never on): a shell that gets clicks as
        // escape sequences is unusable.
        let reset: StaticString = "\u{1b}[0m\u{1b}[?25h\u{1b}[?1000l\u{1b}[?1006l\u{1b}[?1049l\r\n"
        _ = write(1, reset.utf8Start, reset.utf8CodeUnitCount)
        if haveSaved { _ = tcsetattr(0, TCSANOW, saved) }
    }
}

/// Curses for the length of `body`: the terminal is set up, handed to `body`, and restored
/// however `body` ends (the one scope in which curses is used).
public func withTerminal<T>(
    theme: String, environment: [String: String], mouse: Bool = false, _ body: (Terminal) throws -> T
) throws -> T {
    let terminal = try Terminal(theme: theme, environment: environment, mouse: mouse)
    defer { terminal.close() }
    return try body(terminal)
}

/// What curses knows of a terminal type, without starting it (for `realtime-dash info`).
public struct TerminalFacts: Sendable {
    public var known: Bool
    public var colors: Int
    public var utf8: Bool
    public var codeset: String

    public static func probe(term: String) -> TerminalFacts {
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET)))
        let utf8 = codeset.uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        guard !term.isEmpty else { return TerminalFacts(known: false, colors: 0, utf8: utf8, codeset: codeset) }
        let colors = Int(cn_probe_colors(term))
        return TerminalFacts(known: colors >= 0, colors: max(colors, 0), utf8: utf8, codeset: codeset)
    }
}
