/// The eight terminal colours, plus the terminal's own default.
public enum TerminalColor: Int16, Sendable, CaseIterable {
    case terminalDefault = -1
    case black, red, green, yellow, blue, magenta, cyan, white
}

/// How one role looks in one theme: colours and the attributes that carry meaning without them.
public struct Look: Sendable, Equatable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var bold: Bool
    public var underline: Bool
    public var dim: Bool

    public init(
        _ foreground: TerminalColor = .terminalDefault, on background: TerminalColor = .terminalDefault,
        bold: Bool = false, underline: Bool = false, dim: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.underline = underline
        self.dim = dim
    }
}

/// Colour schemes as data: each theme is a table role → look (htop's `CRT_colorSchemes`).
///
/// `mono` uses no colour at all: what matters is carried by attributes (critical and failed are
/// bold and underlined, dim and borders are dim), and every severity is also written as text.
/// `light` is `color` for a light background, without yellow and cyan text.
public enum Theme: String, Sendable, CaseIterable {
    case color, mono, light

    /// The theme for `name` (`auto`, `color`, `mono`, `light`): `auto` is `color` where the
    /// terminal has colours, and `NO_COLOR` in the environment or a terminal without colours
    /// always means `mono`. Nil for an unknown name.
    public static func resolve(_ name: String, environment: [String: String], terminalHasColors: Bool) -> Theme? {
        let wanted: Theme
        if name == "auto" {
            wanted = .color
        } else if let named = Theme(rawValue: name) {
            wanted = named
        } else {
            return nil
        }
        return environment["NO_COLOR"] != nil || !terminalHasColors ? .mono : wanted
    }

    /// The names `--theme` and `ui.theme` accept.
    public static let names = ["auto"] + allCases.map(\.rawValue)

    /// The role that draws a profile's name in accent colour `name` (`red` … `cyan`).
    public static func accentRole(_ name: String?) -> Role {
        switch name {
        case "red": .accentRed
        case "green": .accentGreen
        case "yellow": .accentYellow
        case "blue": .accentBlue
        case "magenta": .accentMagenta
        case "cyan": .accentCyan
        default: .header
        }
    }

    public var usesColor: Bool { self != .mono }

    public func look(_ role: Role) -> Look { Theme.schemes[self]![role] ?? Look() }

    /// Whether the table of `theme` names a look for `role` (``look(_:)`` falls back to plain).
    public static func schemesCover(_ theme: Theme, _ role: Role) -> Bool { schemes[theme]?[role] != nil }

    // swift-format-ignore: a table, laid out by hand
    static let schemes: [Theme: [Role: Look]] = [
        .color: [
            .normal: Look(), .dim: Look(dim: true), .overlay: Look(), .border: Look(dim: true),
            .header: Look(.cyan), .title: Look(.cyan), .titleFocused: Look(.yellow), .borderFocused: Look(.yellow),
            .selected: Look(.cyan),
            .good: Look(.green), .statusLive: Look(.green),
            .info: Look(.cyan), .statusConnecting: Look(.cyan),
            .warning: Look(.yellow), .statusBackoff: Look(.yellow), .frozen: Look(.yellow),
            .error: Look(.red), .statusFailed: Look(.red), .flash: Look(.red),
            .critical: Look(.white, on: .red, bold: true), .statusStopped: Look(.magenta),
            .accentRed: Look(.white, on: .red, bold: true), .accentGreen: Look(.black, on: .green, bold: true),
            .accentYellow: Look(.black, on: .yellow, bold: true), .accentBlue: Look(.white, on: .blue, bold: true),
            .accentMagenta: Look(.white, on: .magenta, bold: true), .accentCyan: Look(.black, on: .cyan, bold: true),
        ],
        .light: [
            .normal: Look(), .dim: Look(dim: true), .overlay: Look(), .border: Look(dim: true),
            .header: Look(.blue), .title: Look(.blue), .titleFocused: Look(.magenta), .borderFocused: Look(.magenta),
            .selected: Look(.blue),
            .good: Look(.green), .statusLive: Look(.green),
            .info: Look(.blue), .statusConnecting: Look(.blue),
            .warning: Look(.magenta), .statusBackoff: Look(.magenta), .frozen: Look(.magenta),
            .error: Look(.red), .statusFailed: Look(.red), .flash: Look(.red),
            .critical: Look(.red, bold: true, underline: true), .statusStopped: Look(.magenta),
            // Text colours only (a background would outshout CRITICAL here); no yellow or cyan text
            // on a light background: those two are underlined in a colour that reads.
            .accentRed: Look(.red, bold: true), .accentGreen: Look(.green, bold: true),
            .accentYellow: Look(.magenta, underline: true), .accentBlue: Look(.blue, bold: true),
            .accentMagenta: Look(.magenta, bold: true), .accentCyan: Look(.blue, underline: true),
        ],
        .mono: [
            .normal: Look(), .dim: Look(dim: true), .overlay: Look(), .border: Look(dim: true),
            .header: Look(), .title: Look(), .titleFocused: Look(bold: true), .borderFocused: Look(bold: true),
            .selected: Look(),
            .good: Look(), .statusLive: Look(),
            .info: Look(), .statusConnecting: Look(),
            .warning: Look(), .statusBackoff: Look(), .frozen: Look(),
            .error: Look(), .statusFailed: Look(bold: true, underline: true), .flash: Look(),
            .critical: Look(bold: true, underline: true), .statusStopped: Look(),
            // No colour: the name itself, bold, is what tells prod from lab.
            .accentRed: Look(bold: true), .accentGreen: Look(bold: true), .accentYellow: Look(bold: true),
            .accentBlue: Look(bold: true), .accentMagenta: Look(bold: true), .accentCyan: Look(bold: true),
        ],
    ]
}
