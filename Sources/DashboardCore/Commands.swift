import RealtimeProtocol

/// The `:` command line being typed: its text, where ↑↓ are in the history, and what an
/// ambiguous Tab offered.
public struct CommandPrompt: Sendable, Equatable {
    public var text = ""
    /// The history entry shown while ↑↓ browse it (nil: the line being typed).
    public var historyIndex: Int? = nil
    /// What was typed before ↑ started browsing (↓ past the newest entry brings it back).
    public var typed = ""
    /// The completions an ambiguous Tab found, shown after the text.
    public var candidates: [String] = []

    public init(text: String = "") { self.text = text }
}

/// One `:` command: its name and aliases, its argument as the help shows it, and what it does.
public struct ConsoleCommand: Sendable {
    public var name: String
    public var aliases: [String]
    public var argument: String
    public var help: String
}

/// The `:` commands. The help overlay, Tab completion and dispatch all read this one table.
public enum Commands {
    /// How many commands the history file keeps.
    public static let historyLimit = 200

    /// The panes by command name (`:alerts` focuses the Alerts pane, like `2`).
    static let panes: [(name: String, aliases: [String], pane: Pane)] = [
        ("alerts", ["alert"], .alerts), ("onu", ["onus", "ont"], .onu), ("tickets", ["ticket"], .tickets),
        ("subscribers", ["subs"], .subscribers), ("sessions", ["radius"], .sessions), ("jobs", ["campaigns"], .jobs),
    ]

    public static let table: [ConsoleCommand] =
        panes.map { ConsoleCommand(name: $0.name, aliases: $0.aliases, argument: "", help: "focus \($0.pane.title)") } + [
            ConsoleCommand(name: "tenant", aliases: [], argument: "NAME|all", help: "show one tenant, or all"),
            ConsoleCommand(
                name: "filter", aliases: [], argument: "[QUERY]", help: "the focused pane's / query; without one, clears it"),
            ConsoleCommand(
                name: "sort", aliases: [], argument: "COLUMN [asc|desc] | none | lazy | live",
                help: "sort the focused pane; none: its own order; lazy: rows still while you move"),
            ConsoleCommand(name: "clear", aliases: [], argument: "", help: "clear the focused pane, as x does"),
            ConsoleCommand(
                name: "readonly", aliases: ["ro"], argument: "[on|off]", help: "refuse cancel, pause and resume (acks still work)"
            ),
            ConsoleCommand(
                name: "profile", aliases: [], argument: "NAME", help: "switch to a profile of the config (streams reopened)"),
            ConsoleCommand(
                name: "reload", aliases: [], argument: "", help: "read the config and token files again and reopen the streams"),
            ConsoleCommand(name: "help", aliases: ["h"], argument: "", help: "the keys and commands"),
            ConsoleCommand(name: "quit", aliases: ["q", "q!"], argument: "", help: "quit"),
        ]

    static func command(named word: String) -> ConsoleCommand? {
        let w = word.lowercased()
        return table.first { $0.name == w || $0.aliases.contains(w) }
    }

    /// The values an argument of `command` can take, for Tab.
    static func argumentValues(_ command: ConsoleCommand, _ state: AppState) -> [String] {
        switch command.name {
        case "tenant": state.tenants + ["all"]
        case "sort":
            AppState.sortColumns(state.focus).map(\.name) + (state.focus == .sessions ? [] : ["none"]) + ["lazy", "live"]
        case "readonly": ["on", "off"]
        case "profile": state.profiles
        default: []
        }
    }

    // MARK: Completion

    /// Tab: completes the word being typed (a command, then its argument). One candidate is
    /// taken whole; several extend the text to what they share and are listed.
    static func complete(_ prompt: inout CommandPrompt, _ state: AppState) {
        let endsInSpace = prompt.text.hasSuffix(" ")
        var words = prompt.text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if endsInSpace || words.isEmpty { words.append("") }
        let current = words[words.count - 1].lowercased()
        let options: [String]
        if words.count == 1 {
            options = table.map(\.name)
        } else if words.count == 2, let c = command(named: words[0]) {
            options = argumentValues(c, state)
        } else if words.count == 3, command(named: words[0])?.name == "sort" {
            options = ["asc", "desc"]
        } else {
            options = []
        }
        let hits = options.filter { $0.lowercased().hasPrefix(current) }
        prompt.candidates = []
        guard !hits.isEmpty else {
            prompt.candidates = []
            return
        }
        let head = words.dropLast().map { $0 + " " }.joined()
        if hits.count == 1 {
            let done = words.count == 1 ? (command(named: hits[0])?.argument.isEmpty == false) : words[0].lowercased() == "sort"
            prompt.text = head + hits[0] + (done && words.count < 3 ? " " : "")
        } else {
            prompt.text = head + commonPrefix(hits)
            prompt.candidates = hits
        }
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for w in words.dropFirst() {
            while !w.lowercased().hasPrefix(prefix.lowercased()) { prefix.removeLast() }
        }
        return prefix
    }

    // MARK: Running

    /// Runs the command line `text`; anything it cannot do is said in one line (the flash),
    /// never dropped in silence.
    static func run(_ text: String, _ state: inout AppState) -> [Effect] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let first = trimmed.split(separator: " ").first.map(String.init) else { return [] }
        let rest = String(trimmed.dropFirst(first.count)).trimmingCharacters(in: .whitespaces)
        let args = rest.split(separator: " ").map(String.init)
        guard let command = command(named: first) else {
            flash(&state, "unknown command ':\(first)' (:help lists them): \(table.map(\.name).joined(separator: ", "))")
            return []
        }
        if let p = panes.first(where: { $0.name == command.name }) {
            guard args.isEmpty else { return extra(&state, command, args) }
            state.focus = p.pane
            return []
        }
        switch command.name {
        case "tenant":
            guard args.count == 1 else {
                flash(&state, ":tenant needs one tenant: \((state.tenants + ["all"]).joined(separator: ", "))")
                return []
            }
            if args[0].lowercased() == "all" {
                state.tenantFilter = nil
            } else if let t = state.tenants.first(where: { $0 == args[0] }) {
                state.tenantFilter = t
            } else {
                flash(&state, "unknown tenant '\(args[0])': \((state.tenants + ["all"]).joined(separator: ", "))")
            }
        case "filter":
            guard !rest.isEmpty else {
                state.filters[state.focus] = nil
                flash(&state, "\(state.focus.title): no filter")
                return []
            }
            switch Query.parse(rest) {
            case .success: state.filters[state.focus] = rest
            case .failure(let e): flash(&state, "not applied: \(e.message)")
            }
        case "sort":
            return sort(&state, args)
        case "clear":
            guard args.isEmpty else { return extra(&state, command, args) }
            return handleKeyCommand(&state, .clearPane)
        case "readonly":
            return readOnly(&state, args)
        case "profile":
            let known = state.profiles.isEmpty ? "the config has no profiles" : state.profiles.joined(separator: ", ")
            guard args.count == 1 else {
                flash(&state, ":profile needs one name: \(known)")
                return []
            }
            guard state.profiles.contains(args[0]) else {
                flash(&state, "unknown profile '\(args[0])': \(known)")
                return []
            }
            guard args[0] != state.profile else {
                flash(&state, "already on profile \(args[0]); :reload reads its config and tokens again")
                return []
            }
            if state.refusedInReplay("switching profiles") { return [] }
            flash(&state, "switching to profile \(args[0])…")
            state.pendingSwitch = "profile \(args[0])"
            return [.switchProfile(args[0])]
        case "reload":
            guard args.isEmpty else { return extra(&state, command, args) }
            if state.refusedInReplay("reloading") { return [] }
            return requestReload(&state, why: "reading the config and token files again…")
        case "help":
            guard args.isEmpty else { return extra(&state, command, args) }
            state.overlay = .help
        case "quit":
            guard args.isEmpty else { return extra(&state, command, args) }
            return [.quit]
        default:
            break
        }
        return []
    }

    static func requestReload(_ state: inout AppState, why: String) -> [Effect] {
        flash(&state, why)
        state.pendingSwitch = "reload"
        return [.reload]
    }

    static func extra(_ state: inout AppState, _ command: ConsoleCommand, _ args: [String]) -> [Effect] {
        flash(&state, ":\(command.name) takes no argument, not '\(args.joined(separator: " "))'")
        return []
    }

    static func sort(_ state: inout AppState, _ args: [String]) -> [Effect] {
        let pane = state.focus
        let columns = AppState.sortColumns(pane)
        let names = columns.map(\.name)
        let choices = (names + (pane == .sessions ? [] : ["none"]) + ["lazy", "live"]).joined(separator: ", ")
        guard (1...2).contains(args.count) else {
            flash(&state, ":sort needs a column of \(pane.title): \(choices)")
            return []
        }
        switch args[0].lowercased() {
        case "lazy", "live":
            if state.lazySort != (args[0].lowercased() == "lazy") { return handleKeyCommand(&state, .lazySort) }
            return []
        case "none" where pane != .sessions:
            state.sorts[pane] = nil
            return []
        default:
            break
        }
        guard let index = columns.firstIndex(where: { $0.name == args[0].lowercased() }) else {
            flash(&state, "unknown column '\(args[0])' of \(pane.title): \(choices)")
            return []
        }
        let current = state.sortShown(pane)
        var descending = current?.column == columns[index] ? current!.descending : columns[index].descendingFirst
        if args.count == 2 {
            switch args[1].lowercased() {
            case "asc": descending = false
            case "desc": descending = true
            default:
                flash(&state, "'\(args[1])' is not a direction: asc, desc")
                return []
            }
        }
        state.setSort(pane, column: index, descending: descending)
        return []
    }

    static func readOnly(_ state: inout AppState, _ args: [String]) -> [Effect] {
        switch args.first?.lowercased() {
        case nil, "on":
            // The operator's own from now on: it stays when the profile that also asked for it goes.
            if state.readOnly == nil || state.readOnly!.hasPrefix("profile ") { state.readOnly = ":readonly" }
            flash(&state, "read-only (\(state.readOnly!)): cancel, pause and resume are refused; acks still work")
        case "off":
            switch state.readOnly {
            case nil: flash(&state, "not read-only")
            case ":readonly"?:
                state.readOnly = nil
                flash(&state, "read-only off: cancel, pause and resume are sent again")
            case let why?:
                flash(&state, "read-only comes from \(why): it stays for this session")
            }
        case let other?:
            flash(&state, "'\(other)' is not on or off")
        }
        return []
    }
}

extension SessionSort {
    /// The column's name in `:sort`.
    public var commandName: String {
        switch self {
        case .bytesIn: "in"
        case .bytesOut: "out"
        case .rateIn: "rate"
        case .duration: "duration"
        case .user: "user"
        }
    }
}
