/// A fixed-capacity history: appending beyond capacity forgets the oldest.
///
/// - Complexity: append O(1); iteration newest-first O(n).
public struct RingBuffer<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    private var head = 0
    /// How many elements were ever appended. The element appended n-th (from 0) has sequence
    /// number n for as long as it is kept, and ``removeAll()`` does not reset the count: a
    /// sequence number names one element for good, which is what a stable row id needs.
    public private(set) var appended: UInt64 = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, 1024))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public mutating func append(_ e: Element) {
        appended += 1
        if storage.count < capacity {
            storage.append(e)
        } else {
            storage[head] = e
            head = (head + 1) % capacity
        }
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// Calls `body` with each element newest first, in place: its place in that order (0 for the
    /// newest), its sequence number (see ``appended``) and where it is. The pointer is valid only
    /// during the call; reading a field through it copies that field alone, where passing the
    /// element to a closure would copy all of it (every frame reads every history event).
    public func forEachNewestFirst(_ body: (Int, UInt64, UnsafePointer<Element>) throws -> Void) rethrows {
        guard !storage.isEmpty else { return }
        try storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            var i = (head - 1 + buffer.count) % buffer.count
            for k in 0..<buffer.count {
                try body(k, appended - 1 - UInt64(k), base + i)
                i = i == 0 ? buffer.count - 1 : i - 1
            }
        }
    }

    /// The element at `place` newest first (0 is the newest).
    /// - Precondition: `place` is in `0..<count`.
    public func element(newest place: Int) -> Element {
        precondition((0..<storage.count).contains(place), "no element \(place) in a ring of \(storage.count)")
        return storage[(head - 1 - place + 2 * storage.count) % storage.count]
    }
}
