import ArgumentParser
import DashSettings
import Foundation
import RealtimeProtocol
import Recording

/// `--record FILE` and `--record-max-mb`, shared by the console and `tail`.
struct RecordOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Record every frame as it arrives to FILE (NDJSON, gzip when FILE ends in .gz; never a token).",
            discussion: "Replay it with `realtime-dash replay FILE`.", valueName: "file"))
    var record: String?

    @Option(name: .customLong("record-max-mb"), help: "Start a new part of the recording when a file reaches this many MB.")
    var recordMaxMB: Int = 512

    func validate() throws {
        if recordMaxMB < 1 { throw ValidationError("--record-max-mb must be at least 1") }
    }

    /// Starts the recorder at `path` (or `--record`'s), or nil when nothing is to be recorded.
    /// A file that cannot be created stops the command before it connects.
    func start(
        path: String? = nil, profile: String?, tenants: [String], origin: String,
        problem: @escaping @Sendable (String) -> Void
    ) throws -> Recorder? {
        guard let path = path ?? record else { return nil }
        let header = Recording.Header(
            program: "realtime-dash \(RealtimeDash.version)", started: UTCInstant.now(), profile: profile, tenants: tenants,
            origin: origin)
        do {
            return try Recorder(
                Recorder.Options(path: expandTilde(path), maxBytes: Int64(recordMaxMB) << 20), header: header, problem: problem)
        } catch {
            throw ValidationError("cannot record: \(error.description)")
        }
    }

    /// A new recording's name in `ui.record_dir` (created, private, if missing):
    /// `realtime-dash-20261207T031207Z.ndjson.gz`.
    static func fileInDirectory(_ directory: String) throws -> String {
        let dir = expandTilde(directory)
        do {
            try FileManager.default.createDirectory(
                atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ValidationError("ui.record_dir \(dir) cannot be created: \(error.localizedDescription)")
        }
        let stamp = UTCInstant.now().iso8601.filter { $0 != "-" && $0 != ":" }.prefix(15)
        return dir + "/realtime-dash-\(stamp)Z.ndjson.gz"
    }
}
