/// Sees everything a client's inbox is given, as it is given, before any coalescing (`--record`).
///
/// In two steps, so that the inbox's lock is held only for the cheap one: ``prepare(_:)`` runs on
/// the pushing thread (an event loop) before the lock is taken, and may run on several threads at
/// once; ``commit(_:)`` runs under the lock, so the commits come in the order the consumer will
/// drain the events. Neither may wait.
public protocol InboxTap: AnyObject, Sendable {
    associatedtype Prepared
    /// The work that does not depend on order (encoding a read's frames). Called once per push.
    ///
    /// `events` must be left as they were: they are `inout` only so that a tap can read each one
    /// where it is (read from a shared array, an event is copied: a retain and a release of each
    /// of its strings and arrays).
    func prepare(_ events: inout [ClientEvent]) -> Prepared
    /// Keeps what ``prepare(_:)`` made, in the inbox's order.
    func commit(_ prepared: Prepared)
}
