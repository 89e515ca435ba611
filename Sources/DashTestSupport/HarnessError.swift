/// A test or benchmark harness could not do what it was asked (start a process, open a pty).
public struct HarnessError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A bounded wait ran out: `what` names what never happened.
public struct TimedOut: Error, CustomStringConvertible, Sendable {
    public var what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out: \(what)" }
}
