import ArgumentParser
@preconcurrency import Glibc
import Shared

/// The sysadmin's command-line tool. Settings come from the same environment as the responder.
@main
struct ReferralAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral-admin",
        abstract: "Administer the referral database.",
        subcommands: [
            Migrate.self, Codes.self, Rewards.self, Stats.self, Export.self, Backup.self, Check.self, Webhooks.self,
        ]
    )
}

/// Opens the configured database (`REFERRAL_DB`, the only setting the admin tool shares with the
/// responder), migrated to the current schema.
func openStore() throws -> ReferralStore {
    let store = try ReferralStore(path: SettingsReader(Environment.current()).databasePath, gate: WriteGate())
    try SchemaMigrator.migrate(store.connection)
    return store
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")

    func run() throws {
        let store = try openStore()
        print("schema version \(try SchemaMigrator.currentVersion(store.connection))")
    }
}

/// Exit 65 (EX_DATAERR, SPEC §7 "bad data": an unknown id or code, a taken code) after saying why.
func badData(_ message: String) -> ExitCode {
    var standardError = StandardError()
    print("Error: \(message)", to: &standardError)
    return ExitCode(65)
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ text: String) { fputs(text, stderr) }
}

/// Prints a listing: JSON for scripts, or a table with `columns` whose cells `cells` gives per row.
func printListing<Row: Encodable>(_ rows: [Row], json: Bool, columns: [String], cells: (Row) -> [String]) throws {
    if json {
        print(try JSONOutput.text(rows))
        return
    }
    var table = TextTable(columns)
    for row in rows { table.add(cells(row)) }
    print(table.text)
}
