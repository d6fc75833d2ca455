import CSQLite
@preconcurrency import Glibc
import Synchronization

/// Runs the passive checkpoints of one database file on a thread of its own, so that the commit
/// that fills the WAL does not wait for them, and the commit after it finishes the job.
///
/// Inline, a checkpoint ran inside the COMMIT of the batch that crossed the threshold, with the
/// write gate held: its `fdatasync` of the WAL (0.7 ms for 1 MiB on the bench machine's disk) and
/// of the database file held every other commit off, over a hundred times a second at 30k links
/// per second. With `fdatasync` made a no-op (LD_PRELOAD, a measurement only) links went +34 %
/// and idle CPU from 21 % to 10 %; with this type, +17 % and 13-16 % (docs/BENCHMARKS.md).
///
/// Here the WAL hook only asks; this thread checkpoints on its own connection while writers go on
/// committing (a passive checkpoint takes no writer lock). It cannot reach the WAL's end, since
/// commits land meanwhile, and SQLite restarts the WAL from its start only once every frame is
/// back in the database. So the first commit after it runs one more passive checkpoint, inline as
/// before, over the few frames written since: a short `fdatasync`, and the next write starts the
/// WAL over (the file stays small and in the page cache).
///
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/wal_checkpoint_v2.html>,
/// <https://www.sqlite.org/wal.html#ckpt>
public final class WALCheckpointer: Sendable {
    private let state: State

    /// - Parameter path: the database file whose WAL this checkpointer keeps small.
    public init(path: String) {
        state = State(path: path)
    }

    deinit {
        state.stop()
    }

    /// Called by the WAL hook of a commit that left `pages` frames in the WAL: whether that commit
    /// should run the finishing checkpoint itself (a background checkpoint has ended since the
    /// last one). Otherwise, past `threshold`, asks the thread for a checkpoint, unless one is due
    /// or running; never waits.
    func afterCommit(pages: Int32, threshold: Int32) -> Bool {
        if state.finishDue.exchange(false, ordering: .acquiringAndReleasing) { return true }
        if pages >= threshold { state.request() }
        return false
    }

    /// Background checkpoints finished (for tests and diagnostics).
    var completed: Int { state.completed.load(ordering: .relaxed) }

    /// What the thread shares with the checkpointer; the thread holds it, not the checkpointer, so
    /// that the checkpointer's deinit can stop the thread.
    ///
    /// `@unchecked Sendable`: `requested`, `stopping` and `started` are read and written only while
    /// `lock` is held; `connection` only on the checkpoint thread.
    final class State: @unchecked Sendable {
        let path: String
        let lock = ConditionLock()
        var requested = false
        var stopping = false
        var started = false
        let finishDue = Atomic<Bool>(false)
        let completed = Atomic<Int>(0)
        var connection: SQLiteConnection?

        init(path: String) {
            self.path = path
        }

        /// Asks for a checkpoint; starts the thread on the first request (most processes and tests
        /// never fill the WAL that far).
        func request() {
            lock.lock()
            defer { lock.unlock() }
            guard !requested, !stopping else { return }
            requested = true
            if !started {
                var thread = pthread_t()
                guard pthread_create(&thread, nil, walCheckpointerMain, Unmanaged.passRetained(self).toOpaque()) == 0
                else {
                    requested = false
                    return
                }
                pthread_detach(thread)
                started = true
            }
            lock.signal()
        }

        func stop() {
            lock.withLock {
                stopping = true
                lock.signal()
            }
        }

        /// The thread: waits for a request, checkpoints, and tells the next commit to finish.
        func run() {
            while true {
                lock.lock()
                while !requested && !stopping { lock.wait() }
                let stop = stopping
                lock.unlock()
                if stop { break }
                if connection == nil { connection = try? SQLiteConnection(path: path) }
                if let connection,
                    sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK
                {
                    completed.add(1, ordering: .relaxed)
                }
                // Done or not (no connection, another checkpointer busy), the next commit runs one:
                // a failing thread leaves the checkpoints inline, as without it, never undone.
                finishDue.store(true, ordering: .releasing)
                // Asked again while it ran: those requests were for the frames it just copied.
                lock.withLock { requested = false }
            }
            connection = nil
        }
    }
}

/// The checkpoint thread's entry point (a global function: C must not call a Swift closure).
private func walCheckpointerMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    Unmanaged<WALCheckpointer.State>.fromOpaque(argument).takeRetainedValue().run()
    return nil
}
