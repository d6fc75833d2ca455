@preconcurrency import Glibc

/// A pthread mutex with its condition variable: for state that threads wait on (Synchronization's
/// `Mutex` has no way to wait).
///
/// `@unchecked Sendable`: the pthread objects are made for use from many threads; they live at
/// fixed addresses for the lock's lifetime.
final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

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

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the lock, sleeps until signalled, and takes the lock again (may wake spuriously).
    func wait() { pthread_cond_wait(condition, mutex) }
    /// Wakes one waiting thread.
    func signal() { pthread_cond_signal(condition) }
    /// Wakes every waiting thread.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Runs `body` holding the lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
