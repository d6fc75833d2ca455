/// A checked conversion report from the platform's backend.
public struct ConversionInput: Sendable, Equatable {
    /// The code named in the report, if any (well-formed).
    public var code: String?
    public var referredWallet: String
    public var action: String
    public var amount: UInt64
    public var paymentTx: String?
    public var mintLogId: String?
    /// The buyer's IP as the backend saw it.
    public var ip: String?

    /// A digest of every field: a repeated request must match it to get the first answer back.
    public var fingerprint: [UInt8] {
        let fields = [
            code ?? "", referredWallet, action, String(amount), paymentTx ?? "", mintLogId ?? "", ip ?? "",
        ]
        // Fields are checked to hold no control characters, so "\n" cannot be forged inside one.
        return Sodium.sha256(Array(("conversion-v1\n" + fields.joined(separator: "\n")).utf8))
    }
}

/// The first answer given to a conversion, kept to answer repeats byte for byte.
public struct StoredAnswer: Sendable, Equatable {
    public var fingerprint: [UInt8]
    public var status: Int
    public var body: [UInt8]
}

/// A reward about to be stored.
public struct NewReward: Sendable {
    public var wallet: String
    public var amount: UInt64
    /// `pending` or `review`.
    public var status: String
    public var holdUntil: Int64
    /// Why it waits for review (comma-separated rule names), if it does.
    public var reason: String?
}

extension ReferralStore {
    /// The stored answer of the conversion that used `paymentTx`, if any.
    ///
    /// - Throws: `SQLiteError`.
    public func storedAnswer(paymentTx: String) throws -> StoredAnswer? {
        try connection.statement(
            "SELECT request_fingerprint, response_status, response_body FROM conversions WHERE payment_tx = ?"
        ).firstRow([.text(paymentTx)]) {
            StoredAnswer(fingerprint: $0.blob(0) ?? [], status: $0.int(1), body: $0.blob(2) ?? [])
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
    /// - Returns: the conversion's and the reward's row ids.
    /// - Throws: `SQLiteError`.
    public func insertConversion(
        _ input: ConversionInput,
        code: ReferralCodeRecord,
        reward: NewReward,
        now: Int64
    ) throws -> (conversionID: Int64, rewardID: Int64) {
        try connection.statement(
            """
            INSERT INTO conversions (code_id, referrer_wallet, referred_wallet, action, amount, payment_tx,
                mint_log_id, ip, request_fingerprint, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute([
            .integer(code.id), .text(code.wallet), .text(input.referredWallet), .text(input.action),
            .text(String(input.amount)), input.paymentTx.map(SQLiteValue.text), input.mintLogId.map(SQLiteValue.text),
            input.ip.map(SQLiteValue.text), .blob(input.fingerprint), .integer(now),
        ])
        let conversionID = connection.lastInsertRowID
        try connection.statement(
            """
            INSERT INTO rewards (conversion_id, wallet, amount, status, hold_until, reason, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).execute([
            .integer(conversionID), .text(reward.wallet), .text(String(reward.amount)), .text(reward.status),
            .integer(reward.holdUntil), reward.reason.map(SQLiteValue.text), .integer(now), .integer(now),
        ])
        return (conversionID, connection.lastInsertRowID)
    }

    /// Keeps the answer given to a conversion; call in the transaction that inserted it.
    ///
    /// - Throws: `SQLiteError`.
    public func storeAnswer(conversionID: Int64, status: Int, body: [UInt8]) throws {
        try connection.statement("UPDATE conversions SET response_status = ?, response_body = ? WHERE id = ?")
            .execute([.integer(Int64(status)), .blob(body), .integer(conversionID)])
    }
}
