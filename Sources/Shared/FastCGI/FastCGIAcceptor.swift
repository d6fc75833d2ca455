import CLinux
@preconcurrency import Glibc
import Logging

/// The responder's I/O thread: accepts FastCGI connections and holds each one, without a worker,
/// until its whole request has arrived — bounded in time (`readTimeout`) and size (the scanner's
/// limits) — then queues it for a worker.
///
/// A peer that connects and stalls, trickles, or declares absurd lengths therefore costs one
/// descriptor and no thread: workers only ever read requests that are already in the socket
/// buffer. The connections completed by one wake-up are queued together, so one worker can take
/// them as one batch. At most `maxPending` connections wait at once; past that the oldest is dropped, since a
/// well-behaved nginx sends its request as soon as it connects. Waiting connections are watched
/// edge-triggered: the bytes stay unread in the socket (libfcgi reads them later), so a
/// level-triggered wait would wake at once, again and again. Each arrival re-scans what is there,
/// at most `maxArrivals` times a connection, so a peer trickling bytes costs bounded work.
///
/// Kept connections bypass it: workers watch them (`ConnectionWatcher`) and transfer one here only
/// when its next request arrives in parts.
final class FastCGIAcceptor {
    /// How long a worker may block writing a response to a peer that does not read.
    static let writeTimeoutSeconds = 10
    /// Connections waiting for the rest of their request.
    static let maxPending = 1_024
    /// Arrivals of data a connection may take to complete its request (nginx needs a handful).
    static let maxArrivals = 128
    let listener: FastCGIListener
    let queue: ConnectionQueue
    let wakeFD: Int32
    let logger: Logger
    /// How long a connection may take to send its whole request (`FCGI_READ_TIMEOUT`).
    let readTimeout: Double
    /// `FCGI_WEB_SERVER_ADDRS`: for a TCP listener, the only peers served (nil: any).
    let allowedPeers: [UInt32]?
    /// Waiting connections: deadline (monotonic seconds), arrivals seen, and whether it is a kept
    /// connection (its socket timeouts already set).
    private var pending: [Int32: (deadline: Double, arrivals: Int, kept: Bool)] = [:]
    private var peek = RequestPeek()
    /// Connections completed during this wake-up, queued together at its end.
    private var ready: [Int32] = []
    /// Its epoll set is `watcher.acceptor`, where workers also transfer kept connections.
    let watcher: ConnectionWatcher

    /// Creates the acceptor; it runs on the thread that calls `run()`.
    ///
    /// - Throws: `ListenerError` when epoll cannot be set up.
    init(
        listener: FastCGIListener,
        queue: ConnectionQueue,
        wakeFD: Int32,
        logger: Logger,
        readTimeout: Double,
        allowedPeers: [UInt32]?,
        watcher: ConnectionWatcher
    ) {
        self.listener = listener
        self.readTimeout = readTimeout
        self.queue = queue
        self.wakeFD = wakeFD
        self.logger = logger
        self.allowedPeers = allowedPeers
        self.watcher = watcher
        // The listener is non-blocking so that accepting drains it without ever blocking.
        _ = fcntl(listener.fd, F_SETFL, fcntl(listener.fd, F_GETFL) | O_NONBLOCK)
        watcher.acceptor.add(listener.fd, events: EpollSet.input)
        watcher.acceptor.add(wakeFD, events: EpollSet.input)
    }

    /// Accepts until the wake descriptor becomes readable (stop), then finishes the connections
    /// already accepted (each completes or times out) and closes the queue.
    func run() {
        var accepting = true
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while accepting || !pending.isEmpty {
            let timeout = pending.isEmpty ? -1 : Int32(min(1_000, max(0, (earliestDeadline() - now()) * 1_000)) + 1)
            let count = watcher.acceptor.wait(&events, timeout: timeout)
            if count < 0 {
                logger.critical("epoll_wait(): \(errnoText())")
                break
            }
            for event in events.prefix(count) {
                let fd = event.data.fd
                let hungUp = event.events & EpollSet.hangUp != 0
                if fd == wakeFD {
                    accepting = false
                    watcher.acceptor.remove(wakeFD)
                    watcher.acceptor.remove(listener.fd)
                    watcher.closeIdle()
                } else if fd == listener.fd {
                    if accepting { acceptAll() }
                } else if pending[fd] != nil {
                    examine(fd, isNew: false, peerDone: hungUp)
                } else if watcher.takeTransferred(fd) {
                    // A kept connection whose next request arrives in parts: from now on it waits
                    // like a new connection, already watched and with its timeouts set.
                    pending[fd] = (now() + readTimeout, 0, true)
                    examine(fd, isNew: false, peerDone: hungUp)
                }
            }
            queue.push(ready)
            ready.removeAll(keepingCapacity: true)
            expire()
        }
        for fd in pending.keys { drop(fd) }
        queue.close()
    }

    // MARK: - Accepting

    private func acceptAll() {
        while true {
            // Accepted descriptors stay blocking (peeks pass MSG_DONTWAIT) and need no close-on-exec:
            // the responder never runs another program.
            let fd = accept(listener.fd, nil, nil)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EAGAIN: return
                case EMFILE, ENFILE:
                    // Out of descriptors: free the oldest waiting one, or pause rather than spin.
                    if let oldest = pending.min(by: { $0.value.deadline < $1.value.deadline })?.key {
                        drop(oldest)
                        continue
                    }
                    logger.error("accept(): \(errnoText())")
                    usleep(10_000)
                    return
                default:
                    logger.error("accept(): \(errnoText())")
                    return
                }
            }
            guard isAllowedPeer(fd) else {
                _ = close(fd)
                continue
            }
            examine(fd, isNew: true, peerDone: false)
        }
    }

    /// Looks at what the connection has sent so far (without consuming it) and queues, answers,
    /// keeps waiting, or drops it. A peer that has stopped sending (`peerDone`) with its request
    /// incomplete is dropped.
    private func examine(_ fd: Int32, isNew: Bool, peerDone: Bool) {
        switch peek.look(at: fd) {
        case .complete:
            handOff(fd)
        case .nothing where !peerDone, .incomplete(full: false) where !peerDone:
            wait(for: fd, isNew: isNew)
        case .nothing, .incomplete, .closed:
            drop(fd)
        case .parametersTooLarge(let requestID):
            forget(fd)
            RequestPeek.refuse(fd, requestID: requestID, with: .parametersTooLarge)
        case .malformed(let reason):
            logger.debug("dropping a FastCGI connection: \(reason)")
            drop(fd)
        }
    }

    private func wait(for fd: Int32, isNew: Bool) {
        guard isNew else {
            pending[fd]?.arrivals += 1
            if let arrivals = pending[fd]?.arrivals, arrivals > Self.maxArrivals { drop(fd) }
            return
        }
        if pending.count >= Self.maxPending,
            let oldest = pending.min(by: { $0.value.deadline < $1.value.deadline })?.key
        {
            drop(oldest)
        }
        pending[fd] = (now() + readTimeout, 0, false)
        watcher.acceptor.add(fd, events: EpollSet.input | EpollSet.edgeTriggered)
    }

    /// The whole request is here: queued, with a write limit so a peer that stops reading cannot
    /// hold a worker forever (and a read limit, though every byte libfcgi reads is already here).
    private func handOff(_ fd: Int32) {
        if let waited = pending.removeValue(forKey: fd) {
            watcher.acceptor.remove(fd)
            if waited.kept { return ready.append(fd) }
        }
        var limit = timeval(tv_sec: Self.writeTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        ready.append(fd)
    }

    private func drop(_ fd: Int32) {
        forget(fd)
        _ = close(fd)
    }

    /// Stops waiting for a connection (its descriptor stays open).
    private func forget(_ fd: Int32) {
        if pending.removeValue(forKey: fd) != nil { watcher.acceptor.remove(fd) }
    }

    private func expire() {
        let current = now()
        for (fd, state) in pending where state.deadline <= current {
            drop(fd)
        }
    }

    // MARK: - Helpers

    private func earliestDeadline() -> Double { pending.values.map(\.deadline).min() ?? now() }

    /// `FCGI_WEB_SERVER_ADDRS`, as libfcgi honours it: TCP peers outside the list are refused.
    private func isAllowedPeer(_ fd: Int32) -> Bool {
        guard let allowedPeers else { return true }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let got = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard got == 0, address.sin_family == sa_family_t(AF_INET) else { return true }
        return allowedPeers.contains(address.sin_addr.s_addr)
    }

    private func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
