@preconcurrency import Glibc
import Logging

/// One run of `referral-payout run`: takes the lock, settles what earlier runs left in flight,
/// pays at most `PAYOUT_BATCH` due rewards, and waits (bounded) for their transactions to finalize.
public struct PayoutRunner {
    /// What a run came to.
    public enum Outcome: Sendable, Equatable {
        /// The run happened.
        case ran(PayoutReport)
        /// Another run holds the lock; this one did nothing.
        case locked(path: String)
    }

    let config: PayoutConfig
    let logger: Logger
    let crash: CrashPoints
    let now: () -> Int64
    /// Makes the RPC client in solana mode; replaced in tests.
    let makeRPC: (SolanaPayoutSettings) throws -> any SolanaRPC

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - config: the payout settings.
    ///   - logger: where each payout's fate is logged.
    ///   - crash: test crash points (unarmed in production).
    ///   - now: the clock, unix seconds.
    ///   - makeRPC: the RPC client for solana mode.
    public init(
        config: PayoutConfig,
        logger: Logger,
        crash: CrashPoints = CrashPoints(environment: [:]),
        now: @escaping () -> Int64 = { Int64(time(nil)) },
        makeRPC: @escaping (SolanaPayoutSettings) throws -> any SolanaRPC = {
            try JSONRPCClient(url: $0.rpcURL, timeoutSeconds: $0.rpcTimeoutSeconds)
        }
    ) {
        self.config = config
        self.logger = logger
        self.crash = crash
        self.now = now
        self.makeRPC = makeRPC
    }

    /// Runs once.
    ///
    /// - Throws: `SQLiteError`, `RPCError`, `Keypair.LoadError` or `ConfigError`; whatever was
    ///   recorded before the failure is settled by the next run.
    public func run() throws -> Outcome {
        let lockPath = PayoutLock.path(forDatabase: config.databasePath)
        guard let lock = try PayoutLock.acquire(path: lockPath) else { return .locked(path: lockPath) }
        defer { withExtendedLifetime(lock) {} }
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        var report = PayoutReport()
        switch config.mode {
        case .ledger:
            let due = try store.payableRewards(now: now(), limit: config.batch)
            try LedgerPayer(store: store, logger: logger).pay(due, now: now(), report: &report)
        case .solana:
            guard let settings = config.solana else { throw ConfigError("solana mode needs its settings") }
            let payer = try solanaPayer(settings, store: store)
            try payer.settle(try store.unresolvedPayouts(), report: &report)
            let due = try store.payableRewards(now: now(), limit: config.batch)
            _ = try payer.pay(due, report: &report)
            // This run's payouts and any earlier one it just resent: all are waited for.
            let open = try store.unresolvedPayouts().map(\.id)
            try awaitFinality(open, payer: payer, seconds: settings.confirmSeconds, report: &report)
            report.inFlight = try store.rewardCount(status: .inFlight)
        }
        return .ran(report)
    }

    /// Checks the mint before anything is signed: it must exist, be an SPL Token mint with
    /// MINT_DECIMALS decimals, and have the keypair as its mint authority.
    func solanaPayer(_ settings: SolanaPayoutSettings, store: ReferralStore) throws -> SolanaPayer {
        let signer = try Keypair(path: settings.keypairPath)
        let rpc = try makeRPC(settings)
        guard let mint = try rpc.accountData(settings.mint) else {
            throw ConfigError("MINT_ADDRESS \(settings.mint) does not exist on \(settings.rpcURL)")
        }
        let layout = MintLayout(mint.data)
        guard mint.owner == .tokenProgram, let layout else {
            throw ConfigError("MINT_ADDRESS \(settings.mint) is not an SPL Token mint")
        }
        guard Int(layout.decimals) == config.rewards.mintDecimals else {
            throw ConfigError("MINT_DECIMALS is \(config.rewards.mintDecimals) but the mint has \(layout.decimals)")
        }
        guard layout.mintAuthority == signer.publicKey else {
            throw ConfigError(
                "OWNER_KEYPAIR_PATH holds \(signer.publicKey), not the mint authority "
                    + "\(layout.mintAuthority?.base58 ?? "(none)")"
            )
        }
        return SolanaPayer(
            store: store,
            rpc: rpc,
            builder: PayoutTransactionBuilder(
                signer: signer,
                mint: settings.mint,
                decimals: layout.decimals,
                priorityFee: settings.priorityFee
            ),
            crash: crash,
            logger: logger,
            now: now
        )
    }

    /// Settles the given payouts once a second until they are final or `seconds` have passed;
    /// unknown ones are rebroadcast on the way.
    func awaitFinality(_ ids: [Int64], payer: SolanaPayer, seconds: Int, report: inout PayoutReport) throws {
        let deadline = now() + Int64(seconds)
        var waiting = Set(ids)
        while !waiting.isEmpty {
            let open = try payer.store.unresolvedPayouts().filter { waiting.contains($0.id) }
            try payer.settle(open, report: &report)
            waiting = Set(try payer.store.unresolvedPayouts().map(\.id)).intersection(waiting)
            guard !waiting.isEmpty, now() < deadline else { break }
            JSONRPCClient.sleep(1)
        }
    }
}

/// The fields of an SPL Token mint account the payout checks (82 bytes: mint authority as a
/// COption<Pubkey>, supply, decimals, is_initialized, freeze authority).
struct MintLayout {
    var mintAuthority: PublicKey?
    var decimals: UInt8

    init?(_ data: [UInt8]) {
        guard data.count == 82, data[45] == 1 else { return nil }
        mintAuthority = data[0] == 1 ? PublicKey(bytes: Array(data[4..<36])) : nil
        decimals = data[44]
    }
}

extension ReferralStore {
    /// How many rewards have `status`.
    ///
    /// - Throws: `SQLiteError`.
    public func rewardCount(status: RewardStatus) throws -> Int {
        try connection.statement("SELECT count(*) FROM rewards WHERE status = ?").firstRow([SQLiteValue(status)]) {
            $0.int(0)
        } ?? 0
    }
}
