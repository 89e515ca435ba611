import Testing

/// The console end to end: each of these suites starts consoles (in tmux or a pseudo-terminal)
/// or floods one, and a console is a whole debug-built process with its own network and
/// terminal work. Under `swift test`'s parallel run they take turns, so that what they measure
/// (a key answered, a screen drawn, a signal handled) is the console's behaviour and not two
/// cores shared by five consoles at once. Everything else still runs beside them.
@Suite("End to end, one console at a time", .serialized)
struct EndToEnd {}
