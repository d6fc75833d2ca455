import CSQLite
@preconcurrency import Glibc
import Synchronization

/// One SQLite connection, confined to one thread, with a cache of prepared statements.
///
/// Every connection runs in WAL mode with `synchronous=NORMAL` (a commit survives a crash of the
/// process), foreign keys on, and a busy handler that retries every ~100 µs instead of SQLite's
/// default back-off of up to 100 ms.
///
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/sqlite3.html>
public final class SQLiteConnection {
    let handle: OpaquePointer
    /// The database file.
    public let path: String
    /// Opened without write access.
    public let readOnly: Bool
    private var statements: [String: SQLiteStatement] = [:]
    /// Pages in the WAL after this connection's last commit, as the WAL hook reports them.
    var walPages: Int32 = 0
    /// While a TRUNCATE checkpoint waits for readers, the busy handler gives up sooner.
    fileprivate var checkpointing = false
    /// Runs this connection's passive checkpoints on a thread of its own; nil: inline, in the
    /// commit that crossed `passiveCheckpointPages`.
    var checkpointer: WALCheckpointer?

    /// How long a connection waits for another writer before giving up with `SQLITE_BUSY`.
    public static let busyTimeoutMicroseconds: Int32 = 5_000_000
    /// The pause between two attempts while another connection holds the write lock.
    static let busyRetryMicroseconds: Int32 = 100
    /// A TRUNCATE checkpoint waits at most this long for readers before trying again later.
    static let checkpointWaitMicroseconds: Int32 = 100_000
    /// WAL pages past which a commit runs a passive checkpoint inline (what SQLite's autocheckpoint
    /// does at 1,000), in processes without a `WALCheckpointer`. The commit that runs it answers
    /// only after it, so its size is a tail latency: at 250 the link's p99 at 32 connections was
    /// 3.7-3.9 ms against 4.1-4.8 ms at 1,000, at the same rate (docs/BENCHMARKS.md).
    static let passiveCheckpointPages: Int32 = 250
    /// WAL pages past which a commit asks its `WALCheckpointer` for a checkpoint. No commit waits
    /// for that one, so it can be larger: fewer finishing checkpoints, which do wait.
    static let backgroundCheckpointPages: Int32 = 1_000
    /// WAL pages past which a commit truncates the WAL (64 MiB of 4 KiB pages). With readers
    /// always present, passive checkpoints never reach the WAL's end and it grows without bound:
    /// a TRUNCATE checkpoint holds writers off briefly, lets readers move to the database file,
    /// and empties it.
    static let truncateCheckpointPages: Int32 = 16_384
    /// At most one truncation attempt this often in the process: a failed one held writers off for
    /// up to `checkpointWaitMicroseconds`.
    static let truncateRetryMilliseconds: Int64 = 1_000
    /// Busy-handler retries in this process since it started (for `referral_sqlite_busy_retries_total`).
    public static let busyRetries = Atomic<Int>(0)
    /// When the process last tried to truncate the WAL (monotonic milliseconds).
    static let lastTruncateAttempt = Atomic<Int64>(0)

    /// Opens (creating if needed) the database file and applies the connection settings.
    ///
    /// - Parameters:
    ///   - path: the database file.
    ///   - readOnly: open without write access (the file must exist).
    /// - Throws: `SQLiteError` when the file cannot be opened or configured.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/open.html>
    public init(path: String, readOnly: Bool = false) throws {
        var pointer: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &pointer, flags, nil)
        guard rc == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            // "Whether or not an error occurs when it is opened, resources associated with the
            // database connection handle should be released by passing it to sqlite3_close()."
            sqlite3_close(pointer)
            throw SQLiteError(code: rc, message: "\(message) (opening \(path))")
        }
        handle = pointer
        self.path = path
        self.readOnly = readOnly
        sqlite3_extended_result_codes(handle, 1)
        // Unretained: the hooks live exactly as long as the handle, which `deinit` closes.
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_busy_handler(handle, sqliteBusyRetry, context)
        // "The sqlite3_wal_autocheckpoint() interface … is a wrapper around sqlite3_wal_hook() that
        // causes any database on database connection D to automatically checkpoint": the hook
        // below takes its place and does the same, and also records the WAL's size.
        sqlite3_wal_hook(handle, sqliteWALHook, context)
        if !readOnly {
            try execute("PRAGMA journal_mode=WAL")
        }
        try execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON")
    }

    deinit {
        statements.removeAll()
        sqlite3_close(handle)
    }

    // MARK: - Statements

    /// Returns the prepared statement for `sql`, preparing it on first use and reusing it after.
    ///
    /// - Parameter sql: one SQL statement.
    /// - Throws: `SQLiteError` when SQLite cannot prepare it.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/prepare.html>
    public func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        var pointer: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard rc == SQLITE_OK, let pointer else { throw lastError(sql: sql) }
        let statement = SQLiteStatement(handle: pointer, connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs one or more SQL statements that return no rows of interest.
    ///
    /// - Parameter sql: the statements, separated by semicolons.
    /// - Throws: `SQLiteError` on the first failure.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/exec.html>
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        guard rc == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    // MARK: - Transactions

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    ///
    /// Writes that read first must take the write lock up front: upgrading a read transaction to a
    /// write one fails with `SQLITE_BUSY` at once, without calling the busy handler.
    ///
    /// - Parameters:
    ///   - durable: commit with `synchronous=FULL`, so the commit survives a power loss too.
    ///   - body: the work; its result is returned after the commit.
    /// - Throws: what `body` throws, or `SQLiteError` from BEGIN/COMMIT.
    public func writeTransaction<T>(durable: Bool = false, _ body: () throws -> T) throws -> T {
        if durable { try statement("PRAGMA synchronous=FULL").execute() }
        defer { if durable { try? statement("PRAGMA synchronous=NORMAL").execute() } }
        try statement("BEGIN IMMEDIATE").execute()
        do {
            let result = try body()
            try statement("COMMIT").execute()
            return result
        } catch {
            try? statement("ROLLBACK").execute()
            throw error
        }
    }

    /// Runs `body` inside a savepoint of the current transaction: when it throws, what it changed is
    /// undone and the transaction goes on (unless SQLite rolled the whole transaction back, which
    /// the caller sees as `isInTransaction` false).
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/lang_savepoint.html>
    ///
    /// - Throws: what `body` throws, or `SQLiteError`.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try statement("SAVEPOINT part").execute()
        do {
            let result = try body()
            try statement("RELEASE part").execute()
            return result
        } catch {
            if isInTransaction {
                try? statement("ROLLBACK TO part").execute()
                try? statement("RELEASE part").execute()
            }
            throw error
        }
    }

    /// True inside `BEGIN … COMMIT`; false in autocommit mode, also after SQLite rolled a transaction
    /// back by itself (disk full, I/O error).
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/get_autocommit.html>
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` inside a read transaction (`BEGIN DEFERRED`), so all its reads see one snapshot.
    ///
    /// - Throws: what `body` throws, or `SQLiteError`.
    public func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try statement("BEGIN DEFERRED").execute()
        defer { try? statement("COMMIT").execute() }
        return try body()
    }

    /// Checkpoints the whole WAL and truncates it, waiting a little for readers; a busy database
    /// leaves it for a later commit.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/wal_checkpoint_v2.html>
    func truncateWAL() {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        let now = Int64(time.tv_sec) * 1_000 + Int64(time.tv_nsec) / 1_000_000
        let last = Self.lastTruncateAttempt.load(ordering: .relaxed)
        // One thread of the process tries; the others carry on.
        guard now - last >= Self.truncateRetryMilliseconds,
            Self.lastTruncateAttempt.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        checkpointing = true
        defer { checkpointing = false }
        if sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil) == SQLITE_OK {
            walPages = 0
        }
    }

    // MARK: - Results of the last write

    /// The rowid of the last row inserted on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The rows changed by the last INSERT, UPDATE or DELETE on this connection.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    private func lastError(sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// The busy handler: "If the busy callback returns 0, then no additional attempts are made to access
/// the database and SQLITE_BUSY is returned" (<https://www.sqlite.org/c3ref/busy_handler.html>).
/// A global function, because a closure formed in an isolated context must not be handed to C.
private func sqliteBusyRetry(_ context: UnsafeMutableRawPointer?, _ attempts: Int32) -> Int32 {
    let checkpointing = context.map { Unmanaged<SQLiteConnection>.fromOpaque($0).takeUnretainedValue().checkpointing }
    let wait =
        checkpointing == true ? SQLiteConnection.checkpointWaitMicroseconds : SQLiteConnection.busyTimeoutMicroseconds
    guard attempts < wait / SQLiteConnection.busyRetryMicroseconds else { return 0 }
    SQLiteConnection.busyRetries.add(1, ordering: .relaxed)
    usleep(UInt32(SQLiteConnection.busyRetryMicroseconds))
    return 1
}

/// The WAL hook, called after each commit (the write lock released) with the WAL's size in pages:
/// runs the passive checkpoint SQLite's autocheckpoint would have run (or has the connection's
/// `WALCheckpointer` run it, and runs its finishing one), or truncates a WAL that passive
/// checkpoints could not keep small.
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/wal_hook.html>
private func sqliteWALHook(
    _ context: UnsafeMutableRawPointer?,
    _ database: OpaquePointer?,
    _ name: UnsafePointer<CChar>?,
    _ pages: Int32
) -> Int32 {
    guard let context else { return SQLITE_OK }
    let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
    connection.walPages = pages
    if pages >= SQLiteConnection.truncateCheckpointPages {
        connection.truncateWAL()
    } else if let checkpointer = connection.checkpointer {
        if checkpointer.afterCommit(pages: pages, threshold: SQLiteConnection.backgroundCheckpointPages) {
            sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
    } else if pages >= SQLiteConnection.passiveCheckpointPages {
        sqlite3_wal_checkpoint_v2(database, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }
    return SQLITE_OK
}
