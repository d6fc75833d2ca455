/// Ledger mode: each due reward becomes one off-chain ledger entry, marked paid in the same durable
/// transaction, for a person to settle from `referral-payout export --csv`.
struct LedgerPayer {
    let store: ReferralStore

    /// Enters every reward; a wallet that is not an on-curve key fails alone as `invalid-recipient`.
    func pay(_ rewards: [PayableReward], now: Int64, report: inout PayoutReport) throws {
        let (valid, invalid) = Recipients.split(rewards)
        try store.failRewards(invalid.map(\.id), reason: .invalidRecipient, now: now)
        report.failed += invalid.count
        for (reward, _) in valid where try store.enterInLedger(reward, now: now) != nil {
            report.paid += 1
            report.paidAmount += UInt128(reward.amount)
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
