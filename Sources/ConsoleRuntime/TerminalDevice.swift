import DashboardCore
import DashboardRender

/// What the terminal reported.
public enum TerminalInput: Sendable, Equatable {
    case key(Key)
    case resize(cols: Int, rows: Int)
    /// A click or a wheel turn at cell (x, y) (with the mouse on).
    case mouse(PointerEvent, x: Int, y: Int)
    /// SIGUSR1: read the configuration again (SIGHUP stays a hang-up: the terminal went away).
    case reload
}

/// The terminal as the run loop sees it: a descriptor to wait on, keys to read, grids to show.
///
/// `TerminalCurses.Terminal` is the real one; tests drive a fake that queues keys behind a pipe
/// and keeps every grid it was asked to draw. Used from one thread only (curses is not
/// thread-safe), the run loop's.
public protocol TerminalDevice: AnyObject {
    /// Columns and rows now.
    var size: (cols: Int, rows: Int) { get }
    /// Draw ASCII look-alikes instead of box-drawing and block glyphs (a non-UTF-8 locale).
    var ascii: Bool { get }
    /// The descriptor that becomes readable when input is waiting (standard input).
    var inputDescriptor: Int32 { get }
    /// Everything typed (and every resize) since the last call; never blocks.
    func read() -> [TerminalInput]
    /// Shows `grid`. - Returns: how many cells were written.
    @discardableResult func draw(_ grid: Grid) -> Int
    /// The next `draw` redraws every cell (after a resize or a resume from Ctrl-Z).
    func invalidate()
    func bell()
    /// Writes an escape sequence as it is, between frames (OSC 52 for a yank). Built only by
    /// this program (``OSC52``), never from network text.
    func passThrough(_ sequence: [UInt8])
    /// The stop signal that arrived (SIGINT, SIGTERM, SIGHUP), or 0.
    var stopSignal: Int32 { get }
    /// A descriptor the signal handler writes one byte to, so that a signal wakes the loop's
    /// `poll`; -1 when the loop ends.
    func setWakeDescriptor(_ fd: Int32)
}
