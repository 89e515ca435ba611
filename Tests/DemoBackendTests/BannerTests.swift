import DashTestSupport
import DemoBackend
import Foundation
import Testing

@Suite("demo-server's banner and secret")
struct BannerTests {
    @Test("the banner names the origin, the tenants and the token file, never the token")
    func banner() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = DemoBackend(quietBackend())
        let lines = backend.banner(port: 8123, tokenOut: dir + "/token", tokenLifetime: 60)
        #expect(lines[0].hasPrefix("demo-server listening on http://127.0.0.1:8123"))
        #expect(lines[1] == "tenants: t-01, t-02")
        let token = try SecretFile.read(dir + "/token")
        #expect(!token.isEmpty)
        #expect(!lines.joined().contains(token), "the token is in the file only")
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/token")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(lines.contains { $0.hasPrefix("test controls: POST http://127.0.0.1:8123/__admin/") })
        #expect(lines.last == "Ctrl-C stops it.")
    }

    @Test("a secret file is created once (mode 0600) and read back the same afterwards")
    func secret() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try SecretFile.loadOrCreateSecret(at: dir + "/secret")
        #expect(first.count == 64, "32 random bytes as hex")
        #expect(try SecretFile.loadOrCreateSecret(at: dir + "/secret") == first)
    }
}
