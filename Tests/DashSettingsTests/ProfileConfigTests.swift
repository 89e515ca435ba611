import Foundation
import RealtimeProtocol
import Testing

@testable import DashSettings

/// Issue 14, item 5: several backends in one config.
@Suite("Profiles in the config")
struct ProfileConfigTests {
    static let twoProfiles = """
        {
          "api_url": "http://127.0.0.1:8000",
          "tenants": [{ "id": "t-01", "token_file": "~/t-01.token" }],
          "profile": "lab",
          "profiles": [
            { "name": "prod", "api_url": "https://noc.example.net", "accent": "red", "read_only": true,
              "tenants": [{ "id": "isp-a", "token_file": "~/prod-a.token" }, { "id": "isp-b", "token_env": "PROD_B" }] },
            { "name": "lab", "base_path": "/api/v1", "accent": "green", "ca_file": "~/lab-ca.pem" }
          ]
        }
        """

    @Test("profiles decode; applying one replaces only the connection settings it names")
    func applying() throws {
        let config = try DashConfig.decode(Data(Self.twoProfiles.utf8))
        #expect(config.profiles.map(\.name) == ["prod", "lab"] && config.profile == "lab")
        let prod = try config.applying(profile: "prod")
        #expect(prod.apiURL == "https://noc.example.net" && prod.basePath == config.basePath)
        #expect(prod.tenants.map(\.id) == ["isp-a", "isp-b"] && prod.activeProfile?.readOnly == true)
        #expect(prod.activeProfile?.accent == "red" && prod.history == config.history, "the rest is shared")
        let lab = try config.applying(profile: "lab")
        #expect(lab.apiURL == config.apiURL && lab.basePath == "/api/v1" && lab.caFile == "~/lab-ca.pem")
        #expect(lab.tenants.map(\.id) == ["t-01"], "no tenants of its own: the top-level ones")
        #expect(try config.applying(profile: nil) == config)
        #expect(throws: ConfigError.self) { try config.applying(profile: "staging") }
        do {
            _ = try config.applying(profile: "staging")
        } catch {
            #expect(error.description == "unknown profile 'staging': prod, lab")
        }
    }

    @Test(
        "bad profiles are explained",
        arguments: [
            (#"{"profiles":[{"name":"a"},{"name":"a"}]}"#, "profile 'a' is listed twice"),
            (#"{"profiles":[{"name":"a b"}]}"#, "profiles[0].name must be a word"),
            (
                #"{"profiles":[{"name":"a","accent":"pink"}]}"#,
                "accent must be one of red, green, yellow, blue, magenta, cyan, not 'pink'"
            ),
            (#"{"profiles":[{"name":"a","api_url":"ftp://x"}]}"#, "profile 'a': api_url"),
            (
                #"{"profiles":[{"name":"a","tenants":[{"id":"x"}]}]}"#,
                "profile 'a': tenants[0] ('x') needs token_file or token_env"
            ),
            (#"{"profile":"b","profiles":[{"name":"a"}]}"#, "profile 'b' is not one of the profiles: a"),
            (#"{"profile":"b"}"#, "profile 'b' is not one of the profiles: there are none"),
            (#"{"profiles":[{"name":"a","token":"x"}]}"#, "unknown key 'profiles[0].token'"),
        ])
    func errors(_ json: String, _ message: String) {
        do {
            _ = try DashConfig.decode(Data(json.utf8), source: "c.json")
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.description.contains(message), "got: \(error.description)")
        }
    }
}
