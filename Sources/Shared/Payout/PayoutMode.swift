/// How rewards are paid (`PAYOUT_MODE`), bound to `payouts.mode`.
public enum PayoutMode: String, Sendable, CaseIterable, Codable {
    /// An off-chain ledger entry per reward, settled by hand from the CSV export.
    case ledger
    /// SPL token mints to the referrer's Associated Token Account.
    case solana
}
