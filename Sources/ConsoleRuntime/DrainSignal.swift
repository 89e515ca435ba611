import Foundation

/// A one-shot "go on" between the UI thread and the bridge task: the bridge waits for it after
/// each wake-up, so it waits on the inbox again only once the UI thread has drained it.
final class DrainSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, Never>?
    private var pending = false

    func signal() {
        lock.lock()
        let w = waiter
        waiter = nil
        if w == nil { pending = true }
        lock.unlock()
        w?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if pending {
                pending = false
                lock.unlock()
                c.resume()
            } else {
                waiter = c
                lock.unlock()
            }
        }
    }
}
