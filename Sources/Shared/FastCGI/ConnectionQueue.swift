@preconcurrency import Glibc

/// Connections whose request has fully arrived, waiting for a worker thread: the acceptor pushes
/// what one wake-up of its epoll set completed, workers take every connection waiting (blocking
/// while there is none), so requests that arrive together are handled together. Closing wakes
/// every worker once the queue is drained.
///
/// `@unchecked Sendable`: every stored property is read and written only while `lock` is held.
final class ConnectionQueue: @unchecked Sendable {
    private let lock = ConditionLock()
    private var items: [Int32] = []
    private var head = 0
    private var closed = false

    /// Adds connections and wakes one worker.
    func push(_ fds: [Int32]) {
        guard !fds.isEmpty else { return }
        lock.lock()
        items.append(contentsOf: fds)
        lock.signal()
        lock.unlock()
    }

    /// The connections waiting, oldest first and at most `limit`, waiting for at least one; empty
    /// once the queue is closed and drained. A worker that leaves some behind wakes another.
    func pop(limit: Int) -> [Int32] {
        lock.lock()
        defer { lock.unlock() }
        while head == items.count && !closed {
            lock.wait()
        }
        let taken = Array(items[head..<min(items.count, head + max(1, limit))])
        head += taken.count
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else {
            lock.signal()
        }
        return taken
    }

    /// No more pushes: workers leave once the queue is empty.
    func close() {
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
    }
}
