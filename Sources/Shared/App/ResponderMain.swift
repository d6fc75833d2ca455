import CLinux
@preconcurrency import Glibc
import Logging

/// Start-up of the `fcgi-referral` executable, kept here so its main.swift stays a few lines.
public enum ResponderMain {
    /// `EX_CONFIG` from sysexits.h: the configuration is wrong; systemd should not restart blindly.
    static let configExitCode: Int32 = 78

    /// Raises the soft limit on open descriptors to the hard limit (at most 65,536): each waiting
    /// FastCGI connection holds one, and the default soft limit of 1,024 is a few hundred
    /// connections from refusing new ones.
    static func raiseDescriptorLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, 65_536)
        guard limit.rlim_cur < wanted else { return }
        limit.rlim_cur = wanted
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("cannot raise the open-file limit: \(String(cString: strerror(errno)))")
        }
    }

    /// glibc's malloc arenas the process may use. By default glibc gives threads up to 8 per core,
    /// and each keeps the memory its thread freed: with four workers and the acceptor, the resident
    /// set under load was about 2 MB larger than with two (issue 12's RSS bound is 32 MB; the
    /// threads spend their time in SQLite and the kernel, not in malloc).
    static let mallocArenas: Int32 = 2

    /// Reads the settings, migrates the database, opens the socket and serves until stopped.
    ///
    /// - Returns: the process exit code.
    public static func run() -> Int32 {
        // Before any other thread exists.
        _ = mallopt(M_ARENA_MAX, mallocArenas)
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
            raiseDescriptorLimit(logger: logger)
            let application = Application(config: config, logger: logger)
            let listener = try FastCGIListener.open(
                address: config.fcgiSocket,
                unixMode: config.fcgiSocketMode,
                environment: environment
            )
            let server = try FastCGIServer(
                listener: listener,
                threadCount: config.fcgiThreads,
                readTimeoutSeconds: config.fcgiReadTimeout,
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
