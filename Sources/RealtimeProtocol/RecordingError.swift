/// A line of a recording that cannot be read, and why.
public struct RecordingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
