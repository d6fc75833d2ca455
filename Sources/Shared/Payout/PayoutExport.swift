/// `referral-payout export --csv`: the payout ledger, one paid reward a row, streamed row by row.
public enum PayoutExport {
    /// The header row.
    public static let header = "rewardId,wallet,amount,mode,signature,ledgerEntry,paidAt"

    /// Hands each paid reward's CSV row to `emit`, in the order they were paid, without holding
    /// them all in memory.
    ///
    /// - Throws: `SQLiteError`.
    public static func rows(_ store: ReferralStore, since: Int64 = 0, _ emit: (String) -> Void) throws {
        try store.connection.readTransaction {
            try store.connection.statement(
                """
                SELECT r.id, r.wallet, r.amount, p.mode, p.signature, p.ledger_entry, r.paid_at
                FROM rewards r JOIN payouts p ON p.id = r.payout_id
                WHERE r.status = ? AND r.paid_at >= ? ORDER BY r.paid_at, r.id
                """
            ).forEachRow([SQLiteValue(RewardStatus.paid), .integer(since)]) { row in
                let fields = [
                    String(row.int64(0)), row.text(1) ?? "", row.text(2) ?? "", row.text(3) ?? "", row.text(4) ?? "",
                    row.text(5) ?? "", row.isNull(6) ? "" : Timestamp.iso8601(row.int64(6)),
                ]
                emit(CSV.row(fields))
            }
        }
    }
}
