/// Brings a database up to the current schema, one numbered step at a time.
///
/// The schema version lives in `PRAGMA user_version`: step N (1-based) runs only when the version is
/// below N, inside the same `BEGIN IMMEDIATE` transaction that bumps the version, so two processes
/// starting together cannot both apply it.
///
/// Related SQLite documentation: <https://www.sqlite.org/pragma.html#pragma_user_version>
public enum SchemaMigrator {
    /// Applies every step the database does not have yet.
    ///
    /// - Parameter connection: a writable connection.
    /// - Returns: the schema version after migrating.
    /// - Throws: `SQLiteError` when a step fails (that step is rolled back), or when the file's
    ///   version is newer than this binary knows.
    @discardableResult
    public static func migrate(_ connection: SQLiteConnection) throws -> Int {
        let steps = Schema.steps
        for (index, sql) in steps.enumerated() {
            let version = index + 1
            try connection.writeTransaction(durable: true) {
                guard try currentVersion(connection) < version else { return }
                try connection.execute(sql)
                try connection.execute("PRAGMA user_version = \(version)")
            }
        }
        let version = try currentVersion(connection)
        guard version == steps.count else {
            throw SQLiteError(
                code: 1,
                message: "database schema version \(version) is newer than this binary's \(steps.count)"
            )
        }
        return version
    }

    /// The schema version recorded in the file.
    ///
    /// - Throws: `SQLiteError` when the pragma cannot be read.
    public static func currentVersion(_ connection: SQLiteConnection) throws -> Int {
        try connection.statement("PRAGMA user_version").firstRow { $0.int(0) } ?? 0
    }
}
