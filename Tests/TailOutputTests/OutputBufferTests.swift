import Foundation
import TailOutput
import Testing

/// `tail … | head -1`: the reader of standard output goes away, and tail must notice.
@Suite("OutputBuffer on a real pipe")
struct OutputBufferTests {
    func pipePair() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        return (fds[0], fds[1])
    }

    @Test("a reader that closed the pipe is noticed without writing, and a write then drops the rest")
    func readerGone() throws {
        // This test process must get EPIPE, not die of SIGPIPE (tail ignores it the same way).
        signal(SIGPIPE, SIG_IGN)
        let (r, w) = try pipePair()
        defer { close(w) }
        let out = OutputBuffer(fd: w)
        out.write(Array("one\n".utf8))
        out.flush()
        #expect(!out.readerGone() && !out.isClosed, "the reader is still there")
        var got = [UInt8](repeating: 0, count: 16)
        #expect(read(r, &got, 16) == 4)
        close(r)
        #expect(out.readerGone(), "noticed by poll, before any write")
        out.write(Array("two\n".utf8))
        out.flush()
        #expect(out.isClosed)
    }

    @Test("a failed write (EPIPE) closes the buffer even when nobody polled")
    func writeFails() throws {
        signal(SIGPIPE, SIG_IGN)
        let (r, w) = try pipePair()
        defer { close(w) }
        close(r)
        let out = OutputBuffer(fd: w)
        out.write(Array("x\n".utf8))
        out.flush()
        #expect(out.isClosed)
    }

    @Test("a file is never 'gone'")
    func file() throws {
        let path = NSTemporaryDirectory() + "rd-outbuf-\(getpid())"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        let out = OutputBuffer(fd: fd)
        out.write(Array("abc".utf8))
        out.flush()
        #expect(!out.readerGone() && !out.isClosed)
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "abc")
    }
}
