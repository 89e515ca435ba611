import ConsoleRuntime
import DashTestSupport
import DashboardCore
import Foundation
import RealtimeProtocol
import Testing

@Suite("acks.json")
struct AckStoreTests {
    func scratch() throws -> String { try scratchDirectory() + "/state/acks.json" }

    @Test("round trip, written atomically with no temporary file left, mode 0600")
    func roundTrip() throws {
        let store = AckStore(path: try scratch())
        var book = AckBook()
        book.acks.append(
            Ack(
                target: AckTarget(OutageScope(tenant: "t-01", olt: "olt-03", pon: 11)), who: "bob",
                at: UTCInstant(microseconds: 1_000_000), note: "crew \"on\" site", expires: nil))
        book.silences.append(
            Silence(
                matching: AckTarget(AlertGroupKey(tenant: "t-01", type: "bgp", source: "t2")), who: "bob",
                until: UTCInstant(microseconds: 9_000_000)))
        try store.save(book)
        #expect(store.load().book == book && store.load().problem == nil)
        let dir = (store.path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["acks.json"])
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a missing file is an empty book; a corrupt one is set aside, said, and never deleted")
    func corrupt() throws {
        let store = AckStore(path: try scratch())
        #expect(store.load().book == AckBook() && store.load().problem == nil)
        try FileManager.default.createDirectory(
            atPath: (store.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("{\"version\":1,\"acks\":[{\"trunc".utf8).write(to: URL(fileURLWithPath: store.path))
        let (book, problem) = store.load(now: UTCInstant(microseconds: 1_700_000_000_000_000))
        #expect(book == AckBook())
        let aside = store.path + ".corrupt-1700000000"
        #expect(problem?.contains("set aside as \(aside)") == true, "\(String(describing: problem))")
        #expect(FileManager.default.fileExists(atPath: aside), "the unreadable file is kept")
        #expect(!FileManager.default.fileExists(atPath: store.path))
    }
}
