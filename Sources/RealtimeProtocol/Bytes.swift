#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte helpers for the parsers' hot paths: `memcmp`/`memchr`, safe on empty buffers
/// (whose base address may be nil), and never generic, so no runtime metadata lookups.
@inline(__always)
func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
    return memcmp(pa, pb, a.count) == 0
}

@inline(__always)
func bytesContain(_ a: UnsafeRawBufferPointer, _ byte: UInt8) -> Bool {
    guard a.count > 0, let p = a.baseAddress else { return false }
    return memchr(p, Int32(byte), a.count) != nil
}
