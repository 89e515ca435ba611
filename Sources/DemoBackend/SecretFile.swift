import Foundation

/// Writes and reads small secret files (tokens, signing secrets) with mode 0600.
public enum SecretFile {
    /// Writes `contents` to `path`, creating it with mode 0600 (and tightening an existing file).
    public static func write(_ contents: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw SecretFileError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(contents.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw SecretFileError("cannot write \(path): \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    /// Reads a secret file, trimming surrounding white space.
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SecretFileError("cannot read \(path): it does not exist or is not readable")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct SecretFileError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ d: String) { description = d }
}
