import FoundationEssentials
@preconcurrency import Glibc
import Logging

/// The bodies of `referral-payout`'s subcommands, so the executable is only its argument parsing.
public enum PayoutCommands {
    /// `run [--dry-run]`: one payout run, or its plan. A second run while one holds the lock says
    /// so and returns (exit 0).
    ///
    /// - Throws: what the run throws; what was recorded before is settled by the next run.
    public static func run(dryRun: Bool) throws {
        let environment = Environment.current()
        let logger = bootstrapLogging()
        let config = try PayoutConfig(environment: environment)
        try Sodium.initialize()
        try CurlEasy.initialize()
        let runner = PayoutRunner(config: config, logger: logger, crash: CrashPoints(environment: environment))
        if dryRun {
            print(try runner.plan().text)
            return
        }
        switch try runner.run() {
        case .locked(let path):
            print("another referral-payout run holds \(path): nothing to do")
        case .ran(let report):
            logger.info("payout run (\(config.mode.rawValue)): \(report.summary)")
            print(report.summary)
        }
    }

    /// `status [--json]`.
    ///
    /// - Throws: `SQLiteError`, `ConfigError`.
    public static func status(json: Bool) throws {
        let store = try openStore()
        let status = try store.payoutStatus(now: Int64(time(nil)))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(status.text)
        }
    }

    /// `export --csv`, streamed to standard output.
    ///
    /// - Throws: `SQLiteError`, `ConfigError`.
    public static func exportCSV() throws {
        let store = try openStore()
        print(PayoutExport.header)
        try PayoutExport.rows(store) { print($0) }
    }

    static func openStore() throws -> ReferralStore {
        let store = try ReferralStore(path: SettingsReader(Environment.current()).databasePath, gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    static func bootstrapLogging() -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "referral-payout")
        logger.logLevel = .info
        return logger
    }
}
