import DashboardRender
import Testing

@Suite("Themes as data")
struct ThemeTests {
    @Test("every theme has a look for every role")
    func complete() {
        for theme in Theme.allCases {
            for role in Role.allCases {
                #expect(Theme.schemesCover(theme, role), "\(theme) has no look for \(role)")
            }
        }
    }

    @Test("mono uses no colour, and marks critical and failed without it")
    func mono() {
        for role in Role.allCases {
            let look = Theme.mono.look(role)
            #expect(look.foreground == .terminalDefault && look.background == .terminalDefault)
        }
        for role in [Role.critical, .statusFailed] {
            #expect(Theme.mono.look(role).bold && Theme.mono.look(role).underline)
        }
    }

    @Test("light has no yellow or cyan text (unreadable on a light background)")
    func light() {
        for role in Role.allCases {
            #expect(![.yellow, .cyan, .white].contains(Theme.light.look(role).foreground), "\(role)")
        }
    }

    @Test("auto is colour where the terminal has colours; NO_COLOR or no colours always mean mono")
    func resolve() {
        #expect(Theme.resolve("auto", environment: [:], terminalHasColors: true) == .color)
        #expect(Theme.resolve("light", environment: [:], terminalHasColors: true) == .light)
        #expect(Theme.resolve("light", environment: ["NO_COLOR": "1"], terminalHasColors: true) == .mono)
        #expect(Theme.resolve("color", environment: [:], terminalHasColors: false) == .mono)
        #expect(Theme.resolve("sepia", environment: [:], terminalHasColors: true) == nil)
        #expect(Theme.names == ["auto", "color", "mono", "light"])
    }
}

@Suite("Salience")
struct SalienceTests {
    /// Issue 11.8: ERROR's red read louder than CRITICAL's magenta. CRITICAL must carry more
    /// than ERROR in every theme: a background of its own, or attributes ERROR does not have.
    @Test("CRITICAL is the most salient look in every theme", arguments: Theme.allCases)
    func criticalLoudest(theme: Theme) {
        let critical = theme.look(.critical), error = theme.look(.error)
        func weight(_ l: Look) -> Int {
            (l.background != .terminalDefault ? 4 : 0) + (l.bold ? 2 : 0) + (l.underline ? 1 : 0) - (l.dim ? 4 : 0)
        }
        #expect(weight(critical) > weight(error), "\(theme): critical \(critical) vs error \(error)")
        for role in Role.allCases where role != .critical {
            #expect(weight(theme.look(role)) <= weight(critical), "\(theme): \(role) is not louder than critical")
        }
    }
}
