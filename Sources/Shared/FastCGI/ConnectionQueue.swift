@preconcurrency import Glibc

/// Connections whose request has fully arrived, waiting for a worker thread: the acceptor pushes,
/// workers pop (blocking). Closing wakes every worker once the queue is drained.
///
/// `@unchecked Sendable`: every stored property is read and written only while `lock` is held.
final class ConnectionQueue: @unchecked Sendable {
    private let lock = ConditionLock()
    private var items: [Int32] = []
    private var head = 0
    private var closed = false

    /// Adds a connection and wakes one worker.
    func push(_ fd: Int32) {
        lock.lock()
        items.append(fd)
        lock.signal()
        lock.unlock()
    }

    /// The next connection, waiting for one; nil once the queue is closed and empty.
    func pop() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        while head == items.count && !closed {
            lock.wait()
        }
        guard head < items.count else { return nil }
        let fd = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return fd
    }

    /// No more pushes: workers leave once the queue is empty.
    func close() {
        lock.lock()
        closed = true
        lock.broadcast()
        lock.unlock()
    }
}
