import CLinux
@preconcurrency import Glibc
import Synchronization

/// Connections whose whole request the acceptor has seen, waiting for a worker: the acceptor pushes
/// what one wake-up of its epoll set completed, and one worker takes them together (up to its
/// limit), so requests that arrived together are handled together.
///
/// Workers wait in their epoll set (`ConnectionWatcher`), not here: `readyFD`, an eventfd in that
/// set, is readable while connections wait or once the queue is closed. It is watched one-shot, so
/// one worker wakes for a push; that worker takes what is waiting and arms it again, signalling
/// first when it left connections behind (or the queue is closed), so another worker wakes for them.
final class ConnectionQueue: Sendable {
    /// Readable while a push (or the close) has not been acknowledged.
    let readyFD: Int32
    private let state = Mutex<(items: [Int32], head: Int, closed: Bool)>(([], 0, false))

    /// - Throws: `ListenerError` when the kernel refuses an eventfd.
    init() throws {
        readyFD = eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
        guard readyFD >= 0 else { throw ListenerError("eventfd(): \(errnoText())") }
    }

    deinit {
        _ = Glibc.close(readyFD)
    }

    /// Adds connections and makes `readyFD` readable.
    func push(_ fds: [Int32]) {
        guard !fds.isEmpty else { return }
        state.withLock { $0.items.append(contentsOf: fds) }
        signal()
    }

    /// Makes `readyFD` readable: for a push, for the close, or for what a worker left behind.
    func signal() {
        _ = eventfd_write(readyFD, 1)
    }

    /// Takes the connections waiting, oldest first and at most `limit`, after acknowledging the
    /// signal (so a push racing with this call signals again rather than being missed).
    ///
    /// - Returns: the connections; whether more are left; whether the queue is closed.
    func take(limit: Int) -> (fds: [Int32], more: Bool, closed: Bool) {
        var unused: eventfd_t = 0
        _ = eventfd_read(readyFD, &unused)
        return state.withLock { state in
            let end = min(state.items.count, state.head + max(1, limit))
            let taken = Array(state.items[state.head..<end])
            state.head = end
            let more = state.head < state.items.count
            if !more {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            }
            return (taken, more, state.closed)
        }
    }

    /// No more pushes: workers leave once the queue is empty.
    func close() {
        state.withLock { $0.closed = true }
        signal()
    }
}
