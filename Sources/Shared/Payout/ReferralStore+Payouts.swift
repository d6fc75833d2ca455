/// The payout job's writes. Every change of money state commits durably (`synchronous=FULL`)
/// together with the payout record that explains it.
extension ReferralStore {
    /// Rewards due now, oldest first: pending or approved, hold passed.
    ///
    /// - Throws: `SQLiteError`.
    public func payableRewards(now: Int64, limit: Int) throws -> [PayableReward] {
        try connection.statement(
            """
            SELECT id, wallet, amount FROM rewards
            WHERE status IN (?, ?) AND hold_until <= ? ORDER BY id LIMIT ?
            """
        ).rows([
            SQLiteValue(RewardStatus.pending), SQLiteValue(RewardStatus.approved), .integer(now),
            .integer(Int64(limit)),
        ]) {
            PayableReward(id: $0.int64(0), wallet: $0.text(1) ?? "", amount: $0.text(2).flatMap { UInt64($0) } ?? 0)
        }
    }

    /// Marks payable rewards failed with their reason, in one durable transaction.
    ///
    /// - Throws: `SQLiteError`.
    public func failRewards(_ ids: [Int64], reason: PayoutFailure, now: Int64) throws {
        guard !ids.isEmpty else { return }
        try write(durable: true) {
            for id in ids {
                try connection.statement(
                    "UPDATE rewards SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status IN (?, ?)"
                ).execute([
                    SQLiteValue(RewardStatus.failed), .text(reason.description), .integer(now), .integer(id),
                    SQLiteValue(RewardStatus.pending), SQLiteValue(RewardStatus.approved),
                ])
                if connection.changes == 1 { try recordFailure(rewardID: id, reason: reason.description, now: now) }
            }
        }
    }

    /// Enters one reward in the off-chain ledger and marks it paid, in one durable transaction.
    ///
    /// - Returns: the ledger entry's id, or nil when the reward stopped being payable meanwhile.
    /// - Throws: `SQLiteError`.
    public func enterInLedger(_ reward: PayableReward, now: Int64) throws -> String? {
        try rollingBackRaces {
            try write(durable: true) {
                let payoutID = try insertPayout(mode: .ledger, state: .finalized, now: now)
                let entry = "ledger-\(payoutID)"
                try connection.statement("UPDATE payouts SET ledger_entry = ? WHERE id = ?")
                    .execute([.text(entry), .integer(payoutID)])
                guard try coverRewards([reward], payoutID: payoutID, status: .paid, tokenAccounts: [nil], now: now)
                else { throw PayoutRaceError() }
                try recordEvent(
                    .rewardPaid,
                    RewardPaidData(
                        rewardId: reward.id,
                        wallet: reward.wallet,
                        amount: String(reward.amount),
                        mode: .ledger,
                        signature: Nullable(nil),
                        ledgerEntry: Nullable(entry),
                        paidAt: Timestamp.iso8601(now)
                    ),
                    now: now
                )
                return entry
            }
        }
    }

    /// Records a signed transaction and moves its rewards in flight: the step that must be durable
    /// before the first send. `sign` runs inside the transaction and gets the payout's id.
    ///
    /// - Parameters:
    ///   - rewards: the rewards the transaction pays, with the token account each is minted to.
    ///   - sign: builds and signs the transaction for the payout id; returns it with its blockhash
    ///     and last valid block height.
    /// - Returns: the record as stored, or nil when a reward stopped being payable meanwhile
    ///   (nothing is stored then).
    /// - Throws: `SQLiteError`, or what `sign` throws (nothing is stored then).
    public func recordSignedPayout(
        _ rewards: [(PayableReward, PublicKey)],
        now: Int64,
        sign: (Int64) throws -> (SignedTransaction, blockhash: String, lastValidBlockHeight: UInt64)
    ) throws -> UnresolvedPayout? {
        try rollingBackRaces {
            try write(durable: true) { () throws -> UnresolvedPayout in
                let payoutID = try insertPayout(mode: .solana, state: .signed, now: now)
                let (transaction, blockhash, lastValid) = try sign(payoutID)
                try connection.statement(
                    """
                    UPDATE payouts SET signature = ?, signed_transaction = ?, blockhash = ?, last_valid_block_height = ?
                    WHERE id = ?
                    """
                ).execute([
                    .text(transaction.signatureText), .blob(transaction.wireBytes), .text(blockhash),
                    .integer(Int64(clamping: lastValid)), .integer(payoutID),
                ])
                guard
                    try coverRewards(
                        rewards.map(\.0),
                        payoutID: payoutID,
                        status: .inFlight,
                        tokenAccounts: rewards.map { $0.1.base58 },
                        now: now
                    )
                else {
                    throw PayoutRaceError()
                }
                return UnresolvedPayout(
                    id: payoutID,
                    signature: transaction.signatureText,
                    wireBytes: transaction.wireBytes,
                    lastValidBlockHeight: lastValid,
                    refusal: nil
                )
            }
        }
    }

    /// Signed payouts whose outcome is not settled, oldest first.
    ///
    /// - Throws: `SQLiteError`.
    public func unresolvedPayouts() throws -> [UnresolvedPayout] {
        try connection.statement(
            """
            SELECT id, signature, signed_transaction, last_valid_block_height, error FROM payouts
            WHERE state IN (?, ?) ORDER BY id
            """
        ).rows([SQLiteValue(PayoutState.signed), SQLiteValue(PayoutState.sent)]) {
            UnresolvedPayout(
                id: $0.int64(0),
                signature: $0.text(1) ?? "",
                wireBytes: $0.blob(2) ?? [],
                lastValidBlockHeight: UInt64(clamping: $0.int64(3)),
                refusal: $0.text(4)
            )
        }
    }

    /// Notes that a payout was sent, or what the RPC said when it refused it.
    ///
    /// - Throws: `SQLiteError`.
    public func notePayoutSent(_ id: Int64, refusal: String?, now: Int64) throws {
        try write {
            try connection.statement(
                "UPDATE payouts SET state = ?, error = coalesce(?, error), updated_at = ? WHERE id = ? AND state IN (?, ?)"
            ).execute([
                SQLiteValue(PayoutState.sent), refusal.map(SQLiteValue.text), .integer(now), .integer(id),
                SQLiteValue(PayoutState.signed), SQLiteValue(PayoutState.sent),
            ])
        }
    }

    /// Settles a payout for good: finalized pays its rewards, failed fails them with the reason,
    /// expired releases them for re-signing. One durable transaction.
    ///
    /// - Returns: the rewards it covered.
    /// - Throws: `SQLiteError`.
    @discardableResult
    public func settlePayout(
        _ id: Int64,
        as state: PayoutState,
        failure: PayoutFailure? = nil,
        now: Int64
    ) throws
        -> [Int64]
    {
        try write(durable: true) {
            try connection.statement(
                "UPDATE payouts SET state = ?, error = coalesce(?, error), updated_at = ? WHERE id = ? AND state IN (?, ?)"
            ).execute([
                SQLiteValue(state), failure.map { .text($0.description) }, .integer(now), .integer(id),
                SQLiteValue(PayoutState.signed), SQLiteValue(PayoutState.sent),
            ])
            guard connection.changes == 1 else { return [] }
            let covered = try connection.statement("SELECT id FROM rewards WHERE payout_id = ? AND status = ?")
                .rows([.integer(id), SQLiteValue(RewardStatus.inFlight)]) { $0.int64(0) }
            let update: (sql: String, values: [SQLiteValue?])
            switch state {
            case .finalized:
                update = ("status = ?, paid_at = ?", [SQLiteValue(RewardStatus.paid), .integer(now)])
            case .failed:
                update = (
                    "status = ?, reason = ?", [SQLiteValue(RewardStatus.failed), .text(failure?.description ?? "")]
                )
            default:
                // Released: due again at once (its hold has passed), to be signed anew.
                update = ("status = ?, payout_id = NULL", [SQLiteValue(RewardStatus.pending)])
            }
            try connection.statement(
                "UPDATE rewards SET \(update.sql), updated_at = ? WHERE payout_id = ? AND status = ?"
            ).execute(update.values + [.integer(now), .integer(id), SQLiteValue(RewardStatus.inFlight)])
            for rewardID in covered {
                switch state {
                case .finalized: try recordPaid(rewardID: rewardID, payoutID: id, now: now)
                case .failed: try recordFailure(rewardID: rewardID, reason: failure?.description ?? "", now: now)
                default: break
                }
            }
            return covered
        }
    }

    // MARK: - Helpers

    /// `reward.paid` for a reward of a finalized solana payout.
    func recordPaid(rewardID: Int64, payoutID: Int64, now: Int64) throws {
        let data = try connection.statement(
            """
            SELECT i.wallet, i.amount, p.signature FROM payout_items i JOIN payouts p ON p.id = i.payout_id
            WHERE i.payout_id = ? AND i.reward_id = ?
            """
        ).firstRow([.integer(payoutID), .integer(rewardID)]) { row in
            RewardPaidData(
                rewardId: rewardID,
                wallet: row.text(0) ?? "",
                amount: row.text(1) ?? "0",
                mode: .solana,
                signature: Nullable(row.text(2)),
                ledgerEntry: Nullable(nil),
                paidAt: Timestamp.iso8601(now)
            )
        }
        if let data { try recordEvent(.rewardPaid, data, now: now) }
    }

    /// `payout.failed` for a reward that cannot be paid.
    func recordFailure(rewardID: Int64, reason: String, now: Int64) throws {
        let data = try connection.statement("SELECT wallet, amount FROM rewards WHERE id = ?").firstRow([
            .integer(rewardID)
        ]) { row in
            PayoutFailedData(rewardId: rewardID, wallet: row.text(0) ?? "", amount: row.text(1) ?? "0", reason: reason)
        }
        if let data { try recordEvent(.payoutFailed, data, now: now) }
    }

    /// Runs a write that throws `PayoutRaceError` when a reward stopped being payable; nil then.
    func rollingBackRaces<T>(_ body: () throws -> T) throws -> T? {
        do {
            return try body()
        } catch is PayoutRaceError {
            return nil
        }
    }

    func insertPayout(mode: PayoutMode, state: PayoutState, now: Int64) throws -> Int64 {
        try connection.statement("INSERT INTO payouts (mode, state, created_at, updated_at) VALUES (?, ?, ?, ?)")
            .execute([SQLiteValue(mode), SQLiteValue(state), .integer(now), .integer(now)])
        return connection.lastInsertRowID
    }

    /// Links rewards to a payout and moves them to `status`; false when one was no longer payable.
    @discardableResult
    func coverRewards(
        _ rewards: [PayableReward],
        payoutID: Int64,
        status: RewardStatus,
        tokenAccounts: [String?],
        now: Int64
    ) throws -> Bool {
        for (reward, account) in zip(rewards, tokenAccounts) {
            try connection.statement(
                """
                UPDATE rewards SET status = ?, payout_id = ?, paid_at = CASE WHEN ? = 'paid' THEN ? END, updated_at = ?
                WHERE id = ? AND status IN (?, ?)
                """
            ).execute([
                SQLiteValue(status), .integer(payoutID), SQLiteValue(status), .integer(now), .integer(now),
                .integer(reward.id), SQLiteValue(RewardStatus.pending), SQLiteValue(RewardStatus.approved),
            ])
            guard connection.changes == 1 else { return false }
            try connection.statement(
                "INSERT INTO payout_items (payout_id, reward_id, wallet, amount, token_account) VALUES (?, ?, ?, ?, ?)"
            ).execute([
                .integer(payoutID), .integer(reward.id), .text(reward.wallet), .text(String(reward.amount)),
                account.map(SQLiteValue.text),
            ])
        }
        return true
    }
}

/// A reward stopped being payable between reading and signing (a sysadmin rejected it); the
/// transaction is rolled back and the run goes on.
struct PayoutRaceError: Error {}

extension ReferralStore {
    /// The sum of the rewards a payout covers, in smallest units.
    ///
    /// - Throws: `SQLiteError`.
    public func payoutAmounts(_ payoutID: Int64) throws -> UInt128 {
        var total: UInt128 = 0
        try connection.statement("SELECT amount FROM payout_items WHERE payout_id = ?").forEachRow([.integer(payoutID)])
        {
            total += $0.text(0).flatMap { UInt128($0) } ?? 0
        }
        return total
    }
}
