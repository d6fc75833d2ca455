import CSQLite
@preconcurrency import Glibc
import Synchronization

/// Commits the small writes of concurrent threads in one transaction (group commit).
///
/// A thread hands in its write and blocks. If no batch is running, it becomes the leader: it
/// takes every write waiting, runs them in order inside one `BEGIN IMMEDIATE … COMMIT`, holding the
/// write gate, and then wakes the others.
///
/// Batches run on one connection of their own, used by one leader at a time: a connection's page
/// cache survives its own commits, while any other connection drops its cache after a write it
/// did not make and reads the pages again (measured: six `pread`s per click when each leader used
/// its own thread's connection). Writes that read first (the click looks its code up) therefore
/// read from a warm cache too. Each caller returns only after
/// the transaction holding its write has committed, so what a caller answers is as durable as if it
/// had committed alone; but one commit (its WAL frames, the index pages the writes share, the
/// lock round trip) now serves many writes.
///
/// Each write is still one statement evaluated after the ones before it in the batch, so a rule a
/// statement decides from the rows before it (the per-IP click limit) stays exact.
///
/// Failure: a write that throws gets its error and the batch goes on, unless SQLite rolled the
/// whole transaction back (disk full, I/O error), when every write of the batch gets the error; a
/// failed COMMIT gives every write the error. A write never reports success that did not commit.
///
/// `@unchecked Sendable`: `waiting` and `leading` are read and written only while `lock` is held;
/// a ticket's `outcome` is written by the leader before it broadcasts, under the same lock;
/// `connection` is used only by the leader, and `leading` (set and cleared under the lock) lets
/// one thread lead at a time.
final class GroupCommit: @unchecked Sendable {
    /// One write waiting for its commit.
    final class Ticket {
        let work: (SQLiteConnection) throws -> Void
        /// The writes `work` holds (several clicks handed in together count as several).
        let writes: Int
        var outcome: Result<Void, any Error>?
        init(writes: Int, _ work: @escaping (SQLiteConnection) throws -> Void) {
            self.writes = writes
            self.work = work
        }
    }

    /// The most writes in one transaction: bounds how long the lock is held in one go.
    static let maxBatch = 256

    private let lock = ConditionLock()
    private var waiting: [Ticket] = []
    private var leading = false
    /// The batches' connection, opened by the first leader; only the leader touches it.
    private var connection: SQLiteConnection?
    /// Transactions committed, and the writes they held (their ratio is the mean batch).
    let commits = Atomic<Int>(0)
    let writes = Atomic<Int>(0)

    /// Runs `work` in a transaction shared with the writes other threads hand in meanwhile, and
    /// returns its result once that transaction has committed.
    ///
    /// - Parameters:
    ///   - connection: the calling thread's connection: the batches' connection opens on its file,
    ///     in its mode (and the batch runs on this one if that fails).
    ///   - gate: the process's write gate, held by the leader for the whole batch.
    ///   - writes: how many writes `work` holds, for the `writes` total.
    ///   - work: one write (or several handed in together); it may run on another thread's connection (never at the same time as
    ///     that thread uses it: that thread is waiting here).
    /// - Throws: what `work` throws, or `SQLiteError` when the batch could not commit.
    func run<T>(
        on connection: SQLiteConnection,
        gate: WriteGate,
        writes: Int = 1,
        _ work: @escaping (SQLiteConnection) throws -> T
    )
        throws -> T
    {
        var result: T?
        let ticket = Ticket(writes: writes) { result = try work($0) }
        lock.lock()
        waiting.append(ticket)
        while ticket.outcome == nil {
            if leading {
                lock.wait()
                continue
            }
            leading = true
            let batch = Array(waiting.prefix(Self.maxBatch))
            waiting.removeFirst(batch.count)
            lock.unlock()
            if self.connection == nil {
                self.connection = try? gate.connection(path: connection.path, readOnly: connection.readOnly)
            }
            let outcomes = Self.commit(batch, on: self.connection ?? connection, gate: gate)
            commits.add(1, ordering: .relaxed)
            self.writes.add(batch.reduce(0) { $0 + $1.writes }, ordering: .relaxed)
            lock.lock()
            for (ticket, outcome) in zip(batch, outcomes) { ticket.outcome = outcome }
            leading = false
            lock.broadcast()
        }
        lock.unlock()
        try ticket.outcome?.get()
        guard let result else { throw SQLiteError(code: SQLITE_MISUSE, message: "a committed write left no result") }
        return result
    }

    /// Writes handed in and waiting for the next batch.
    var waitingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return waiting.count
    }

    /// Runs a batch in one transaction; the outcome of each write, in order.
    private static func commit(
        _ batch: [Ticket],
        on connection: SQLiteConnection,
        gate: WriteGate
    )
        -> [Result<Void, any Error>]
    {
        do {
            return try gate.run {
                try connection.writeTransaction {
                    var outcomes: [Result<Void, any Error>] = []
                    outcomes.reserveCapacity(batch.count)
                    for ticket in batch {
                        do {
                            try ticket.work(connection)
                            outcomes.append(.success(()))
                        } catch {
                            // SQLite undoes a failed statement alone, unless it rolled back the
                            // whole transaction: then nothing of the batch is stored.
                            guard connection.isInTransaction else { throw error }
                            outcomes.append(.failure(error))
                        }
                    }
                    return outcomes
                }
            }
        } catch {
            return Array(repeating: .failure(error), count: batch.count)
        }
    }
}
