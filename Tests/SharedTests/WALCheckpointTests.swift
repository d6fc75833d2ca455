@preconcurrency import Glibc
import Logging
import Testing

@testable import Shared

/// The WAL stays small: checkpointed inline by the commit that fills it, or in the background by a
/// `WALCheckpointer` and finished by the commit after.
struct WALCheckpointTests {
    let directory = TemporaryDirectory()

    /// A table of 4 KiB rows: each commit of one row adds a frame or two to the WAL.
    func connection(checkpointer: WALCheckpointer?) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        connection.checkpointer = checkpointer
        try connection.execute("CREATE TABLE t (x BLOB NOT NULL)")
        return connection
    }

    func commitOneRow(_ connection: SQLiteConnection) throws {
        try connection.writeTransaction {
            try connection.statement("INSERT INTO t VALUES (zeroblob(4000))").execute()
        }
    }

    @Test func withoutACheckpointerTheCommitThatFillsTheWALCheckpointsIt() throws {
        let connection = try connection(checkpointer: nil)
        while connection.walPages < SQLiteConnection.passiveCheckpointPages { try commitOneRow(connection) }
        // Checkpointed inline: the next write starts the WAL over.
        try commitOneRow(connection)
        #expect(connection.walPages < 10)
    }

    @Test func aBackgroundCheckpointIsFinishedByTheNextCommitAndTheWALStartsOver() throws {
        let checkpointer = WALCheckpointer(path: directory.file("db.sqlite"))
        let connection = try connection(checkpointer: checkpointer)
        var rows = 0
        while connection.walPages < SQLiteConnection.backgroundCheckpointPages {
            try commitOneRow(connection)
            rows += 1
        }
        // The commit that crossed the threshold did not checkpoint: the WAL goes on growing.
        try commitOneRow(connection)
        #expect(connection.walPages > SQLiteConnection.backgroundCheckpointPages)
        var waited = 0
        while checkpointer.completed == 0 && waited < 10_000 {
            usleep(1_000)
            waited += 1
        }
        #expect(checkpointer.completed == 1)
        // This commit runs the finishing checkpoint; the one after starts the WAL over.
        try commitOneRow(connection)
        try commitOneRow(connection)
        #expect(connection.walPages < 10)
        let reader = try SQLiteConnection(path: directory.file("db.sqlite"))
        #expect(try reader.statement("SELECT count(*) FROM t").firstRow { $0.int(0) } == rows + 3)
    }

    @Test func aCheckpointerThatCannotCheckpointLeavesItToTheCommits() throws {
        // Its thread cannot open the database: the commits still keep the WAL small.
        let checkpointer = WALCheckpointer(path: directory.file("missing/db.sqlite"))
        let connection = try connection(checkpointer: checkpointer)
        while connection.walPages < SQLiteConnection.backgroundCheckpointPages { try commitOneRow(connection) }
        var commits = 0
        while connection.walPages >= 10 && commits < 5_000 {
            try commitOneRow(connection)
            usleep(1_000)
            commits += 1
        }
        #expect(connection.walPages < 10)
        #expect(checkpointer.completed == 0)
    }

    @Test func theRespondersConnectionsCheckpointInTheBackground() throws {
        let application = Application(
            config: try ResponderConfig(environment: ["REFERRAL_DB": directory.file("db.sqlite")]),
            logger: Logger(label: "test")
        )
        let store = try ReferralStore(path: application.config.databasePath, gate: application.gate)
        #expect(store.connection.checkpointer != nil)
        #expect(store.connection.checkpointer === application.gate.checkpointer)
    }
}
