import DashTestSupport
import DemoBackend
import Foundation
import Testing

/// Issue 14, item 6: `realtime-dash info`.
@Suite("realtime-dash info")
struct InfoTests {
    func info(_ args: [String], environment: [String: String]) async throws -> (Int32, String) {
        let dir = try scratchDirectory()
        let child = try Child.spawn(
            [realtimeDashBinary, "info"] + args, environment: environment, stdout: dir + "/out", stderr: dir + "/out")
        let status = await child.wait(timeout: 30)
        return (status, (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "")
    }

    @Test("with no config: says where it looked and that defaults are in use", .timeLimit(.minutes(1)))
    func missingConfig() async throws {
        let dir = try scratchDirectory()
        let (status, out) = try await info(
            [], environment: ["XDG_CONFIG_HOME": dir + "/cfg", "XDG_STATE_HOME": dir + "/state", "TERM": "xterm-256color"])
        #expect(status == 0)
        #expect(out.hasPrefix("realtime-dash 0."))
        #expect(out.contains("config       \(dir)/cfg/realtime-dash/config.json (not found; built-in defaults in use)"))
        #expect(out.contains("looked at: --config, else $XDG_CONFIG_HOME/realtime-dash/config.json"))
        #expect(out.contains("state dir    \(dir)/state/realtime-dash (created on first use)"))
        #expect(out.contains("profiles     none in the config"))
        #expect(out.contains("terminal     TERM=xterm-256color (known to curses)") && out.contains("colours: 256"))
        #expect(out.contains("standard input/output: not a terminal"))
    }

    @Test(
        "a config named with --config that cannot be used: said, and info exits 64 as the console would", .timeLimit(.minutes(1)))
    func namedConfigMissing() async throws {
        let dir = try scratchDirectory()
        let (status, out) = try await info(["--config", dir + "/nope.json"], environment: ["XDG_STATE_HOME": dir + "/state"])
        #expect(status == 64)
        #expect(out.contains("config       \(dir)/nope.json (NOT found: the console refuses to start with it)"))
    }

    @Test("with two profiles: each one's backend, tenants and token sources, never a token", .timeLimit(.minutes(1)))
    func twoProfiles() async throws {
        let dir = try scratchDirectory()
        let minter = DemoBackend(quietBackend())
        let fileToken = minter.mintToken(tenant: "isp-a", lifetime: 5400)
        let envToken = minter.mintToken(tenant: "lab-1", lifetime: -60)
        try writeToken(fileToken, to: dir + "/a.token")
        let config = """
            { "profile": "lab",
              "profiles": [
                { "name": "prod", "api_url": "https://noc.example.net", "accent": "red", "read_only": true,
                  "tenants": [{ "id": "isp-a", "token_file": "\(dir)/a.token" }, { "id": "isp-b", "token_file": "\(dir)/gone.token" }] },
                { "name": "lab", "api_url": "http://lab.example.net:8000", "accent": "green",
                  "tenants": [{ "id": "lab-1", "token_env": "LAB_TOKEN" }, { "id": "evil\\u001b]0;pwned\\u0007", "token_env": "NONE" }] } ] }
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        let (status, out) = try await info(
            ["--config", dir + "/config.json"],
            environment: ["XDG_STATE_HOME": dir + "/state", "TERM": "no-such-terminal", "LAB_TOKEN": envToken])
        #expect(status == 0)
        #expect(out.contains("config       \(dir)/config.json (read)"))
        #expect(out.contains("profiles     prod, accent red, read-only"))
        #expect(out.contains("backend https://noc.example.net, base path /api/isp/v1"))
        #expect(out.contains("isp-a: token file \(dir)/a.token (readable, mode 600, tenant_id isp-a, expires in 1h "))
        #expect(out.contains("isp-b: token file \(dir)/gone.token (NOT found)"))
        #expect(out.contains("lab (default), accent green"))
        #expect(out.contains("lab-1: environment variable LAB_TOKEN (set, tenant_id lab-1, EXPIRED 1m ago)"))
        #expect(out.contains("TERM=no-such-terminal (NOT known to curses)"))
        #expect(out.contains("evil\\u{1b}]0;pwned\\u{7}: environment variable NONE (NOT set)"), "a hostile id is shown escaped")
        #expect(
            !out.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "no control character reaches the terminal")
        for token in [fileToken, envToken] {
            #expect(!out.contains(String(token.split(separator: ".").last!)), "a token's signature in the output")
        }
    }
}
