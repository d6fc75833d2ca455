extension ReferralStore {
    /// The code a wallet prefers (its preferred vault), if any.
    ///
    /// - Throws: `SQLiteError`.
    public func preferredCode(wallet: String) throws -> ReferralCodeRecord? {
        try connection.statement(
            "SELECT \(Self.codeColumns) FROM referral_codes WHERE id = (SELECT code_id FROM preferences WHERE wallet = ?)"
        ).firstRow([.text(wallet)], Self.codeRecord)
    }

    /// Makes `code` the wallet's preference and logs why, in one transaction.
    ///
    /// - Parameters:
    ///   - wallet: the signed-in wallet.
    ///   - code: the code to prefer.
    ///   - onlyIfNone: keep an existing preference (the sign-in migration) instead of replacing it.
    ///   - event: the analytics event kind to log when the preference changes.
    ///   - now: unix seconds.
    /// - Returns: true when the preference was written.
    /// - Throws: `SQLiteError`.
    @discardableResult
    public func setPreference(
        wallet: String,
        code: ReferralCodeRecord,
        onlyIfNone: Bool = false,
        event: String,
        now: Int64
    ) throws -> Bool {
        try write {
            let upsert =
                onlyIfNone
                ? "INSERT INTO preferences (wallet, code_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (wallet) DO NOTHING"
                : """
                INSERT INTO preferences (wallet, code_id, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (wallet) DO UPDATE SET code_id = excluded.code_id, updated_at = excluded.updated_at
                """
            try connection.statement(upsert).execute([.text(wallet), .integer(code.id), .integer(now)])
            guard connection.changes == 1 else { return false }
            try insertEvent(kind: event, wallet: wallet, codeID: code.id, now: now)
            return true
        }
    }

    /// Removes the wallet's preference.
    ///
    /// - Returns: false when it had none.
    /// - Throws: `SQLiteError`.
    public func deletePreference(wallet: String, now: Int64) throws -> Bool {
        try write {
            try connection.statement("DELETE FROM preferences WHERE wallet = ?").execute([.text(wallet)])
            guard connection.changes == 1 else { return false }
            try insertEvent(kind: "preference-removed", wallet: wallet, codeID: nil, now: now)
            return true
        }
    }

    /// Appends an analytics event; call inside a write transaction.
    func insertEvent(kind: String, wallet: String?, codeID: Int64?, now: Int64) throws {
        try connection.statement("INSERT INTO analytics_events (kind, wallet, code_id, created_at) VALUES (?, ?, ?, ?)")
            .execute([.text(kind), wallet.map(SQLiteValue.text), codeID.map(SQLiteValue.integer), .integer(now)])
    }
}
