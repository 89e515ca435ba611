import DashTestSupport
import DemoBackend
import Foundation
import RealtimeClient
import RealtimeProtocol
import Testing

/// Issue 13's `bench scale` at a small size: many tenants and streams in one ConnectionManager,
/// every one of them counted live (the bench runs 100 tenants and 700 connections).
@Suite("Many tenants in one manager")
struct ScaleTests {
    @Test("10 tenants: their 50 SSE streams and 20 job WebSockets all live", .timeLimit(.minutes(2)))
    func tenTenants() async throws {
        let c = quietBackend(ping: .seconds(1)) { $0.tenantCount = 10 }
        try await withDemoBackend(c) { server in
            let b = server.backend
            var created: [(String, String)] = []
            for t in b.tenantIDs {
                for _ in 0..<2 { created.append((t, try #require(b.createJob(tenant: t, items: 1_000_000)))) }
            }
            let jobs = created
            let tokens = Dictionary(uniqueKeysWithValues: b.tenantIDs.map { ($0, b.mintToken(tenant: $0, lifetime: 3600)) })
            let config = try clientConfiguration(server, tenants: tokens, endpoints: Endpoint.defaultSSE) {
                $0.discoverJobs = true
                $0.jobPollInterval = 0.5
            }
            try await withManager(config) { _, got in
                try await waitUntil("every SSE stream and job socket of 10 tenants live", timeout: 60) {
                    b.tenantIDs.allSatisfy { t in Endpoint.defaultSSE.allSatisfy { got.isLive(t, $0) } }
                        && jobs.allSatisfy { got.isLive($0.0, .job($0.1)) }
                }
                #expect(b.openConnections >= 10 * 5 + 20, "\(b.openConnections) connections open on the backend")
            }
        }
    }
}

@Suite("Token files")
struct TokenFileTests {
    @Test("a token file rewritten with a token of the same length is noticed; an untouched one is not")
    func rewriteNoticed() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/t-01.token"
        try SecretFile.write("token-AAAA", to: path)
        let store = TokenStore(sources: ["t-01": .file(path)], environment: [:])
        #expect(try store.token(for: "t-01") == "token-AAAA")
        #expect(store.changedTenants().isEmpty, "nothing changed")
        // Rewritten in place, same length, within the same second: the stat stamp still differs.
        try "token-BBBB\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(store.changedTenants() == ["t-01"])
        #expect(try store.token(for: "t-01") == "token-BBBB")
        #expect(store.changedTenants().isEmpty)
        // Replaced by rename (a new inode), as an editor or a rotation script does.
        try SecretFile.write("token-CCCC", to: path)
        #expect(store.changedTenants() == ["t-01"])
        #expect(try store.token(for: "t-01") == "token-CCCC")
    }
}
