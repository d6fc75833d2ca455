import CFastCGI
@preconcurrency import Glibc
import Logging
import Synchronization

/// Handles requests on one worker thread; made once per thread, so it may hold thread-confined
/// resources such as a SQLite connection.
public typealias RequestHandler = (Request) -> Response

/// The multi-threaded libfcgi accept loop with a graceful stop.
///
/// Each worker thread owns one `FastCGIRequest` and one handler. Idle workers take turns: the one
/// holding `acceptTurn` polls the (non-blocking) listening socket together with a wake-up pipe and
/// calls `FCGX_Accept_r` only once a connection is pending. On SIGTERM or SIGINT the main thread writes to
/// the pipe; the pipe stays readable, so every idle worker sees it and leaves, and busy workers leave
/// after finishing their request. `FCGX_ShutdownPending` is not used: libfcgi then fails every
/// read and write, which would cut the requests in flight.
public final class FastCGIServer: Sendable {
    let listener: FastCGIListener
    let threadCount: Int
    let logger: Logger
    let makeHandler: @Sendable () throws -> RequestHandler
    let acceptTurn = Mutex(())
    let stopping = Atomic<Bool>(false)
    /// [read end, write end] of the wake-up pipe.
    let wakePipe: (read: Int32, write: Int32)

    /// Prepares the server; nothing runs until `run()`.
    ///
    /// - Parameters:
    ///   - listener: the listening socket.
    ///   - threadCount: the number of worker threads.
    ///   - logger: where start, stop and failures are logged.
    ///   - makeHandler: called once on each worker thread to build that thread's handler.
    /// - Throws: `ListenerError` when the wake-up pipe cannot be made.
    public init(
        listener: FastCGIListener,
        threadCount: Int,
        logger: Logger,
        makeHandler: @escaping @Sendable () throws -> RequestHandler
    ) throws {
        self.listener = listener
        self.threadCount = max(1, threadCount)
        self.logger = logger
        self.makeHandler = makeHandler
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ListenerError("pipe(): \(errnoText())") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        wakePipe = (fds[0], fds[1])
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
        // Accepted connections do not inherit O_NONBLOCK on Linux, so libfcgi's reads stay blocking.
        let flags = fcntl(listener.fd, F_GETFL)
        _ = fcntl(listener.fd, F_SETFL, flags | O_NONBLOCK)
        signal(SIGPIPE, SIG_IGN)
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        var threads: [pthread_t] = []
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
        for thread in threads {
            pthread_join(thread, nil)
        }
        let failed = failedWorkers.load(ordering: .relaxed)
        listener.close()
        logger.info("stopped")
        return failed
    }

    let failedWorkers = Atomic<Int>(0)

    /// Asks every worker to leave once idle.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    /// One worker thread's life: build its handler, then accept and serve until stopped.
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
        let request = FastCGIRequest(listenSocket: listener.fd)
        while waitForConnection() {
            switch request.accept() {
            case .accepted: break
            case .nothingPending: continue
            case .failed(let code):
                logger.error("FCGX_Accept_r failed: \(String(cString: strerror(code)))")
                continue
            }
            switch request.read() {
            case .success(let parsed):
                request.finish(with: handler(parsed), headOnly: parsed.method == "HEAD")
            case .failure(let error):
                request.finish(with: error.response, headOnly: false)
            }
        }
    }

    /// Takes this worker's turn at the listening socket and returns true once a connection is
    /// pending, or false when the server is stopping.
    ///
    /// Only the turn holder polls, so one connection wakes one worker rather than all of them; the
    /// turn is released before accepting, and a worker that then finds the connection gone
    /// (non-blocking accept, EAGAIN) polls again rather than blocking in `accept()` past a stop.
    private func waitForConnection() -> Bool {
        acceptTurn.withLock { _ in
            var fds = [
                pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0),
            ]
            while !stopping.load(ordering: .sequentiallyConsistent) {
                let ready = poll(&fds, nfds_t(fds.count), -1)
                if ready < 0 {
                    if errno == EINTR { continue }
                    logger.critical("poll(): \(errnoText())")
                    stop()
                    return false
                }
                if fds[1].revents != 0 { return false }
                if fds[0].revents & Int16(POLLIN) != 0 { return true }
            }
            return false
        }
    }
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
