// libFuzzer target: one payload through every decoder a frame meets (event, WebSocket frame,
// generic JSON, JWT claims). Built with the RealtimeProtocol sources by scripts/fuzz.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch EventDecoder.decode(bytes) {
    case .event(let event):
        // What decoded must re-encode and decode again to the same type.
        let again = EventDecoder.decode(Array(EventEncoder.json(type: event.type, tenantID: event.tenantID, timestamp: event.timestamp, payload: event.payload).utf8))
        if case .event(let e2) = again { precondition(e2.type == event.type, "re-encoded event changed type") }
    default:
        break
    }
    _ = ServerFrame.parse(bytes)
    if let value = try? JSONValue.parse(bytes) {
        // What parsed must print and parse back to the same value.
        precondition((try? JSONValue.parse(value.compactText)) == value, "compact text did not round-trip")
        _ = value.prettyText
    }
    _ = JWTClaims.decodeUnverified(String(decoding: bytes, as: UTF8.self))
    return 0
}
