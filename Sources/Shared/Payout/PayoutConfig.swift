/// The payout job's settings (`referral-payout`), read from the environment. Only this program
/// reads the payout variables; the solana ones are required only in solana mode.
public struct PayoutConfig: Sendable {
    public var databasePath: String
    public var mode: PayoutMode
    /// `PAYOUT_BATCH`: at most this many rewards are signed or entered per run.
    public var batch: Int
    /// Decimals of the reward token (MintToChecked states them).
    public var rewards: RewardPolicy
    /// What solana mode needs; nil in ledger mode.
    public var solana: SolanaPayoutSettings?

    /// Parses the settings, applying the documented defaults.
    ///
    /// - Parameter environment: the process environment.
    /// - Throws: `ConfigError` naming the first variable that is bad, or missing in solana mode.
    public init(environment: [String: String]) throws {
        let settings = SettingsReader(environment)
        databasePath = settings.databasePath
        mode = try settings.choice("PAYOUT_MODE", default: PayoutMode.ledger)
        batch = try settings.integer("PAYOUT_BATCH", default: 20, range: 1...10_000)
        rewards = try RewardPolicy(settings: settings)
        solana = mode == .solana ? try SolanaPayoutSettings(settings: settings) : nil
    }
}

/// The settings of solana mode.
public struct SolanaPayoutSettings: Sendable {
    /// `SOLANA_RPC_URL`: an http(s) JSON-RPC endpoint.
    public var rpcURL: String
    /// `OWNER_KEYPAIR_PATH`: the mint authority's Solana CLI keypair (it also pays the fees).
    public var keypairPath: String
    /// `MINT_ADDRESS`: the reward token's mint.
    public var mint: PublicKey
    /// `PAYOUT_PRIORITY_FEE`: micro-lamports per compute unit; 0 sends no price instruction.
    public var priorityFee: UInt64
    /// `PAYOUT_CONFIRM_SECONDS`: how long a run waits for its transactions to finalize.
    public var confirmSeconds: Int
    /// `SOLANA_RPC_TIMEOUT_SECONDS`: one RPC call's limit.
    public var rpcTimeoutSeconds: Int

    /// Reads the solana variables.
    ///
    /// - Throws: `ConfigError` naming a missing or bad variable.
    public init(settings: SettingsReader) throws {
        func required(_ name: String) throws -> String {
            guard let value = settings.text(name) else { throw ConfigError("\(name) is required in solana mode") }
            return value
        }
        guard let node = try SolanaNodeSettings(settings: settings) else {
            throw ConfigError("SOLANA_RPC_URL is required in solana mode")
        }
        rpcURL = node.url
        rpcTimeoutSeconds = node.timeoutSeconds
        keypairPath = try required("OWNER_KEYPAIR_PATH")
        let mintText = try required("MINT_ADDRESS")
        guard let mint = PublicKey(base58: mintText) else {
            throw ConfigError("MINT_ADDRESS must be a base58 Solana address, got \(mintText)")
        }
        self.mint = mint
        priorityFee = try settings.amount("PAYOUT_PRIORITY_FEE") ?? 0
        confirmSeconds = try settings.integer("PAYOUT_CONFIRM_SECONDS", default: 60, range: 0...3_600)
    }
}

/// Where the Solana JSON-RPC node is: needed to pay in solana mode and to verify purchases in
/// either mode.
public struct SolanaNodeSettings: Sendable {
    /// `SOLANA_RPC_URL`: an http(s) JSON-RPC endpoint.
    public var url: String
    /// `SOLANA_RPC_TIMEOUT_SECONDS`: one RPC call's limit.
    public var timeoutSeconds: Int

    /// Reads the node's variables; nil when `SOLANA_RPC_URL` is unset.
    ///
    /// - Throws: `ConfigError` naming a bad variable.
    public init?(settings: SettingsReader) throws {
        guard let url = settings.text("SOLANA_RPC_URL") else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.utf8.count <= 2_048 else {
            throw ConfigError("SOLANA_RPC_URL must be an http:// or https:// URL, got \(url)")
        }
        self.url = url
        timeoutSeconds = try settings.integer("SOLANA_RPC_TIMEOUT_SECONDS", default: 30, range: 1...600)
    }
}
