import CZlib

/// A gzip file: what is written is compressed (level 1: a recording is written while a storm
/// arrives) and each ``sync()`` flushes the compressor to a byte boundary, so a reader can
/// inflate everything up to the last sync of a file that was never closed.
public final class GzipSink: RecordingSink {
    let file: FileSink
    private var stream = z_stream()
    private var out = [UInt8](repeating: 0, count: 256 << 10)
    public var size: Int64 { file.size }

    public init(path: String) throws(RecordingWriteError) {
        file = try FileSink(path: path)
        guard cz_deflate_init_gzip(&stream, 1) == Z_OK else { throw RecordingWriteError("zlib could not start") }
    }

    private func run(_ inp: UnsafeRawBufferPointer, flush: Int32) throws(RecordingWriteError) {
        var failure: RecordingWriteError? = nil
        do {
            stream.next_in = UnsafeMutablePointer(mutating: inp.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(inp.count)
            repeat {
                let produced: Int = out.withUnsafeMutableBytes { o in
                    stream.next_out = o.bindMemory(to: UInt8.self).baseAddress
                    stream.avail_out = UInt32(o.count)
                    _ = deflate(&stream, flush)
                    return o.count - Int(stream.avail_out)
                }
                if produced > 0 {
                    do { try file.write(slice: out[0..<produced]) } catch {
                        failure = error
                        break
                    }
                }
            } while stream.avail_out == 0
            stream.next_in = nil
        }
        if let failure { throw failure }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(RecordingWriteError) {
        try run(bytes, flush: Z_NO_FLUSH)
    }

    public func sync() throws(RecordingWriteError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
    }

    public func close() throws(RecordingWriteError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        deflateEnd(&stream)
        try file.close()
    }
}
