/// `referral-admin export clicks|conversions|rewards|payouts --csv [--since DATE]`: every row of a
/// table from a time on, streamed one row at a time (constant memory, however many rows), in one
/// read snapshot so writes going on do not tear it.
public enum TableExport: String, Sendable, CaseIterable {
    case clicks
    case conversions
    case rewards
    case payouts

    /// The header row (the API's field names).
    public var header: String {
        switch self {
        case .clicks: "id,code,ip,userAgent,referer,path,wallet,flag,createdAt"
        case .conversions: "id,code,referrer,referredWallet,action,amount,paymentTx,mintLogId,ip,createdAt"
        case .rewards: "id,conversionId,code,wallet,amount,status,holdUntil,reason,createdAt"
        case .payouts: PayoutExport.header
        }
    }

    /// Hands each row's CSV line to `emit`, oldest first.
    ///
    /// - Parameters:
    ///   - store: the database.
    ///   - since: unix seconds; older rows are left out.
    ///   - emit: called once per row.
    /// - Throws: `SQLiteError`.
    public func rows(_ store: ReferralStore, since: Int64, _ emit: (String) -> Void) throws {
        let sql: String
        switch self {
        case .payouts: return try PayoutExport.rows(store, since: since, emit)
        case .clicks:
            sql = """
                SELECT c.id, k.code, c.ip, c.user_agent, c.referer, c.path, c.wallet, c.flag, c.created_at
                FROM clicks c JOIN referral_codes k ON k.id = c.code_id WHERE c.created_at >= ? ORDER BY c.id
                """
        case .conversions:
            sql = """
                SELECT c.id, k.code, c.referrer_wallet, c.referred_wallet, c.action, c.amount, c.payment_tx,
                       c.mint_log_id, c.ip, c.created_at
                FROM conversions c JOIN referral_codes k ON k.id = c.code_id WHERE c.created_at >= ? ORDER BY c.id
                """
        case .rewards:
            sql = """
                SELECT r.id, r.conversion_id, k.code, r.wallet, r.amount, r.status, r.hold_until, r.reason, r.created_at
                FROM rewards r JOIN conversions c ON c.id = r.conversion_id JOIN referral_codes k ON k.id = c.code_id
                WHERE r.created_at >= ? ORDER BY r.id
                """
        }
        let timeColumns: Set<Int32> = self == .rewards ? [6, 8] : [self == .clicks ? 8 : 9]
        try store.connection.readTransaction {
            let statement = try store.connection.statement(sql)
            try statement.forEachRow([.integer(since)]) { row in
                let fields = (0..<statement.columnCount).map { column -> String in
                    if timeColumns.contains(column) { return Timestamp.iso8601(row.int64(column)) }
                    return row.text(column) ?? ""
                }
                emit(CSV.row(fields))
            }
        }
    }
}
