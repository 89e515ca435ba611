import RealtimeClient
import RealtimeProtocol

/// What the run loop asks of the network when the reducer returns an effect.
///
/// `ConnectionManager` is the real one; tests record the calls.
public protocol ConsoleEffects: Sendable {
    /// Drops every stream and connects again at once (the `r` key).
    func reconnectAll() async
    /// Sends a job or campaign command on `endpoint` of `tenant`.
    func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) async
}

extension ConnectionManager: ConsoleEffects {}
