/// A reward as the sysadmin's tools show it; encoded with the API's field names.
public struct RewardListing: Sendable, Equatable, Encodable {
    public var id: Int64
    public var conversionId: Int64
    public var code: String
    public var wallet: String
    /// Smallest units, as a decimal string.
    public var amount: String
    public var status: RewardStatus
    /// RFC 3339.
    public var holdUntil: String
    /// Why it is in review, was rejected or failed.
    public var reason: String?
    /// RFC 3339.
    public var createdAt: String
}

extension ReferralStore {
    static let rewardListingSQL = """
        SELECT r.id, r.conversion_id, k.code, r.wallet, r.amount, r.status, r.hold_until, r.reason, r.created_at
        FROM rewards r JOIN conversions c ON c.id = r.conversion_id JOIN referral_codes k ON k.id = c.code_id
        """

    /// Hands each reward (of `status`, when given) to `body`, oldest first, one row at a time.
    ///
    /// - Throws: `SQLiteError`, or what `body` throws.
    public func forEachReward(status: RewardStatus?, _ body: (RewardListing) throws -> Void) throws {
        let sql = Self.rewardListingSQL + (status == nil ? "" : " WHERE r.status = ?") + " ORDER BY r.id"
        try connection.readTransaction {
            try connection.statement(sql).forEachRow(status.map { [SQLiteValue($0)] } ?? []) {
                try body(Self.rewardListing($0))
            }
        }
    }

    /// One reward, or nil when there is no such id.
    ///
    /// - Throws: `SQLiteError`.
    public func rewardListing(id: Int64) throws -> RewardListing? {
        try connection.statement(Self.rewardListingSQL + " WHERE r.id = ?").firstRow([.integer(id)], Self.rewardListing)
    }

    static func rewardListing(_ row: SQLiteRow) -> RewardListing {
        RewardListing(
            id: row.int64(0),
            conversionId: row.int64(1),
            code: row.text(2) ?? "",
            wallet: row.text(3) ?? "",
            amount: row.text(4) ?? "0",
            status: row.value(as: RewardStatus.self, 5) ?? .failed,
            holdUntil: Timestamp.iso8601(row.int64(6)),
            reason: row.text(7),
            createdAt: Timestamp.iso8601(row.int64(8))
        )
    }
}
