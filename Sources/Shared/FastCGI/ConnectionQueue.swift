@preconcurrency import Glibc

/// Connections whose request has fully arrived, waiting for a worker thread: the acceptor pushes,
/// workers pop (blocking). Closing wakes every worker once the queue is drained.
///
/// `@unchecked Sendable`: every stored property is read and written only while `mutex` is held.
final class ConnectionQueue: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var items: [Int32] = []
    private var head = 0
    private var closed = false

    init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Adds a connection and wakes one worker.
    func push(_ fd: Int32) {
        pthread_mutex_lock(mutex)
        items.append(fd)
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The next connection, waiting for one; nil once the queue is closed and empty.
    func pop() -> Int32? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == items.count && !closed {
            pthread_cond_wait(condition, mutex)
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
        pthread_mutex_lock(mutex)
        closed = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }
}
