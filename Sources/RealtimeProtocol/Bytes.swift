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

/// A fixed set of names, found from raw bytes by one hash probe and one comparison: no String,
/// no array retained per lookup (the table lives in memory allocated once, never freed).
///
/// Used for the decoder's field names and event types, which it looks up for every key of
/// every event.
struct NameTable: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Int16>
    private let mask: Int
    private let names: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int32>
    private let lengths: UnsafeMutablePointer<Int32>

    init(_ list: [String]) {
        var size = 64
        while size < list.count * 4 { size *= 2 }
        mask = size - 1
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
        let bytes = list.map { Array($0.utf8) }
        let total = bytes.reduce(0) { $0 + $1.count }
        names = .allocate(capacity: max(1, total))
        starts = .allocate(capacity: max(1, list.count))
        lengths = .allocate(capacity: max(1, list.count))
        var offset = 0
        for (i, b) in bytes.enumerated() {
            (names + offset).initialize(from: b, count: b.count)
            starts[i] = Int32(offset)
            lengths[i] = Int32(b.count)
            offset += b.count
            let h = b.withUnsafeBytes { Self.hash($0) }
            var s = h & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int16(i)
        }
    }

    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        let n = key.count
        guard n > 0 else { return 0 }
        var h = n &* 0x9E37
        h ^= Int(key[0]) &* 31
        h ^= Int(key[n - 1]) &* 131
        h ^= Int(key[n / 2]) &* 7
        h ^= Int(key[n / 3]) &* 1031
        return h ^ (h >> 7)
    }

    /// Whether name `index` is at `offset` of `buf` followed by a `"`: then its length.
    @inline(__always)
    func matches(_ index: Int, in buf: UnsafeRawBufferPointer, at offset: Int) -> Int? {
        let n = Int(lengths[index])
        guard offset + n < buf.count, let k = buf.baseAddress, k.load(fromByteOffset: offset + n, as: UInt8.self) == 0x22
        else { return nil }
        let p = UnsafeRawPointer(names + Int(starts[index]))
        var i = 0
        while i + 8 <= n {
            guard
                p.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    == k.loadUnaligned(fromByteOffset: offset + i, as: UInt64.self)
            else { return nil }
            i += 8
        }
        while i < n {
            guard p.load(fromByteOffset: i, as: UInt8.self) == k.load(fromByteOffset: offset + i, as: UInt8.self) else {
                return nil
            }
            i += 1
        }
        return n
    }

    /// The index of `key` in the list, or nil.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer) -> Int? {
        var s = Self.hash(key) & mask
        while true {
            let e = Int(slots[s])
            if e < 0 { return nil }
            if Int(lengths[e]) == key.count, let k = key.baseAddress {
                // Eight bytes at a time (the names are 4 to 22 bytes), then the tail.
                let p = UnsafeRawPointer(names + Int(starts[e]))
                let n = key.count
                var i = 0
                while i + 8 <= n,
                    p.loadUnaligned(fromByteOffset: i, as: UInt64.self) == k.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                {
                    i += 8
                }
                if i + 8 > n {
                    while i < n && p.load(fromByteOffset: i, as: UInt8.self) == k.load(fromByteOffset: i, as: UInt8.self) {
                        i += 1
                    }
                }
                if i == n { return e }
            }
            s = (s + 1) & mask
        }
    }
}

/// Whether `needle` occurs in `haystack` (memchr for its first byte, then memcmp): the `/`
/// filter's match and the WebSocket frame classifier's key search.
public func containsBytes(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = needle.count, h = haystack.count
    guard n > 0 else { return true }
    guard h >= n, let hb = haystack.baseAddress, let nb = needle.baseAddress else { return false }
    var i = 0
    let first = Int32(nb[0])
    while i <= h - n {
        guard let p = memchr(hb + i, first, h - n - i + 1) else { return false }
        let at = UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - hb
        if memcmp(hb + at, nb, n) == 0 { return true }
        i = at + 1
    }
    return false
}

public func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    haystack.withUnsafeBufferPointer { h in needle.withUnsafeBufferPointer { n in containsBytes(h, n) } }
}

/// The index of the first `a` or `b` at or after `i0` in `buf`, or `buf.count`: sixteen bytes at
/// a time. The parsers' scans: a JSON string's end or escape (`"`, `\`), an SSE line's end
/// (CR, LF).
@inline(__always)
func nextByte(_ a: UInt8, or b: UInt8, in buf: UnsafeRawBufferPointer, from i0: Int) -> Int {
    let count = buf.count
    guard let base = buf.baseAddress else { return count }
    var i = i0
    let va = SIMD16<UInt8>(repeating: a), vb = SIMD16<UInt8>(repeating: b)
    while i + 16 <= count {
        let v = (base + i).loadUnaligned(as: SIMD16<UInt8>.self)
        let hit = (v .== va) .| (v .== vb)
        if any(hit) { return i + firstLane(hit) }
        i += 16
    }
    while i < count {
        let c = base.load(fromByteOffset: i, as: UInt8.self)
        if c == a || c == b { return i }
        i += 1
    }
    return count
}

/// The first set lane of a mask with at least one set: the lanes as bytes read as two words,
/// then their trailing zero bits (not a loop over the lanes, which was most of a short scan).
@inline(__always)
private func firstLane(_ hit: SIMDMask<SIMD16<Int8>>) -> Int {
    let lanes = SIMD16<UInt8>(repeating: 0).replacing(with: 0xFF, where: hit)
    let words = unsafeBitCast(lanes, to: SIMD2<UInt64>.self)
    let low = words[0].littleEndian, high = words[1].littleEndian
    return low != 0 ? low.trailingZeroBitCount >> 3 : 8 + high.trailingZeroBitCount >> 3
}

/// The index of the next `"` or `\` at or after `i0`, or `buf.count`.
@inline(__always)
func nextQuoteOrBackslash(_ buf: UnsafeRawBufferPointer, from i0: Int) -> Int {
    nextByte(0x22, or: 0x5C, in: buf, from: i0)
}
