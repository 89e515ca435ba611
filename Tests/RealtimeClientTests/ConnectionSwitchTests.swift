import DashSettings
import DashTestSupport
import DemoBackend
import Foundation
@testable import RealtimeClient
import RealtimeProtocol
import Testing

/// Issue 14, items 5 and 8: a profile switch or a reload closes every stream and opens the new
/// configuration's, feeding the same inbox.
@Suite("ConnectionSwitch against two DemoBackends")
struct ConnectionSwitchTests {
    @Test(
        "a switch closes the old backend's streams before the marker, opens the new one's, and a bad build changes nothing",
        .timeLimit(.minutes(2)))
    func switches() async throws {
        try await withDemoBackend(quietBackend()) { prod in
            try await withDemoBackend(quietBackend()) { lab in
                let endpoints: [Endpoint] = [.alerts, .onuStatus]
                let prodConfig = try clientConfiguration(
                    prod, tenants: ["t-01": prod.backend.mintToken(tenant: "t-01")], endpoints: endpoints)
                let labConfig = try clientConfiguration(
                    lab, tenants: ["t-02": lab.backend.mintToken(tenant: "t-02")], endpoints: endpoints)
                let builds = Locked(0)
                let connections = ConnectionSwitch(initial: prodConfig, logger: .init(label: "test")) { request in
                    builds.withLock { $0 += 1 }
                    guard request == .profile("lab") else { throw SwitchTestError.noSuchProfile }
                    return (labConfig, Restart(tenants: ["t-02"], profile: "lab", note: "profile lab"))
                }
                let collected = Collected()
                let run = Task { await connections.run() }
                let consumer = Task {
                    while !Task.isCancelled {
                        await connections.inbox.waitForEvents()
                        collected.add(connections.inbox.drain())
                    }
                }
                defer {
                    run.cancel()
                    consumer.cancel()
                }
                try await eventually("prod's two streams live", timeout: 20) {
                    collected.isLive("t-01", .alerts) && collected.isLive("t-01", .onuStatus)
                }
                #expect(prod.backend.openConnections == 2 && lab.backend.openConnections == 0)

                // A request that cannot be built is said, and the streams stay.
                connections.request(.profile("nope"))
                try await eventually("the notice", timeout: 10) {
                    collected.all.contains {
                        if case .notice(let t) = $0 { t.contains("profile nope not applied") } else { false }
                    }
                }
                #expect(prod.backend.openConnections == 2, "nothing was closed")

                connections.request(.profile("lab"))
                try await eventually("lab's two streams live", timeout: 20) {
                    collected.isLive("t-02", .alerts) && collected.isLive("t-02", .onuStatus)
                }
                try await eventually("prod's streams closed", timeout: 20) { prod.backend.openConnections == 0 }
                #expect(lab.backend.openConnections == 2)
                // Order: every prod status before the marker, every lab one after it.
                let all = collected.all
                guard let marker = all.firstIndex(where: { if case .restarted = $0 { true } else { false } }) else {
                    Issue.record("no .restarted marker")
                    return
                }
                let tenantsAfter = all[marker...].compactMap { if case .status(let t, _, _) = $0 { t } else { nil } }
                #expect(Set(tenantsAfter) == ["t-02"], "nothing of the old profile after the marker")
                #expect(builds.withLock { $0 } == 2)
                // Commands go to the manager running now.
                #expect(connections.manager.configuration.tenants == ["t-02"])
            }
        }
    }
}

@Suite("ClientSetup with profiles")
struct ClientSetupProfileTests {
    @Test("--profile picks the profile's backend and tenants; the config's profile is the default; an unknown one is said")
    func resolves() throws {
        let config = try DashConfig.decode(
            Data(
                #"""
                {"api_url":"http://127.0.0.1:8000","tenants":[{"id":"t-01","token_env":"T1"}],"profile":"lab",
                 "profiles":[{"name":"prod","api_url":"https://noc.example.net","tenants":[{"id":"isp-a","token_env":"A"}]},
                             {"name":"lab","api_url":"http://lab.example.net:8000"}]}
                """#.utf8))
        var options = ClientSetup.Options()
        let lab = try ClientSetup.resolve(options, config: config, environment: [:])
        #expect(lab.catalogue.origin == "http://lab.example.net:8000" && lab.tenants == ["t-01"])
        options.profile = "prod"
        let prod = try ClientSetup.resolve(options, config: config, environment: [:])
        #expect(prod.catalogue.origin == "https://noc.example.net" && prod.tenants == ["isp-a"])
        options.apiURL = "http://override:1"
        #expect(try ClientSetup.resolve(options, config: config, environment: [:]).catalogue.origin == "http://override:1")
        options.profile = "staging"
        #expect(throws: ConfigError.self) { try ClientSetup.resolve(options, config: config, environment: [:]) }
    }
}

enum SwitchTestError: Error, CustomStringConvertible {
    case noSuchProfile
    var description: String { "unknown profile" }
}
