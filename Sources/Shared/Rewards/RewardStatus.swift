/// Where a reward is in its life, bound to `rewards.status` (whose `CHECK` lists the same spellings).
///
/// ```
/// pending ──hold passes──▶ (due) ──payout signs──▶ in-flight ──finalized──▶ paid
///    │                                   ▲              │
/// review ──approve──▶ approved ──────────┘              └──expired unseen──▶ pending (re-signed)
///    └──reject──▶ rejected            failed ◀── invalid recipient, refused on chain
/// ```
public enum RewardStatus: String, Sendable, CaseIterable, Codable {
    /// Waiting for its hold to pass; due once `holdUntil` is past.
    case pending
    /// A fraud rule fired: waits for a sysadmin's decision.
    case review
    /// A sysadmin approved it after review: due like a pending reward.
    case approved
    /// A sysadmin refused it; never paid.
    case rejected
    /// Part of a signed payout transaction whose fate is not known yet.
    case inFlight = "in-flight"
    /// Paid: a ledger entry, or a finalized transaction.
    case paid
    /// Cannot be paid (the reason says why); surfaced by `referral-payout status`.
    case failed

    /// The statuses a payout run picks up once the hold has passed.
    public static let payable: [RewardStatus] = [.pending, .approved]
}
