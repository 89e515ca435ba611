/// A standing warning (a token about to expire, a token file others can read): a short form that
/// fits the console's header, the whole sentence for the connections panel, the log and `tail`.
public struct Notice: Sendable, Equatable {
    public var short: String
    public var full: String
    public init(short: String, full: String) {
        self.short = short
        self.full = full
    }
}
