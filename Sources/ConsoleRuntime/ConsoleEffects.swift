import DashboardCore
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
    /// Closes every stream and opens profile `name`'s (`:profile`). Synchronous: requests are
    /// queued in the order they were made.
    func switchProfile(_ name: String)
    /// Reads the config and token files again and reopens the streams (`:reload`, SIGUSR1).
    func reload()
    /// A replay key (pause, speed, seek): only a replay has anything to do with it.
    func replay(_ control: ReplayControl)
}

extension ConsoleEffects {
    public func replay(_ control: ReplayControl) {}
}

extension ConnectionManager: ConsoleEffects {
    /// A manager alone runs one configuration for its whole life: it says so.
    public nonisolated func switchProfile(_ name: String) {
        inbox.push(.notice("profile \(name) not applied: this console cannot switch profiles"))
    }
    public nonisolated func reload() {
        inbox.push(.notice("reload not applied: this console cannot reload its configuration"))
    }
}

/// The console's effects through a ``ConnectionSwitch``: commands go to the manager running
/// now; a profile switch or a reload replaces it.
extension ConnectionSwitch: ConsoleEffects {
    public func reconnectAll() async { await manager.reconnectAll() }
    public func send(_ command: ClientCommand, tenant: String, endpoint: Endpoint) async {
        guard let manager = managerForCommands else {
            inbox.push(.notice("\(command.verb) not sent: the connections are being switched; try again when they are live"))
            return
        }
        await manager.send(command, tenant: tenant, endpoint: endpoint)
    }
    public func switchProfile(_ name: String) { request(.profile(name)) }
    public func reload() { request(.reload) }
}
