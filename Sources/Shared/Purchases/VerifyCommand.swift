@preconcurrency import Glibc
import Logging

extension PayoutCommands {
    /// References concluded per `verify` run at most; the rest wait for the next timer tick.
    public static let verifyBatch = 1_000

    /// `verify`: concludes open purchase references from the chain (SPEC §9). Without
    /// `SOLANA_RPC_URL` it says so and returns (exit 0); references then only expire.
    ///
    /// - Throws: `ConfigError`, `SQLiteError`, `RPCError` (what was concluded before stays).
    public static func verify() throws {
        let environment = Environment.current()
        let logger = bootstrapLogging()
        let settings = SettingsReader(environment)
        let rewards = try RewardPolicy(settings: settings)
        let node = try SolanaNodeSettings(settings: settings)
        try Sodium.initialize()
        try CurlEasy.initialize()
        let lockPath = PayoutLock.path(forDatabase: settings.databasePath)
        guard let lock = try PayoutLock.acquire(path: lockPath) else {
            print("another referral-payout run holds \(lockPath): nothing to do")
            return
        }
        defer { withExtendedLifetime(lock) {} }
        let store = try openStore()
        let now = { Int64(time(nil)) }
        guard let node else {
            let expired = try store.expirePurchaseReferences(before: now())
            print("SOLANA_RPC_URL is not set: no purchase can be verified; \(expired) references expired")
            return
        }
        let verifier = PurchaseVerifier(
            store: store,
            rpc: try JSONRPCClient(url: node.url, timeoutSeconds: node.timeoutSeconds),
            recorder: ConversionRecorder(policy: rewards),
            now: now,
            crash: CrashPoints(environment: environment)
        )
        let report = try verifier.run(limit: verifyBatch)
        logger.info("purchase verification: \(report.summary)")
        print(report.summary)
    }
}
