import Foundation
import Testing
@testable import DashSettings
import RealtimeProtocol

@Suite("DashConfig")
struct DashConfigTests {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("config.example.json decodes, and every value in it is the default")
    func exampleDecodes() throws {
        let data = try Data(contentsOf: Self.repoRoot.appendingPathComponent("config.example.json"))
        let config = try DashConfig.decode(data, source: "config.example.json")
        var expected = DashConfig()
        expected.tenants = [
            .init(id: "t-01", tokenFile: "~/.config/realtime-dash/t-01.token"),
            .init(id: "t-02", tokenEnv: "REALTIME_DASH_TOKEN_T02"),
        ]
        #expect(config == expected)
    }

    @Test("an empty object gives every default")
    func empty() throws {
        #expect(try DashConfig.decode(Data("{}".utf8)) == DashConfig())
    }

    @Test(
        "unknown keys are an error naming the key",
        arguments: [
            (#"{"api_ulr":"http://x"}"#, "unknown key 'api_ulr' (did you mean 'api_url'?)"),
            (#"{"reconnect":{"initial_delay":1}}"#, "unknown key 'reconnect.initial_delay'"),
            (#"{"tenants":[{"id":"a","token_file":"f","token":"secret"}]}"#, "unknown key 'tenants[0].token'"),
            (#"{"ui":{"fps":30,"colour":true}}"#, "unknown key 'ui.colour'"),
        ])
    func unknownKeys(_ json: String, _ message: String) {
        do {
            _ = try DashConfig.decode(Data(json.utf8), source: "c.json")
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.description.hasPrefix("c.json: "))
            #expect(error.description.contains(message), "got: \(error.description)")
        }
    }

    @Test(
        "wrong types and bad values are explained",
        arguments: [
            (#"{"history":{"limit":"many"}}"#, "history.limit should be a whole number"),
            (#"{"history":{"limit":0}}"#, "history.limit must be between"),
            (#"{"ui":{"fps":1000}}"#, "ui.fps must be between 1 and 240"),
            (#"{"api_url":"localhost:8000"}"#, "must start with http:// or https://"),
            (#"{"reconnect":{"max_delay_s":0.5}}"#, "is below reconnect.initial_delay_s"),
            (#"{"tenants":[{"id":"a"}]}"#, "needs token_file or token_env"),
            (#"{"tenants":[{"id":"a","token_env":"X"},{"id":"a","token_env":"Y"}]}"#, "listed twice"),
            (#"{"streams":{"sse":["ws-sessions"]}}"#, "is not an SSE stream"),
            (#"{"auth_scheme":"query"}"#, "auth_scheme must be bearer or cookie"),
            (#"{"#, "not valid JSON"),
        ])
    func badValues(_ json: String, _ message: String) {
        do {
            _ = try DashConfig.decode(Data(json.utf8))
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.description.contains(message), "got: \(error.description)")
        }
    }

    @Test("a missing file names the path and the fix")
    func missingFile() {
        #expect(throws: ConfigError.self) { try DashConfig.load(path: "/nonexistent/realtime-dash.json") }
        do { _ = try DashConfig.load(path: "/nonexistent/realtime-dash.json") } catch {
            #expect(error.description.contains("/nonexistent/realtime-dash.json"))
            #expect(error.description.contains("config.example.json"))
        }
    }
}
