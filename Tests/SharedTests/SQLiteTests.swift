import Testing

@testable import Shared

struct SQLiteTests {
    let directory = TemporaryDirectory()

    @Test func opensInWALModeWithForeignKeys() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        #expect(try connection.statement("PRAGMA journal_mode").firstRow { $0.text(0) } == "wal")
        #expect(try connection.statement("PRAGMA foreign_keys").firstRow { $0.int(0) } == 1)
    }

    @Test func errorsCarryCodeMessageAndSQL() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        let error = #expect(throws: SQLiteError.self) { try connection.statement("SELEC nonsense") }
        #expect(error?.sql == "SELEC nonsense")
        #expect(error?.description.hasPrefix("SQLite error 1: ") == true)
    }

    @Test func reportsUniqueViolations() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        try connection.execute("CREATE TABLE t (x TEXT UNIQUE COLLATE NOCASE)")
        try connection.statement("INSERT INTO t VALUES (?)").execute(["abc"])
        let error = #expect(throws: SQLiteError.self) {
            try connection.statement("INSERT INTO t VALUES (?)").execute(["ABC"])
        }
        #expect(error?.isUniqueViolation == true)
    }

    @Test func preparedStatementsAreReusedAndRebound() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        let first = try connection.statement("SELECT ? + 1")
        #expect(try first.firstRow([.integer(1)]) { $0.int(0) } == 2)
        let again = try connection.statement("SELECT ? + 1")
        #expect(first === again)
        #expect(try again.firstRow([.integer(41)]) { $0.int(0) } == 42)
    }

    @Test func failedTransactionsRollBack() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        try connection.execute("CREATE TABLE t (x INTEGER)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.writeTransaction {
                try connection.statement("INSERT INTO t VALUES (1)").execute()
                throw Boom()
            }
        }
        #expect(try connection.statement("SELECT count(*) FROM t").firstRow { $0.int(0) } == 0)
    }

    /// Money commits must survive power loss (FULL); everything else keeps the cheaper NORMAL.
    @Test func durableTransactionsCommitWithSynchronousFull() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        func synchronous() throws -> Int? { try connection.statement("PRAGMA synchronous").firstRow { $0.int(0) } }
        #expect(try synchronous() == 1)
        let inside = try connection.writeTransaction(durable: true) { try synchronous() }
        #expect(inside == 2)
        #expect(try synchronous() == 1)
        #expect(try connection.writeTransaction { try synchronous() } == 1)
    }

    @Test func bindsTextBlobAndNull() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        let row = try connection.statement("SELECT ?, ?, ?").firstRow([.text("é\u{1F600}"), .blob([0, 1, 255]), nil]) {
            ($0.text(0), $0.blob(1), $0.isNull(2))
        }
        #expect(row?.0 == "é\u{1F600}")
        #expect(row?.1 == [0, 1, 255])
        #expect(row?.2 == true)
    }

    @Test func migrationIsIdempotentAndRecordsTheVersion() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        #expect(try SchemaMigrator.migrate(connection) == Schema.steps.count)
        #expect(try SchemaMigrator.migrate(connection) == Schema.steps.count)
        #expect(try SchemaMigrator.currentVersion(connection) == Schema.steps.count)
    }

    @Test func refusesADatabaseFromTheFuture() throws {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        try connection.execute("PRAGMA user_version = 999")
        #expect(throws: SQLiteError.self) { try SchemaMigrator.migrate(connection) }
    }
}
