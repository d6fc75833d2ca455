/// A reward about to be stored.
public struct NewReward: Sendable {
    public var wallet: String
    public var amount: UInt64
    /// `pending` or `review`.
    public var status: RewardStatus
    public var holdUntil: Int64
    /// Why it waits for review, if it does.
    public var reviewReasons: [ReviewReason]
}

extension ReferralStore {
    /// The conversion recorded with `paymentTx`, with the fingerprint of the report that made it.
    ///
    /// - Throws: `SQLiteError`.
    public func recordedConversion(paymentTx: String) throws -> (conversion: RecordedConversion, fingerprint: [UInt8])?
    {
        try connection.statement(
            """
            SELECT c.id, k.code, c.referrer_wallet, c.referred_wallet, c.action, c.amount, c.payment_tx,
                   c.mint_log_id, c.ip, c.created_at, c.request_fingerprint,
                   r.id, r.wallet, r.amount, r.hold_until, r.review_reasons
            FROM conversions c
            JOIN referral_codes k ON k.id = c.code_id
            JOIN rewards r ON r.conversion_id = c.id
            WHERE c.payment_tx = ?
            """
        ).firstRow([.text(paymentTx)]) { row in
            let reasons = ReviewReason.parse(row.text(15))
            let conversion = RecordedConversion(
                id: row.int64(0),
                code: row.text(1) ?? "",
                referrer: row.text(2) ?? "",
                referredWallet: row.text(3) ?? "",
                action: row.value(as: ConversionAction.self, 4) ?? .purchase,
                amount: row.text(5).flatMap { UInt64($0) } ?? 0,
                paymentTx: row.text(6),
                mintLogId: row.text(7),
                ip: row.text(8),
                createdAt: row.int64(9),
                reward: RecordedReward(
                    id: row.int64(11),
                    wallet: row.text(12) ?? "",
                    amount: row.text(13).flatMap { UInt64($0) } ?? 0,
                    status: reasons.isEmpty ? .pending : .review,
                    holdUntil: row.int64(14),
                    reviewReasons: reasons
                )
            )
            return (conversion, row.blob(10) ?? [])
        }
    }

    /// True when `referredWallet` already converted through `codeID`.
    ///
    /// - Throws: `SQLiteError`.
    public func hasConversion(codeID: Int64, referredWallet: String) throws -> Bool {
        try connection.statement("SELECT 1 FROM conversions WHERE code_id = ? AND referred_wallet = ?")
            .firstRow([.integer(codeID), .text(referredWallet)]) { _ in true } ?? false
    }

    /// True when `wallet` has signed in from `ip`.
    ///
    /// - Throws: `SQLiteError`.
    public func hasSignedIn(wallet: String, ip: String) throws -> Bool {
        try connection.statement("SELECT 1 FROM sign_ins WHERE wallet = ? AND ip = ? LIMIT 1")
            .firstRow([.text(wallet), .text(ip)]) { _ in true } ?? false
    }

    /// Conversions of one code from one IP since `since`.
    ///
    /// - Throws: `SQLiteError`.
    public func conversionCount(codeID: Int64, ip: String, since: Int64) throws -> Int {
        try connection.statement("SELECT count(*) FROM conversions WHERE code_id = ? AND ip = ? AND created_at > ?")
            .firstRow([.integer(codeID), .text(ip), .integer(since)]) { $0.int(0) } ?? 0
    }

    /// Inserts a conversion and its reward; call inside a durable write transaction.
    ///
    /// - Returns: both as recorded, with their row ids.
    /// - Throws: `SQLiteError`.
    public func insertConversion(
        _ input: ConversionInput,
        code: ReferralCodeRecord,
        reward: NewReward,
        now: Int64
    ) throws -> RecordedConversion {
        try connection.statement(
            """
            INSERT INTO conversions (code_id, referrer_wallet, referred_wallet, action, amount, payment_tx,
                mint_log_id, ip, request_fingerprint, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute([
            .integer(code.id), .text(code.wallet), .text(input.referredWallet), SQLiteValue(input.action),
            .text(String(input.amount)), input.paymentTx.map(SQLiteValue.text), input.mintLogId.map(SQLiteValue.text),
            input.ip.map(SQLiteValue.text), .blob(input.fingerprint), .integer(now),
        ])
        let conversionID = connection.lastInsertRowID
        try connection.statement(
            """
            INSERT INTO rewards (conversion_id, wallet, amount, status, hold_until, review_reasons, reason,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute([
            .integer(conversionID), .text(reward.wallet), .text(String(reward.amount)), SQLiteValue(reward.status),
            .integer(reward.holdUntil), ReviewReason.joined(reward.reviewReasons).map(SQLiteValue.text),
            ReviewReason.joined(reward.reviewReasons).map(SQLiteValue.text), .integer(now), .integer(now),
        ])
        return RecordedConversion(
            id: conversionID,
            code: code.code,
            referrer: code.wallet,
            referredWallet: input.referredWallet,
            action: input.action,
            amount: input.amount,
            paymentTx: input.paymentTx,
            mintLogId: input.mintLogId,
            ip: input.ip,
            createdAt: now,
            reward: RecordedReward(
                id: connection.lastInsertRowID,
                wallet: reward.wallet,
                amount: reward.amount,
                status: reward.status,
                holdUntil: reward.holdUntil,
                reviewReasons: reward.reviewReasons
            )
        )
    }
}
