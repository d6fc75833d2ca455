import CFastCGI
import CLinux
@preconcurrency import Glibc
import Logging
import Synchronization

/// Handles the requests one worker thread took together; made once per thread, so it may hold
/// thread-confined resources such as a SQLite connection.
///
/// It answers each request exactly once, through `answer(index, response)` (the index into
/// `requests`), in any order and as soon as it can: the worker writes each response when it is
/// given. Requests taken together can share work, such as one commit for all their writes.
public typealias RequestHandler = (_ requests: [Request], _ answer: (Int, Response) -> Void) -> Void

/// The responder's threads: one acceptor (`FastCGIAcceptor`) that takes new connections and queues
/// each once its whole request has arrived, and worker threads that read requests with libfcgi,
/// handle them and write the responses.
///
/// Workers wait in one shared epoll set (`ConnectionWatcher.workers`) for two things: the
/// acceptor's queue, and the connections nginx keeps (`FCGI_KEEP_CONN`), parked there after each
/// response. A worker takes what one wake-up brings — every kept connection whose next request
/// has arrived, and every queued connection, up to `maxBatch` of each — and hands their requests
/// to its handler together: under load, the requests that arrived while a batch was handled form
/// the next one, so the per-batch costs (a wake-up, a commit) are shared by more requests the
/// busier the responder is, while a lone request is still handled at once. A kept connection
/// holds no worker between requests, and its next request reaches a worker with no other thread
/// in between.
///
/// Each worker thread owns its `FastCGIRequest`s (one per request of a batch) and one handler. On
/// SIGTERM or SIGINT the main thread writes to a wake-up pipe: the acceptor stops accepting, closes
/// the idle kept connections, finishes the connections it has (each completes or times out) and
/// closes the queue; workers leave once it is empty. So every accepted request is answered.
/// `FCGX_ShutdownPending` is not used: libfcgi then fails every read and write, which would cut
/// the requests in flight.
public final class FastCGIServer: Sendable {
    /// The most kept connections, and the most queued ones, one worker takes at once (nginx keeps
    /// 32 connections by default).
    static let maxBatch = 64

    let listener: FastCGIListener
    let threadCount: Int
    /// How long a connection may take to send its whole request.
    let readTimeoutSeconds: Int
    let logger: Logger
    let makeHandler: @Sendable () throws -> RequestHandler
    let queue: ConnectionQueue
    /// [read end, write end] of the wake-up pipe.
    let wakePipe: (read: Int32, write: Int32)
    /// The epoll sets: the workers' (the queue, parked connections) and the acceptor's.
    let watcher: ConnectionWatcher

    /// Prepares the server; nothing runs until `run()`.
    ///
    /// - Parameters:
    ///   - listener: the listening socket.
    ///   - threadCount: the number of worker threads.
    ///   - readTimeoutSeconds: how long a connection may take to send its whole request.
    ///   - logger: where start, stop and failures are logged.
    ///   - makeHandler: called once on each worker thread to build that thread's handler.
    /// - Throws: `ListenerError` when the wake-up pipe, the queue's eventfd or the epoll sets cannot
    ///   be made.
    public init(
        listener: FastCGIListener,
        threadCount: Int,
        readTimeoutSeconds: Int = 10,
        logger: Logger,
        makeHandler: @escaping @Sendable () throws -> RequestHandler
    ) throws {
        self.listener = listener
        self.threadCount = max(1, threadCount)
        self.readTimeoutSeconds = readTimeoutSeconds
        self.logger = logger
        self.makeHandler = makeHandler
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ListenerError("pipe(): \(errnoText())") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakePipe = (fds[0], fds[1])
        watcher = try ConnectionWatcher()
        queue = try ConnectionQueue()
        watcher.workers.add(queue.readyFD, events: EpollSet.input | EpollSet.oneShot)
    }

    /// Serves until SIGTERM or SIGINT, then lets in-flight requests finish and returns.
    ///
    /// Must be called from the main thread before any other thread exists: it blocks the stop
    /// signals for every thread it starts and waits for them with `sigwait`.
    ///
    /// - Returns: the number of worker threads that failed to start (0 when all went well).
    public func run() -> Int {
        // "FCGX_Init … must be called before any other function in this library" (fcgiapp.h);
        // without it FCGX_Accept_r returns -9998.
        FCGX_Init()
        signal(SIGPIPE, SIG_IGN)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        var threads: [pthread_t] = []
        var acceptorThread = pthread_t()
        let acceptor = FastCGIAcceptor(
            listener: listener,
            queue: queue,
            wakeFD: wakePipe.read,
            logger: logger,
            readTimeout: Double(readTimeoutSeconds),
            allowedPeers: listener.allowedPeers,
            watcher: watcher
        )
        let acceptorContext = Unmanaged.passRetained(acceptor).toOpaque()
        guard pthread_create(&acceptorThread, nil, fastCGIAcceptorMain, acceptorContext) == 0 else {
            Unmanaged<FastCGIAcceptor>.fromOpaque(acceptorContext).release()
            logger.critical("cannot start the acceptor thread: \(errnoText())")
            listener.close()
            return threadCount
        }
        for index in 0..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passRetained(WorkerContext(server: self, index: index)).toOpaque()
            guard pthread_create(&thread, nil, fastCGIWorkerMain, context) == 0 else {
                Unmanaged<WorkerContext>.fromOpaque(context).release()
                logger.critical("cannot start worker thread \(index): \(errnoText())")
                stop()
                break
            }
            threads.append(thread)
        }
        logger.info("listening on \(listener.origin) with \(threads.count) worker threads")

        if threads.count == threadCount {
            var received: Int32 = 0
            sigwait(&stopSignals, &received)
            logger.info("signal \(received) received: finishing requests in flight")
            stop()
        }
        pthread_join(acceptorThread, nil)
        for thread in threads {
            pthread_join(thread, nil)
        }
        let failed = failedWorkers.load(ordering: .relaxed)
        listener.close()
        logger.info("stopped")
        return failed
    }

    let failedWorkers = Atomic<Int>(0)

    /// Asks the acceptor to stop accepting; workers leave once the queue is drained.
    func stop() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    /// One worker thread's life: build its handler, then take and serve batches until stopped.
    func serve(workerIndex: Int) {
        let handler: RequestHandler
        do {
            handler = try makeHandler()
        } catch {
            logger.critical("worker \(workerIndex) cannot start: \(error)")
            failedWorkers.add(1, ordering: .relaxed)
            stop()
            return
        }
        var batch = WorkerBatch()
        var events = [epoll_event](repeating: epoll_event(), count: Self.maxBatch)
        var leaving = false
        while !leaving {
            let count = watcher.workers.wait(&events, timeout: -1)
            if count < 0 {
                logger.critical("worker \(workerIndex): epoll_wait(): \(errnoText())")
                failedWorkers.add(1, ordering: .relaxed)
                stop()
                return
            }
            batch.connections.removeAll(keepingCapacity: true)
            for event in events.prefix(count) {
                let fd = event.data.fd
                if fd == queue.readyFD {
                    leaving = takeQueued(into: &batch.connections)
                } else if watcher.claim(fd), let ready = nextRequest(on: fd, peek: &batch.peek) {
                    batch.connections.append(ready)
                }
            }
            serve(batch.connections, in: &batch, with: handler)
        }
    }

    /// Takes the queued connections (the queue's eventfd woke this worker) and arms the eventfd
    /// again, signalling first when others must wake too: connections were left behind, or the
    /// queue is closed (every worker must see that).
    ///
    /// - Returns: true when the queue is closed and drained: the worker leaves after this batch.
    private func takeQueued(into connections: inout [Int32]) -> Bool {
        let taken = queue.take(limit: Self.maxBatch)
        connections += taken.fds
        if taken.more || taken.closed { queue.signal() }
        _ = watcher.workers.modify(queue.readyFD, events: EpollSet.input | EpollSet.oneShot)
        return taken.closed && !taken.more
    }

    /// A parked connection woke this worker: the connection when its whole next request is there;
    /// otherwise it is parked again (nothing arrived), transferred to the acceptor (part of a
    /// request), answered 431 or closed, and nil.
    private func nextRequest(on fd: Int32, peek: inout RequestPeek) -> Int32? {
        switch peek.look(at: fd) {
        case .complete:
            return fd
        case .nothing:
            if !watcher.park(fd) { _ = close(fd) }
        case .incomplete(full: false):
            if !watcher.transfer(fd) { _ = close(fd) }
        case .parametersTooLarge(let requestID):
            RequestPeek.refuse(fd, requestID: requestID, with: .parametersTooLarge)
        case .incomplete(full: true), .closed, .malformed:
            _ = close(fd)
        }
        return nil
    }

    /// Reads the connections' requests, hands them to the handler together, and answers each once.
    private func serve(_ connections: [Int32], in batch: inout WorkerBatch, with handler: RequestHandler) {
        guard !connections.isEmpty else { return }
        while batch.slots.count < connections.count { batch.slots.append(FastCGIRequest()) }
        var requests: [Request] = []
        var readers: [FastCGIRequest] = []
        for (connection, slot) in zip(connections, batch.slots) {
            switch slot.accept(connection: connection) {
            case .accepted: break
            case .failed(let code):
                logger.error("FCGX_Accept_r failed: \(String(cString: strerror(code)))")
                continue
            }
            switch slot.read() {
            case .success(let parsed):
                requests.append(parsed)
                readers.append(slot)
            case .failure(let error):
                finish(slot, with: error.response, headOnly: false)
            }
        }
        guard !requests.isEmpty else { return }
        var answered = [Bool](repeating: false, count: requests.count)
        handler(requests) { index, response in
            guard requests.indices.contains(index), !answered[index] else { return }
            answered[index] = true
            finish(readers[index], with: response, headOnly: requests[index].method == "HEAD")
        }
        // A handler that skipped a request must not leave its connection open and unanswered.
        for index in answered.indices where !answered[index] {
            logger.error("no response for \(requests[index].method) \(requests[index].path)")
            finish(readers[index], with: HTTPError.internalFailure.response, headOnly: false)
        }
    }

    /// Writes a response and parks its connection if nginx keeps it, or closes it.
    private func finish(_ slot: FastCGIRequest, with response: Response, headOnly: Bool) {
        if let kept = slot.finish(with: response, headOnly: headOnly), !watcher.park(kept) {
            FastCGIRequest.close(kept)
        }
    }
}

/// What one worker thread keeps from batch to batch: its libfcgi requests, its peek buffer, and the
/// list of connections one wake-up brought (kept for its capacity).
struct WorkerBatch {
    var slots: [FastCGIRequest] = []
    var peek = RequestPeek()
    var connections: [Int32] = []
}

/// What a new worker thread needs; passed through pthread_create's `void *` argument.
final class WorkerContext {
    let server: FastCGIServer
    let index: Int
    init(server: FastCGIServer, index: Int) {
        self.server = server
        self.index = index
    }
}

/// The worker thread entry point: a global function, because C must not call a closure formed in
/// an actor-isolated context (it traps at run time under Swift 6).
private func fastCGIWorkerMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let context = Unmanaged<WorkerContext>.fromOpaque(argument).takeRetainedValue()
    context.server.serve(workerIndex: context.index)
    return nil
}

/// The acceptor thread's entry point (a global function, like the workers').
private func fastCGIAcceptorMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    Unmanaged<FastCGIAcceptor>.fromOpaque(argument).takeRetainedValue().run()
    return nil
}
