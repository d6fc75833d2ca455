import Logging

/// Ledger mode: each due reward becomes one off-chain ledger entry, marked paid in the same durable
/// transaction, for a person to settle from `referral-payout export --csv`.
struct LedgerPayer {
    let store: ReferralStore
    let logger: Logger

    /// Enters every reward; a wallet that is not an on-curve key fails alone as `invalid-recipient`.
    func pay(_ rewards: [PayableReward], now: Int64, report: inout PayoutReport) throws {
        let (valid, invalid) = Recipients.split(rewards)
        try store.failRewards(invalid.map(\.id), reason: .invalidRecipient, now: now)
        report.failed += invalid.count
        for (reward, _) in valid {
            guard let entry = try store.enterInLedger(reward, now: now) else { continue }
            report.paid += 1
            report.paidAmount += UInt128(reward.amount)
            logger.info("reward \(reward.id) paid: \(reward.amount) units to \(reward.wallet), \(entry)")
        }
    }
}

/// Recipient checks shared by both modes.
enum Recipients {
    /// Rewards whose wallet is an on-curve ed25519 key (with that key), and the others.
    static func split(_ rewards: [PayableReward]) -> (valid: [(PayableReward, PublicKey)], invalid: [PayableReward]) {
        var valid: [(PayableReward, PublicKey)] = []
        var invalid: [PayableReward] = []
        for reward in rewards {
            if let owner = PublicKey(base58: reward.wallet), owner.isOnCurve {
                valid.append((reward, owner))
            } else {
                invalid.append(reward)
            }
        }
        return (valid, invalid)
    }
}
