/// A reference still waiting for its payment, with the route it was quoted for.
public struct OpenPurchaseReference: Sendable, Equatable {
    public var reference: String
    public var recipient: String
    /// The code whose vault it was routed to; nil for the foundation address.
    public var codeID: Int64?
    /// That code's text, which the conversion names.
    public var code: String?
    public var source: PurchaseSource
    public var amount: UInt64
    public var mint: String?
    public var expiresAt: Int64

    /// The checks its payment must pass.
    public var check: PaymentCheck {
        PaymentCheck(recipient: recipient, amount: amount, mint: mint, expiresAt: expiresAt)
    }
}

extension ReferralStore {
    /// Open references, the soonest to expire first.
    ///
    /// - Throws: `SQLiteError`.
    public func openPurchaseReferences(limit: Int) throws -> [OpenPurchaseReference] {
        try connection.statement(
            """
            SELECT r.reference, r.recipient, r.code_id, r.source, r.amount, r.mint, r.expires_at, c.code
            FROM purchase_references r LEFT JOIN referral_codes c ON c.id = r.code_id
            WHERE r.status = 'open' ORDER BY r.expires_at, r.id LIMIT ?
            """
        ).rows([.integer(Int64(limit))]) { row -> OpenPurchaseReference? in
            // The amount was written from a UInt64; one that does not read back is never judged
            // against a stand-in (0 would accept any payment).
            guard let amount = row.text(4).flatMap({ UInt64($0) }) else { return nil }
            return OpenPurchaseReference(
                reference: row.text(0) ?? "",
                recipient: row.text(1) ?? "",
                codeID: row.isNull(2) ? nil : row.int64(2),
                code: row.text(7),
                source: row.value(as: PurchaseSource.self, 3) ?? .default,
                amount: amount,
                mint: row.text(5),
                expiresAt: row.int64(6)
            )
        }.compactMap { $0 }
    }

    /// Moves an open reference to `status`; call inside a write transaction, with the conversion
    /// it records, so both commit together.
    ///
    /// - Returns: false when the reference was no longer open (another run concluded it).
    /// - Throws: `SQLiteError`.
    public func concludePurchaseReference(
        _ reference: String,
        as status: PurchaseReferenceStatus,
        signature: String?,
        reason: String?,
        now: Int64
    ) throws -> Bool {
        try connection.statement(
            """
            UPDATE purchase_references SET status = ?, signature = ?, reason = ?, updated_at = ?
            WHERE reference = ? AND status = 'open'
            """
        ).execute([
            SQLiteValue(status), signature.map(SQLiteValue.text), reason.map(SQLiteValue.text), .integer(now),
            .text(reference),
        ])
        return connection.changes == 1
    }
}

extension ReferralStore {
    /// Expires every open reference whose expiry is before `time`, when no node can look them up.
    ///
    /// - Returns: how many expired.
    /// - Throws: `SQLiteError`.
    public func expirePurchaseReferences(before time: Int64) throws -> Int {
        try write {
            try connection.statement(
                "UPDATE purchase_references SET status = 'expired', updated_at = ? WHERE status = 'open' AND expires_at < ?"
            ).execute([.integer(time), .integer(time)])
            return connection.changes
        }
    }
}
