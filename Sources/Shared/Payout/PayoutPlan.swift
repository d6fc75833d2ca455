/// What `referral-payout run --dry-run` shows: what a run would do now, without writing or sending.
public struct PayoutPlan: Sendable, Equatable {
    /// Rewards the run would pay, oldest first.
    public var pay: [PayableReward] = []
    /// Rewards that would fail as `invalid-recipient`.
    public var invalid: [PayableReward] = []
    /// Transactions the rewards would need in solana mode (nil in ledger mode).
    public var transactions: Int?
    /// Payouts of earlier runs that would be settled first.
    public var unresolved: Int = 0

    /// The plan as lines for people.
    public var text: String {
        var lines: [String] = []
        if unresolved > 0 { lines.append("settle first: \(unresolved) payouts of earlier runs") }
        for reward in pay { lines.append("pay reward \(reward.id) to \(reward.wallet): \(reward.amount) units") }
        for reward in invalid { lines.append("fail reward \(reward.id) (\(reward.wallet)): invalid-recipient") }
        let total = pay.reduce(UInt128(0)) { $0 + UInt128($1.amount) }
        var summary = "would pay \(pay.count) rewards (\(total) units), fail \(invalid.count)"
        if let transactions { summary += ", in \(transactions) transactions" }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}

extension PayoutRunner {
    /// The plan of a run at this moment; reads only.
    ///
    /// - Throws: `SQLiteError`.
    public func plan() throws -> PayoutPlan {
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        let due = try store.payableRewards(now: now(), limit: config.batch)
        let (valid, invalid) = Recipients.split(due)
        var plan = PayoutPlan(pay: valid.map(\.0), invalid: invalid)
        plan.unresolved = try store.unresolvedPayouts().count
        if let settings = config.solana {
            plan.transactions = try Self.transactionCount(
                valid,
                settings: settings,
                decimals: config.rewards.mintDecimals
            )
        }
        return plan
    }

    /// How many transactions `rewards` need, packed as a run would pack them.
    static func transactionCount(
        _ rewards: [(PayableReward, PublicKey)],
        settings: SolanaPayoutSettings,
        decimals: Int
    ) throws -> Int {
        // Any key sizes the messages the same: the plan needs no keypair file.
        guard let placeholder = Keypair(seed: [UInt8](repeating: 7, count: 32)) else { return 0 }
        let builder = PayoutTransactionBuilder(
            signer: placeholder,
            mint: settings.mint,
            decimals: UInt8(clamping: decimals),
            priorityFee: settings.priorityFee
        )
        var lines = try builder.lines(rewards)[...]
        var count = 0
        while !lines.isEmpty {
            lines = lines.dropFirst(try builder.fittingCount(lines))
            count += 1
        }
        return count
    }
}
