/// Why a transaction carrying a reference is not the payment it was quoted for (SPEC §9), kept as
/// the reference's `reason`.
public enum PaymentRejection: String, Sendable, CaseIterable {
    /// The transaction failed on chain (`meta.err` set).
    case transactionFailed = "transaction-failed"
    /// Nothing reached the quoted recipient (or its token account).
    case wrongRecipient = "wrong-recipient"
    /// The recipient was paid in another token than `PURCHASE_MINT`.
    case wrongMint = "wrong-mint"
    /// The recipient received less than the quoted amount.
    case underpaid
    /// The node's answer lacks what the check needs (no meta, no fee payer).
    case unreadable = "unreadable-transaction"
}

/// What the check concluded of one transaction.
public enum PaymentVerdict: Sendable, Equatable {
    /// The payment: its buyer (the fee payer) and what the recipient received, in smallest units.
    case accepted(buyer: String, received: UInt64)
    /// Not the payment, for this reason.
    case rejected(PaymentRejection)
    /// Landed after the reference expired: the reference expires.
    case late
}

/// The checks of SPEC §9 on the transaction that carries a reference: in time, succeeded, and at
/// least the quoted amount moved to the recipient — lamports, or tokens of the purchase mint into
/// the recipient's Associated Token Account. Amounts are the node's raw integers, never floats.
public struct PaymentCheck: Sendable, Equatable {
    /// The quoted recipient's address (base58).
    public var recipient: String
    /// The quoted amount in smallest units.
    public var amount: UInt64
    /// The token paid in, nil for SOL.
    public var mint: String?
    /// Seconds since the epoch after which the reference no longer takes a payment.
    public var expiresAt: Int64

    public init(recipient: String, amount: UInt64, mint: String?, expiresAt: Int64) {
        self.recipient = recipient
        self.amount = amount
        self.mint = mint
        self.expiresAt = expiresAt
    }

    /// Judges `transaction`. A missing `blockTime` counts as in time: the node omits it only for
    /// blocks it cannot date, and the reference was still open when it was looked up.
    public func verdict(on transaction: ConfirmedTransaction) -> PaymentVerdict {
        if let blockTime = transaction.blockTime, blockTime > expiresAt { return .late }
        guard let meta = transaction.meta, let buyer = transaction.feePayer else { return .rejected(.unreadable) }
        guard transaction.succeeded else { return .rejected(.transactionFailed) }
        let keys = transaction.accountKeys
        let received: UInt64
        if let mint {
            guard let mintKey = PublicKey(base58: mint), let owner = PublicKey(base58: recipient),
                let tokenAccount = PublicKey.associatedTokenAddress(owner: owner, mint: mintKey),
                let index = keys.firstIndex(of: tokenAccount.base58)
            else { return .rejected(paidInAnotherToken(meta) ? .wrongMint : .wrongRecipient) }
            received = Self.gain(
                from: Self.tokenUnits(meta.preTokenBalances, index: index, mint: mint),
                to: Self.tokenUnits(meta.postTokenBalances, index: index, mint: mint)
            )
            if received == 0, paidInAnotherToken(meta) { return .rejected(.wrongMint) }
        } else {
            guard let index = keys.firstIndex(of: recipient), index < meta.preBalances.count,
                index < meta.postBalances.count
            else { return .rejected(.wrongRecipient) }
            received = Self.gain(from: meta.preBalances[index], to: meta.postBalances[index])
        }
        guard received > 0 else { return .rejected(.wrongRecipient) }
        guard received >= amount else { return .rejected(.underpaid) }
        return .accepted(buyer: buyer, received: received)
    }

    /// True when a token account the recipient owns, of another mint, grew.
    private func paidInAnotherToken(_ meta: ConfirmedTransaction.Meta) -> Bool {
        (meta.postTokenBalances ?? []).contains { after in
            guard after.owner == recipient, after.mint != mint, let post = after.units else { return false }
            let pre = Self.tokenUnits(meta.preTokenBalances, index: after.accountIndex, mint: after.mint)
            return post > pre
        }
    }

    /// The raw amount of `mint` held at account `index`; 0 when the account is absent (created by
    /// the transaction itself, or closed).
    private static func tokenUnits(_ balances: [TokenBalance]?, index: Int, mint: String) -> UInt64 {
        balances?.first { $0.accountIndex == index && $0.mint == mint }?.units ?? 0
    }

    private static func gain(from before: UInt64, to after: UInt64) -> UInt64 {
        after > before ? after - before : 0
    }
}
