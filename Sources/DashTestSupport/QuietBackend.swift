import DemoBackend

/// A quiet backend for tests: no background simulation and no random storms (events come only
/// from what a test publishes), pings every `ping`, the /__admin controls on.
public func quietBackend(
    ping: Duration = .milliseconds(100), _ adjust: (inout DemoBackend.Configuration) -> Void = { _ in }
) -> DemoBackend.Configuration {
    var c = DemoBackend.Configuration()
    c.runsSimulation = false
    c.randomStorms = false
    c.pingInterval = ping
    c.admin = true
    adjust(&c)
    return c
}
