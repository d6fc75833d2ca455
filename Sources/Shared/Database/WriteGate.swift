import Synchronization

/// Serialises this process's writers in front of SQLite's own lock.
///
/// Measured here: with several writer connections waiting in SQLite's busy handler, the worst
/// waits were 57-95 ms; queueing writers on an in-process mutex kept p99 near 3 ms. Other processes
/// (referral-admin, referral-payout) still meet the busy handler.
public final class WriteGate: Sendable {
    private let mutex = Mutex(())
    let group = GroupCommit()
    /// Runs the passive checkpoints of the connections writing through this gate in the
    /// background (the responder); nil: each commit that fills the WAL runs one inline.
    let checkpointer: WALCheckpointer?

    /// - Parameter checkpointer: background checkpoints for the writers of this gate, or nil.
    public init(checkpointer: WALCheckpointer? = nil) {
        self.checkpointer = checkpointer
    }

    /// Opens a connection that writes through this gate: its commits leave the WAL to the gate's
    /// checkpointer, as every writer of the gate must (one inline would stall the others).
    ///
    /// - Throws: `SQLiteError` when the file cannot be opened.
    func connection(path: String, readOnly: Bool = false) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: path, readOnly: readOnly)
        connection.checkpointer = checkpointer
        return connection
    }

    /// Runs `body` while holding the gate.
    ///
    /// - Parameter body: the write.
    /// - Throws: what `body` throws.
    public func run<T: Sendable>(_ body: () throws -> T) throws -> T {
        try mutex.withLock { _ in try body() }
    }

    /// Runs one small write in a transaction shared with the writes other threads hand in at the
    /// same time (see `GroupCommit`); returns once that transaction has committed.
    ///
    /// - Parameters:
    ///   - connection: the calling thread's connection.
    ///   - writes: how many writes `work` holds (for `referral_sqlite_group_commit_writes_total`).
    ///   - work: the write (one statement or a few); it may run on another thread's connection.
    /// - Throws: what `work` throws, or `SQLiteError` when the shared transaction fails.
    public func commitTogether<T>(
        on connection: SQLiteConnection,
        writes: Int = 1,
        _ work: @escaping (SQLiteConnection) throws -> T
    )
        throws -> T
    {
        try group.run(on: connection, gate: self, writes: writes, work)
    }
}
