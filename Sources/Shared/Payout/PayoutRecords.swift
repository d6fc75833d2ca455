/// A reward the payout job may pay now: payable status, hold passed.
public struct PayableReward: Sendable, Equatable {
    public var id: Int64
    /// The code owner's wallet.
    public var wallet: String
    /// Smallest units.
    public var amount: UInt64
}

/// Where a payout is, bound to `payouts.state`.
public enum PayoutState: String, Sendable, CaseIterable {
    /// Signed and recorded; maybe sent, maybe not.
    case signed
    /// Sent at least once; its fate is not known yet.
    case sent
    /// Final: a ledger entry, or a finalized successful transaction.
    case finalized
    /// Landed on chain with an error, or refused by the RPC until its blockhash expired.
    case failed
    /// Never landed and can no longer land: its rewards were released for re-signing.
    case expired

    /// States whose outcome a run must settle before signing anything new.
    public static let unresolved: [PayoutState] = [.signed, .sent]
}

/// Why a reward cannot be paid, as `rewards.reason` keeps it for a failed reward.
public enum PayoutFailure: Sendable, Equatable, CustomStringConvertible {
    /// The wallet is not an on-curve ed25519 key (a program-derived address, or not an address).
    case invalidRecipient
    /// The transaction landed on chain and failed.
    case transactionFailed(String)
    /// The RPC node refused the transaction until its blockhash expired.
    case refused(String)

    public var description: String {
        switch self {
        case .invalidRecipient: "invalid-recipient"
        case .transactionFailed(let error): "transaction-failed: \(error)"
        case .refused(let error): "rpc-refused: \(error)"
        }
    }
}

/// A signed payout transaction waiting to be settled.
public struct UnresolvedPayout: Sendable, Equatable {
    public var id: Int64
    public var signature: String
    public var wireBytes: [UInt8]
    public var lastValidBlockHeight: UInt64
    /// What the RPC said when it refused the transaction, if it did.
    public var refusal: String?
}
