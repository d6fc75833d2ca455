import CLinux
@preconcurrency import Glibc
import Synchronization

/// The acceptor's epoll set, and the idle connections in it: connections nginx keeps open between
/// requests (`fastcgi_keep_conn on` with an upstream `keepalive`).
///
/// A worker that has answered on such a connection parks it here, from its own thread
/// (`epoll_ctl` is thread-safe); the acceptor claims it when its next request starts to arrive (or
/// nginx closes it) and treats it from then on like a new connection. So a kept connection, like
/// a new one, holds a worker only once its whole request is in the socket.
final class ConnectionWatcher: Sendable {
    /// The most idle connections kept; a connection finished past it is closed instead.
    static let maxIdle = 1_024

    let epoll: Int32
    private let idle = Mutex<(fds: Set<Int32>, closed: Bool)>(([], false))

    /// - Throws: `ListenerError` when epoll cannot be set up.
    init() throws {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw ListenerError("epoll_create1(): \(errnoText())") }
    }

    deinit {
        _ = close(epoll)
    }

    /// Watches `fd` for input and hang-ups, edge-triggered or not.
    @discardableResult
    func watch(_ fd: Int32, edgeTriggered: Bool) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (edgeTriggered ? EPOLLET.rawValue : 0)
        event.data.fd = fd
        return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0
    }

    func unwatch(_ fd: Int32) {
        var unused = epoll_event()
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, &unused)
    }

    /// Called by a worker after answering on a connection nginx keeps: watches it for the next
    /// request. Edge-triggered, like any connection waiting for the rest of a request: its bytes
    /// stay unread until a worker takes it.
    ///
    /// - Returns: false when the connection is not kept (stopping, or `maxIdle` reached): the
    ///   caller closes it.
    func park(_ fd: Int32) -> Bool {
        let parked = idle.withLock { state in
            guard !state.closed, state.fds.count < Self.maxIdle else { return false }
            state.fds.insert(fd)
            return true
        }
        guard parked else { return false }
        if watch(fd, edgeTriggered: true) { return true }
        // Not watched: the caller closes it, unless `closeIdle` already took it (and closed it).
        return !claim(fd)
    }

    /// Called by the acceptor for an event on a descriptor it does not track: true when it is a
    /// parked connection, now no longer idle (it stays watched).
    func claim(_ fd: Int32) -> Bool {
        idle.withLock { $0.fds.remove(fd) != nil }
    }

    /// Stops parking and closes every idle connection, so nginx sends no request to a responder that
    /// is going away (it opens a new connection, and reaches the next responder).
    func closeIdle() {
        let fds = idle.withLock { state in
            state.closed = true
            defer { state.fds.removeAll() }
            return state.fds
        }
        for fd in fds { _ = close(fd) }
    }
}
