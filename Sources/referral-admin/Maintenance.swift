import ArgumentParser
@preconcurrency import Glibc
import Shared

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream a table as CSV (clicks, conversions, rewards, payouts), in constant memory."
    )
    @Argument(help: "clicks, conversions, rewards or payouts.") var table: TableExport
    @Flag(name: .long, help: "CSV (the only format).") var csv = false
    @Option(name: .long, help: "Only rows from this time on: YYYY-MM-DD (UTC) or RFC 3339.") var since: String?

    func validate() throws {
        guard csv else { throw ValidationError("choose a format: --csv") }
        if let since, Timestamp.parseDateOrRFC3339(since) == nil {
            throw ValidationError("--since must be YYYY-MM-DD or RFC 3339, got \(since)")
        }
    }

    func run() throws {
        let store = try openStore()
        print(table.header)
        try table.rows(store, since: since.flatMap(Timestamp.parseDateOrRFC3339) ?? 0) { print($0) }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the live database into a new file (SQLite's online backup: consistent while writes go on)."
    )
    @Argument(help: "The new file.") var file: String

    func run() throws {
        let store = try openStore()
        do {
            try store.connection.backup(to: file)
        } catch let error as SQLiteError {
            throw badData(error.message)
        }
        print("backed up to \(file)")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "integrity_check, foreign_key_check and the WAL's size; exit 1 on a problem."
    )
    @Flag(name: .long, help: "Print JSON for scripts.") var json = false

    func run() throws {
        let path = SettingsReader(Environment.current()).databasePath
        let report = try openStore().connection.check(path: path)
        if json {
            print(try JSONOutput.text(report))
        } else {
            print("integrity_check: \(report.integrity.joined(separator: "; "))")
            print(
                "foreign_key_check: \(report.foreignKeyProblems.isEmpty ? "ok" : report.foreignKeyProblems.joined(separator: "; "))"
            )
            print("WAL: \(report.walBytes) bytes")
        }
        guard report.ok else { throw ExitCode(1) }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Clicks, visitors, conversions and rewards, per code.")
    @Argument(help: "One code (default: every code).") var code: String?
    @Flag(name: .long, help: "Print JSON for scripts.") var json = false

    func run() throws {
        let store = try openStore()
        let codes: [ReferralCodeRecord]
        if let code {
            guard let found = try store.findCode(code) else { throw badData("no such code: \(code)") }
            codes = [found]
        } else {
            codes = try store.allCodes()
        }
        let now = Int64(time(nil))
        let rows = try codes.map {
            CodeSummary(code: $0, stats: try store.stats(codeID: $0.id, now: now, withDaily: false))
        }
        if json {
            print(try JSONOutput.text(code == nil ? AnyEncodable(rows) : AnyEncodable(rows[0])))
            return
        }
        var table = TextTable([
            "code", "clicks", "uniqueVisitors", "conversions", "pending", "review", "paid", "amountPaid",
        ])
        for row in rows {
            table.add([
                row.code, String(row.clicks), String(row.uniqueVisitors), String(row.conversions),
                String(row.rewards.pending), String(row.rewards.review), String(row.rewards.paid),
                row.rewards.amountPaid,
            ])
        }
        print(table.text)
    }
}

extension TableExport: ExpressibleByArgument {}

/// Either of two encodable shapes, for `--json` that prints one object or a list.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}
