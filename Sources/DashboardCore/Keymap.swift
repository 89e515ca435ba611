/// A key as the terminal layer decodes it.
public enum Key: Sendable, Hashable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case tab, backTab, enter, escape, backspace
}

/// What a key binding does.
public enum KeyCommand: Sendable, Equatable {
    case focusNext, focusPrevious, focus(Pane)
    case moveUp, moveDown, pageUp, pageDown, first, last
    case zoom, detail, close, startFilter, cycleTenant, freeze
    case nextSortColumn, flipSortDirection, lazySort
    case cancel, pause, resume
    case reconnectAll, connections, clearPane, help, quit
    case acknowledge, silence, back
    case commandLine, yank, yankID
}

/// One line of the keymap: the keys, how the help shows them, and what they do.
public struct Binding: Sendable {
    public var keys: [Key]
    public var label: String
    public var help: String
    public var command: KeyCommand
    /// Shown in the footer line when set: a short label and word ("/", "filter").
    public var hint: (label: String, text: String)? = nil
}

/// The default keymap. The help overlay is generated from this same table.
public enum Keymap {
    public static let bindings: [Binding] =
        [
            Binding(keys: [.tab], label: "Tab", help: "next pane", command: .focusNext, hint: ("Tab/1-6", "panes")),
            Binding(keys: [.backTab], label: "Shift-Tab", help: "previous pane", command: .focusPrevious),
        ]
        + Pane.allCases.map { p in
            Binding(
                keys: [.char(Character(String(p.rawValue + 1)))], label: "\(p.rawValue + 1)", help: "focus \(p.title)",
                command: .focus(p))
        } + [
            Binding(keys: [.up, .char("k")], label: "↑ k", help: "select previous row", command: .moveUp),
            Binding(keys: [.down, .char("j")], label: "↓ j", help: "select next row", command: .moveDown),
            Binding(keys: [.pageUp], label: "PgUp", help: "page up", command: .pageUp),
            Binding(keys: [.pageDown], label: "PgDn", help: "page down", command: .pageDown),
            Binding(keys: [.home, .char("g")], label: "Home g", help: "first row", command: .first),
            Binding(keys: [.end, .char("G")], label: "End G", help: "last row", command: .last),
            Binding(keys: [.char("z")], label: "z", help: "zoom the focused pane", command: .zoom),
            Binding(
                keys: [.enter], label: "Enter", help: "detail of the selected row (JSON)", command: .detail,
                hint: ("Enter", "detail")),
            Binding(keys: [.escape], label: "Esc", help: "close a dialog or overlay", command: .close),
            Binding(
                keys: [.char("/")], label: "/", help: "filter the pane: words or field queries (see / query below)",
                command: .startFilter, hint: ("/", "filter")),
            Binding(
                keys: [.char("t")], label: "t", help: "tenant filter: all, then each tenant", command: .cycleTenant,
                hint: ("t", "tenant")),
            Binding(
                keys: [.char(" ")], label: "space", help: "freeze the view (ingest continues)", command: .freeze,
                hint: ("space", "freeze")),
            Binding(
                keys: [.char("s")], label: "s", help: "sort by the next column (then the pane's own order)",
                command: .nextSortColumn),
            Binding(keys: [.char("S")], label: "S", help: "reverse the sort", command: .flipSortDirection),
            Binding(
                keys: [.char("L")], label: "L", help: "lazy sort: rows stay still while you move the selection",
                command: .lazySort),
            Binding(keys: [.char("c")], label: "c", help: "jobs: cancel (asks y/n)", command: .cancel),
            Binding(keys: [.char("p")], label: "p", help: "jobs: pause", command: .pause),
            Binding(keys: [.char("r")], label: "r", help: "jobs: resume", command: .resume),
            Binding(keys: [.char("R")], label: "R", help: "reconnect all (re-reads token files)", command: .reconnectAll),
            Binding(keys: [.char("C")], label: "C", help: "connections panel", command: .connections, hint: ("C", "connections")),
            Binding(
                keys: [.char("x")], label: "x", help: "clear: history; cleared alerts; hide finished jobs", command: .clearPane),
            Binding(
                keys: [.char("a")], label: "a", help: "ack/unack the alert group or outage (local to this console)",
                command: .acknowledge),
            Binding(
                keys: [.char("m")], label: "m", help: "silence/unsilence its bell and flash for 1 h (local)", command: .silence),
            Binding(
                keys: [.char("b")], label: "b", help: "back to the outage's ONU list after a jump to a subscriber",
                command: .back),
            Binding(
                keys: [.char("y")], label: "y", help: "copy the selected row's JSON as received (OSC 52 and yank.json)",
                command: .yank),
            Binding(keys: [.char("Y")], label: "Y", help: "copy the selected row's id", command: .yankID),
            Binding(
                keys: [.char(":")], label: ":", help: "command line: Tab completes, ↑↓ history (commands below)",
                command: .commandLine, hint: (":", "command")),
            Binding(keys: [.char("?")], label: "?", help: "this help", command: .help, hint: ("?", "help")),
            Binding(keys: [.char("q")], label: "q", help: "quit", command: .quit, hint: ("q", "quit")),
        ]

    static let table: [Key: KeyCommand] = {
        var t: [Key: KeyCommand] = [:]
        for b in bindings { for k in b.keys { t[k] = b.command } }
        return t
    }()

    public static func command(for key: Key) -> KeyCommand? { table[key] }

    /// The footer's hints, most useful first: help, then in keymap order.
    public static var hints: [(label: String, text: String)] {
        let all = bindings.compactMap(\.hint)
        return all.filter { $0.label == "?" } + all.filter { $0.label != "?" }
    }
}

extension AppState {
    /// The help overlay, as (label, text) lines: the keys (from the table that dispatches them),
    /// the status marks, the mouse, the `:` commands and the `/` query fields. The renderer draws
    /// these and scrolling counts them, so the end of the help is always reachable.
    public var helpLines: [(label: String, text: String)] {
        var lines = Keymap.bindings.map { b in (b.label, b.help) }
        if replay != nil {
            // The keys the replay takes are listed as the replay's, not as what they do live.
            let taken = Keymap.bindings.compactMap { b -> (String, String)? in
                let left = b.keys.filter { ReplayControl.forKey($0) == nil }
                if left.isEmpty { return nil }
                if left.count == b.keys.count { return (b.label, b.help) }
                return (b.label.split(separator: " ").filter { $0 != "g" && $0 != "G" }.joined(separator: " "), b.help)
            }
            lines = ReplayControl.help + [("", "")] + taken
        }
        lines.append(("", ""))
        lines.append(("status", "● live  ◌ connecting/retry  ◍ stale  ✖ auth/gave up  ■ stopped  ◐ polled"))
        lines.append(("ERROR?", "raised before a gap in its stream: it may have cleared while we were away (unverified)"))
        lines.append(("rate ?", "a session seen before a gap in its stream, dim until its next update: it may have ended"))
        lines.append(("OUTAGE?", "an outage seen before a gap in the ONU stream: its ONUs may be back (unverified)"))
        lines.append(("", ""))
        lines.append(
            mouse
                ? ("mouse", "on: click focuses and selects, a column title sorts (again: reverses), the wheel scrolls")
                : ("mouse", "off (--mouse or ui.mouse turns it on)"))
        lines.append(("", "while it is on, hold Shift while dragging to select text (Option on macOS)"))
        lines.append(("", ""))
        for c in Commands.table {
            let aliases = c.aliases.isEmpty ? "" : " (also " + c.aliases.map { ":" + $0 }.joined(separator: " ") + ")"
            lines.append((":" + c.name, (c.argument.isEmpty ? "" : c.argument + "  ") + c.help + aliases))
        }
        lines.append(("", ""))
        lines.append(("/ query", "words match anywhere; field=v field!=v field~regex; < <= > >= on numbers and sev"))
        lines.append(("", "spaces: and; 'or' between alternatives; a leading ! inverts; quote values with spaces"))
        lines.append(("", "e.g. sev>=error source~^olt-0[12]   pon=11 status=offline   rate_in>1000000 or user~^bob"))
        lines.append(("", "any other name is looked up in the event's JSON (top level, then data): signal_dbm<-27"))
        for pane in Pane.allCases {
            let fields = RowFields.fields(for: pane).map { f in ([f.name] + f.aliases).joined(separator: "/") }
            lines.append((pane == focus ? "▸" + pane.shortTitle : pane.shortTitle, fields.joined(separator: " ")))
        }
        return lines
    }
}
