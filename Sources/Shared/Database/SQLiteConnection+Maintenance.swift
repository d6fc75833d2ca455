import CSQLite
@preconcurrency import Glibc

/// The sysadmin's maintenance of a live database: an online backup and a health check.
extension SQLiteConnection {
    /// Copies the whole database into a new file with SQLite's online backup API, in one step: the
    /// copy is the consistent snapshot of one moment, while writers go on.
    ///
    /// - Parameter path: the new file; refused when something is there already.
    /// - Throws: `SQLiteError`.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/backup.html>
    public func backup(to path: String) throws {
        var info = stat()
        guard lstat(path, &info) != 0 else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "\(path) exists; a backup goes to a new file")
        }
        var destination: OpaquePointer?
        let opened = sqlite3_open_v2(path, &destination, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil)
        defer { sqlite3_close(destination) }
        guard opened == SQLITE_OK, let destination else {
            throw SQLiteError(code: opened, message: "cannot create \(path)")
        }
        guard let backup = sqlite3_backup_init(destination, "main", handle, "main") else {
            throw SQLiteError(
                code: sqlite3_extended_errcode(destination),
                message: String(cString: sqlite3_errmsg(destination))
            )
        }
        // -1: every page in one step, under one read transaction of the source.
        var stepped = sqlite3_backup_step(backup, -1)
        while stepped == SQLITE_BUSY || stepped == SQLITE_LOCKED {
            usleep(10_000)
            stepped = sqlite3_backup_step(backup, -1)
        }
        let finished = sqlite3_backup_finish(backup)
        guard stepped == SQLITE_DONE, finished == SQLITE_OK else {
            unlink(path)
            throw SQLiteError(code: stepped == SQLITE_DONE ? finished : stepped, message: "backup to \(path) failed")
        }
    }

    /// `PRAGMA integrity_check` and `PRAGMA foreign_key_check`, and the WAL's size.
    ///
    /// - Parameter path: the database file (the WAL is `<path>-wal`).
    /// - Throws: `SQLiteError`.
    public func check(path: String) throws -> DatabaseCheck {
        let integrity = try statement("PRAGMA integrity_check").rows { $0.text(0) ?? "" }
        let foreignKeys = try statement("PRAGMA foreign_key_check").rows {
            "\($0.text(0) ?? "?") row \($0.int64(1)) → \($0.text(2) ?? "?")"
        }
        var info = stat()
        let walBytes = stat(path + "-wal", &info) == 0 ? Int64(info.st_size) : 0
        return DatabaseCheck(integrity: integrity, foreignKeyProblems: foreignKeys, walBytes: walBytes)
    }
}

/// What `referral-admin check` found.
public struct DatabaseCheck: Sendable, Equatable, Encodable {
    /// `integrity_check`'s rows: `["ok"]` when the file is sound.
    public var integrity: [String]
    /// Rows whose foreign key points nowhere.
    public var foreignKeyProblems: [String]
    public var walBytes: Int64
    /// True when nothing is wrong.
    public var ok: Bool

    /// A check's findings.
    public init(integrity: [String], foreignKeyProblems: [String], walBytes: Int64) {
        self.integrity = integrity
        self.foreignKeyProblems = foreignKeyProblems
        self.walBytes = walBytes
        ok = integrity == ["ok"] && foreignKeyProblems.isEmpty
    }
}
