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

    /// Newest first.
    public var newestFirst: [Element] {
        guard !storage.isEmpty else { return [] }
        var out: [Element] = []
        out.reserveCapacity(storage.count)
        var i = (head - 1 + storage.count) % storage.count
        for _ in 0..<storage.count {
            out.append(storage[i])
            i = (i - 1 + storage.count) % storage.count
        }
        return out
    }

    /// Newest first, each with its sequence number (see ``appended``). One pass, one array.
    public var newestFirstNumbered: [(sequence: UInt64, element: Element)] {
        guard !storage.isEmpty else { return [] }
        var out: [(sequence: UInt64, element: Element)] = []
        out.reserveCapacity(storage.count)
        var i = (head - 1 + storage.count) % storage.count
        for k in 0..<storage.count {
            out.append((appended - 1 - UInt64(k), storage[i]))
            i = (i - 1 + storage.count) % storage.count
        }
        return out
    }
}
