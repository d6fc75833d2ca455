import CLinux
@preconcurrency import Glibc

/// One epoll instance: the owner of its descriptor. `epoll_ctl` and `epoll_wait` are thread-safe,
/// so threads share a set without a lock of ours.
final class EpollSet: Sendable {
    /// Readable, or the peer closed its end: what every watched descriptor is watched for.
    static let input = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    /// Reported once, then disarmed until `modify` arms it again: one thread gets each event.
    static let oneShot = EPOLLONESHOT.rawValue
    /// Reported when new input arrives, not while unread input waits.
    static let edgeTriggered = EPOLLET.rawValue
    /// The peer is gone or the socket failed.
    static let hangUp = EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue

    let fd: Int32

    /// - Throws: `ListenerError` when the kernel refuses a new epoll instance.
    init() throws {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw ListenerError("epoll_create1(): \(errnoText())") }
    }

    deinit {
        _ = close(fd)
    }

    /// Watches `descriptor` for `events`; false (with errno) when it cannot be (already watched).
    @discardableResult
    func add(_ descriptor: Int32, events: UInt32) -> Bool {
        control(EPOLL_CTL_ADD, descriptor, events)
    }

    /// Changes what a watched descriptor is watched for, arming a one-shot one again; false (with
    /// errno ENOENT) when it is not in the set.
    func modify(_ descriptor: Int32, events: UInt32) -> Bool {
        control(EPOLL_CTL_MOD, descriptor, events)
    }

    /// Arms `descriptor`, adding it when it is not in the set yet: one call for a descriptor that is.
    @discardableResult
    func arm(_ descriptor: Int32, events: UInt32) -> Bool {
        modify(descriptor, events: events) || (errno == ENOENT && add(descriptor, events: events))
    }

    func remove(_ descriptor: Int32) {
        var unused = epoll_event()
        _ = epoll_ctl(fd, EPOLL_CTL_DEL, descriptor, &unused)
    }

    /// Waits for events (at most `events.count`) for up to `timeout` milliseconds (-1: no limit).
    ///
    /// - Returns: how many of `events` were filled; 0 on a timeout or an interrupted wait, -1 with
    ///   errno for any other failure.
    func wait(_ events: inout [epoll_event], timeout: Int32) -> Int {
        let count = epoll_wait(fd, &events, Int32(events.count), timeout)
        if count < 0 && errno == EINTR { return 0 }
        return Int(count)
    }

    private func control(_ operation: Int32, _ descriptor: Int32, _ events: UInt32) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.fd = descriptor
        return epoll_ctl(fd, operation, descriptor, &event) == 0
    }
}
