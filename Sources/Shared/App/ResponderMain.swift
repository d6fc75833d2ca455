@preconcurrency import Glibc
import Logging

/// Start-up of the `fcgi-referral` executable, kept here so its main.swift stays a few lines.
public enum ResponderMain {
    /// `EX_CONFIG` from sysexits.h: the configuration is wrong; systemd should not restart blindly.
    static let configExitCode: Int32 = 78

    /// Reads the settings, migrates the database, opens the socket and serves until stopped.
    ///
    /// - Returns: the process exit code.
    public static func run() -> Int32 {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "fcgi-referral")
        logger.logLevel = .info
        let environment = Environment.current()
        do {
            let config = try ResponderConfig(environment: environment)
            _ = try config.requireConversionSecret()
            try Sodium.initialize()
            try SchemaMigrator.migrate(SQLiteConnection(path: config.databasePath))
            if config.foundationAddress == nil {
                logger.warning("FOUNDATION_ADDRESS is not set: purchases without a referral vault get 503 no-recipient")
            }
            let application = Application(config: config, logger: logger)
            let listener = try FastCGIListener.open(
                address: config.fcgiSocket,
                unixMode: config.fcgiSocketMode,
                environment: environment
            )
            let server = try FastCGIServer(
                listener: listener,
                threadCount: config.fcgiThreads,
                logger: logger,
                makeHandler: { try application.makeHandler() }
            )
            return server.run() == 0 ? 0 : 1
        } catch let error as ConfigError {
            logger.critical("configuration error: \(error)")
            return configExitCode
        } catch {
            logger.critical("cannot start: \(error)")
            return 1
        }
    }
}
