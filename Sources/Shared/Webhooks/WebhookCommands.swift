@preconcurrency import Glibc
import Logging
import Synchronization

/// The body of `referral-webhooks`: a long-running sender, or one pass (`--once`).
public enum WebhookCommands {
    /// Set by SIGTERM or SIGINT: the loop finishes its pass and returns.
    static let stopRequested = Atomic<Bool>(false)
    /// The longest nap between passes: events written by other processes go out within it.
    static let napMicroseconds: UInt32 = 250_000

    /// Sends what is due; with `once`, one pass, else until SIGTERM/SIGINT.
    ///
    /// - Throws: `ConfigError`, `WebhookKey.KeyError`, `SQLiteError`.
    public static func run(once: Bool) throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "referral-webhooks")
        logger.logLevel = .info
        let config = try WebhookConfig(environment: Environment.current())
        try Sodium.initialize()
        try CurlEasy.initialize()
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        let key = try WebhookKey(path: config.keyPath, create: false)
        let sender = WebhookSender(config: config, key: key, logger: logger)
        if once {
            let attempts = try sender.sendDue()
            logger.info("webhook pass: \(attempts) attempts")
            return
        }
        signal(SIGTERM, webhookStopHandler)
        signal(SIGINT, webhookStopHandler)
        logger.info("sending webhooks from \(config.databasePath)")
        let busy = EndpointsInFlight()
        while !stopRequested.load(ordering: .relaxed) {
            do {
                try sender.startDue(busy: busy)
            } catch {
                logger.error("webhook pass failed: \(error)")
            }
            let now = Int64(time(nil))
            let next = (try? store.nextDeliveryTime()) ?? nil
            if next.map({ $0 > now }) ?? true { usleep(napMicroseconds) }
        }
        // Attempts in flight finish (each is bounded by WEBHOOK_TIMEOUT_SECONDS) before the process exits.
        while busy.count > 0 { usleep(napMicroseconds) }
        logger.info("stopped")
    }
}

/// SIGTERM/SIGINT: ask the loop to stop (an atomic store is async-signal-safe).
private func webhookStopHandler(_: Int32) {
    WebhookCommands.stopRequested.store(true, ordering: .relaxed)
}
