/// `referral-payout export --csv`: the payout ledger, one paid reward a row, streamed row by row.
public enum PayoutExport {
    /// The header row.
    public static let header = "rewardId,wallet,amount,mode,signature,ledgerEntry,paidAt"

    /// Hands each paid reward's CSV row to `emit`, in the order they were paid, without holding
    /// them all in memory.
    ///
    /// - Throws: `SQLiteError`.
    public static func rows(_ store: ReferralStore, _ emit: (String) -> Void) throws {
        try store.connection.readTransaction {
            try store.connection.statement(
                """
                SELECT r.id, r.wallet, r.amount, p.mode, p.signature, p.ledger_entry, r.paid_at
                FROM rewards r JOIN payouts p ON p.id = r.payout_id
                WHERE r.status = ? ORDER BY r.paid_at, r.id
                """
            ).forEachRow([SQLiteValue(RewardStatus.paid)]) { row in
                let fields = [
                    String(row.int64(0)), row.text(1) ?? "", row.text(2) ?? "", row.text(3) ?? "", row.text(4) ?? "",
                    row.text(5) ?? "", row.isNull(6) ? "" : Timestamp.iso8601(row.int64(6)),
                ]
                emit(fields.map(csvField).joined(separator: ","))
            }
        }
    }

    /// RFC 4180 quoting, for a field that holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
