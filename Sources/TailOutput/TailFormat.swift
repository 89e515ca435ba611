/// What `tail` writes for each event.
public enum TailFormat: String, Sendable, CaseIterable {
    /// Each event's JSON exactly as received, one per line.
    case jsonl
    /// One readable line per event, control characters made visible.
    case text
    /// Nothing per event; the total at the end.
    case count
}
