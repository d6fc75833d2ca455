@preconcurrency import Glibc
import Synchronization

/// The two epoll sets of the responder, and the connections that move between them.
///
/// - `workers`: the workers wait here themselves, all in `epoll_wait` on this one set. It holds
///   the connections nginx keeps open between requests (`fastcgi_keep_conn on` with an upstream
///   `keepalive`), parked here after each response, and the acceptor's queue (`ConnectionQueue`).
///   Everything in it is watched one-shot, so each event goes to one worker, and a kept
///   connection's next request wakes a worker directly, with no thread in between. Parked
///   connections are level-triggered: arming one whose next request is already there reports it
///   at once.
/// - `acceptor`: the acceptor's set, where connections wait, edge-triggered and with a deadline,
///   for the rest of their request.
///
/// A worker woken for a parked connection claims it (unless `closeIdle` took it first) and looks
/// at its input without consuming it: a whole request it handles; part of one it transfers to the
/// acceptor, which waits for the rest exactly as for a new connection and queues it once it is
/// complete. So a connection holds a worker only once its whole request is in the socket.
final class ConnectionWatcher: Sendable {
    /// The most idle connections kept; a connection finished past it is closed instead.
    static let maxIdle = 1_024

    let workers: EpollSet
    let acceptor: EpollSet
    private let state = Mutex<State>(State())

    private struct State {
        /// Parked: armed in `workers`, waiting for their next request.
        var idle: Set<Int32> = []
        /// Handed to the acceptor, which has not taken them yet.
        var transferred: Set<Int32> = []
        /// Stopping: nothing is parked or transferred any more.
        var closed = false
    }

    /// - Throws: `ListenerError` when epoll cannot be set up.
    init() throws {
        workers = try EpollSet()
        acceptor = try EpollSet()
    }

    /// Called by a worker after answering on a connection nginx keeps: watches it for the next
    /// request.
    ///
    /// - Returns: false when the connection is not kept (stopping, or `maxIdle` reached): the
    ///   caller closes it.
    func park(_ fd: Int32) -> Bool {
        let parked = state.withLock { state in
            guard !state.closed, state.idle.count < Self.maxIdle else { return false }
            state.idle.insert(fd)
            return true
        }
        guard parked else { return false }
        // Recorded before it is armed: the worker its event wakes must find it.
        if workers.arm(fd, events: EpollSet.input | EpollSet.oneShot) { return true }
        // Not watched: the caller closes it, unless `closeIdle` already took it (and closed it).
        return !claim(fd)
    }

    /// Called by a worker woken for `fd`: true when it is a parked connection, now the worker's
    /// (false for an event that `closeIdle` overtook).
    func claim(_ fd: Int32) -> Bool {
        state.withLock { $0.idle.remove(fd) != nil }
    }

    /// Called by a worker for a claimed connection whose next request has only partly arrived: the
    /// acceptor waits for the rest. It stays in `workers`, disarmed, until it is parked again.
    ///
    /// - Returns: false when stopping (or epoll refuses it): the caller closes it.
    func transfer(_ fd: Int32) -> Bool {
        let accepted = state.withLock { state in
            guard !state.closed else { return false }
            state.transferred.insert(fd)
            return true
        }
        guard accepted else { return false }
        if acceptor.add(fd, events: EpollSet.input | EpollSet.edgeTriggered) { return true }
        return !takeTransferred(fd)
    }

    /// Called by the acceptor for an event on a descriptor it does not track: true when it is a
    /// transferred connection, now the acceptor's (it stays watched).
    func takeTransferred(_ fd: Int32) -> Bool {
        state.withLock { $0.transferred.remove(fd) != nil }
    }

    /// Stops parking and closes every idle connection (and any transfer the acceptor has not taken),
    /// so nginx sends no request to a responder that is going away (it opens a new connection, and
    /// reaches the next responder).
    func closeIdle() {
        let fds = state.withLock { state in
            state.closed = true
            defer {
                state.idle.removeAll()
                state.transferred.removeAll()
            }
            return state.idle.union(state.transferred)
        }
        for fd in fds { _ = close(fd) }
    }
}
