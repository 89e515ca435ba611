// libFuzzer target: the SSE parser, then every event's data through the decoder.
// Built with the RealtimeProtocol sources by scripts/fuzz (not part of the package build).

/// The parser must never crash or grow without bound on any byte stream, however it is split.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // The first byte chooses a chunk size, so splits at every position get explored.
    let chunk = max(1, Int(bytes.first ?? 1) % 97)
    var parser = SSEParser(maxEventSize: 4096)
    var i = 0
    while i < bytes.count {
        let end = min(bytes.count, i + chunk)
        for output in parser.feed(bytes[i..<end]) {
            switch output {
            case .event(let e):
                precondition(e.data.count <= 4096 + 8, "an event larger than the limit came through")
                _ = EventDecoder.decode(e.data)
                _ = ServerFrame.parse(e.data)
            default:
                break
            }
        }
        i = end
    }
    return 0
}
