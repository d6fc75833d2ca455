import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message, and the SQL it was running.
///
/// Related SQLite documentation: <https://www.sqlite.org/rescode.html>
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code, as `sqlite3_extended_errcode` reports it.
    public let code: Int32
    /// SQLite's own description of the failure.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    /// Creates an error from a result code and SQLite's message.
    ///
    /// - Parameters:
    ///   - code: the (extended) result code.
    ///   - message: the text from `sqlite3_errmsg`, or `sqlite3_errstr` when there is no connection.
    ///   - sql: the statement being run, if any.
    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended code), e.g. `SQLITE_CONSTRAINT`.
    public var primaryCode: Int32 { code & 0xff }

    /// True when a UNIQUE or PRIMARY KEY constraint refused the write.
    public var isUniqueViolation: Bool {
        code == Self.constraintUnique || code == Self.constraintPrimaryKey
    }

    /// True when the database cannot take a write now, for a cause outside the request: disk full,
    /// read-only file or folder, an I/O error, the file gone, or another writer holding the lock
    /// past the busy timeout. Such a failure clears when its cause does; the request may be retried.
    public var isStorageUnavailable: Bool {
        [SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PERM]
            .contains(primaryCode)
    }

    // The extended codes are macros built with a shift, which Swift does not import:
    // SQLITE_CONSTRAINT_UNIQUE = SQLITE_CONSTRAINT | (8<<8), SQLITE_CONSTRAINT_PRIMARYKEY = … | (6<<8).
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " - while executing `\(sql)`" }
        return text
    }
}
