import Testing

@testable import RealtimeProtocol

@Suite("byte scans")
struct BytesTests {
    @Test("nextByte finds the first of either byte at every position, in and after the 16-byte blocks")
    func nextByteEveryPosition() {
        for count in [0, 1, 15, 16, 17, 31, 32, 33, 47] {
            for start in 0...min(count, 17) {
                // No hit: the end.
                let none = [UInt8](repeating: 0x61, count: count)
                #expect(none.withUnsafeBytes { nextByte(0x22, or: 0x5C, in: $0, from: start) } == count)
                for first in start..<count {
                    for (a, b) in [(UInt8(0x22), UInt8(0x5C)), (0x5C, 0x22)] {
                        var bytes = none
                        bytes[first] = a
                        // A later hit of the other byte, and one before `start`, must not be found.
                        if first + 1 < count { bytes[count - 1] = b }
                        if start > 0 { bytes[start - 1] = a }
                        let found = bytes.withUnsafeBytes { nextByte(0x22, or: 0x5C, in: $0, from: start) }
                        #expect(found == first, "count \(count), from \(start), hit \(first)")
                    }
                }
            }
        }
    }
}
