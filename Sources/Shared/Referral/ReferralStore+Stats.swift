/// What a code's owner sees about it (SPEC §3 `GET /api/referral/stats/{code}`).
public struct CodeStats: Sendable, Equatable {
    /// Counted clicks (no flag).
    public var clicks: Int
    /// Counted clicks, one per IP per clock hour.
    public var uniqueVisitors: Int
    public var conversions: Int
    public var rewards: RewardTotals
    /// One entry per UTC day, oldest first, when asked for.
    public var daily: [DailyStats]
}

/// Rewards of one code by status, with their amounts in smallest units. `pending` counts every
/// reward still owed: held, due, approved after review, or in a payout not final yet.
public struct RewardTotals: Sendable, Equatable {
    public var pending = 0
    public var review = 0
    public var paid = 0
    public var rejected = 0
    /// Rewards that cannot be paid (their reason is in `referral-payout status`).
    public var failed = 0
    public var amountPending: UInt128 = 0
    public var amountReview: UInt128 = 0
    public var amountPaid: UInt128 = 0
}

/// One UTC day of a code's activity, encoded as it is in the stats JSON.
public struct DailyStats: Sendable, Equatable, Encodable {
    /// `YYYY-MM-DD`.
    public var date: String
    public var clicks: Int
    public var uniqueVisitors: Int
    public var conversions: Int
}

extension ReferralStore {
    /// Days in the daily series, today included.
    public static let statsDays = 30

    /// The stats of one code, read in one snapshot.
    ///
    /// - Parameters:
    ///   - codeID: the code's row id.
    ///   - now: unix seconds; the daily series ends on its UTC day.
    ///   - withDaily: include the daily series.
    /// - Throws: `SQLiteError`.
    public func stats(codeID: Int64, now: Int64, withDaily: Bool) throws -> CodeStats {
        try connection.readTransaction {
            let code = SQLiteValue.integer(codeID)
            // From the daily rollups (schema step 10): a row per day, whatever the clicks.
            let (clicks, visitors) =
                try connection.statement(
                    "SELECT coalesce(sum(clicks), 0), coalesce(sum(unique_visitors), 0) FROM click_days WHERE code_id = ?"
                ).firstRow([code]) { ($0.int(0), $0.int(1)) } ?? (0, 0)
            let conversions =
                try connection.statement("SELECT count(*) FROM conversions WHERE code_id = ?").firstRow([code]) {
                    $0.int(0)
                } ?? 0
            var totals = RewardTotals()
            try connection.statement(
                "SELECT r.status, r.amount FROM rewards r JOIN conversions c ON c.id = r.conversion_id WHERE c.code_id = ?"
            ).forEachRow([code]) { row in
                let amount = row.text(1).flatMap { UInt128($0) } ?? 0
                // A status this binary does not know (a newer schema's) is not counted at all.
                switch row.value(as: RewardStatus.self, 0) {
                case .pending, .approved, .inFlight:
                    totals.pending += 1
                    totals.amountPending += amount
                case .review:
                    totals.review += 1
                    totals.amountReview += amount
                case .paid:
                    totals.paid += 1
                    totals.amountPaid += amount
                case .rejected: totals.rejected += 1
                case .failed: totals.failed += 1
                case nil: break
                }
            }
            let daily = withDaily ? try dailyStats(codeID: codeID, now: now) : []
            return CodeStats(
                clicks: clicks,
                uniqueVisitors: visitors,
                conversions: conversions,
                rewards: totals,
                daily: daily
            )
        }
    }

    func dailyStats(codeID: Int64, now: Int64) throws -> [DailyStats] {
        let today = now / 86_400
        let first = today - Int64(Self.statsDays - 1)
        var days = (first...today).map {
            DailyStats(date: Timestamp.day($0 * 86_400), clicks: 0, uniqueVisitors: 0, conversions: 0)
        }
        try connection.statement(
            "SELECT day, clicks, unique_visitors FROM click_days WHERE code_id = ? AND day >= ?"
        ).forEachRow([.integer(codeID), .integer(first)]) { row in
            let index = Int(row.int64(0) - first)
            guard days.indices.contains(index) else { return }
            days[index].clicks = row.int(1)
            days[index].uniqueVisitors = row.int(2)
        }
        try connection.statement(
            "SELECT created_at / 86400, count(*) FROM conversions WHERE code_id = ? AND created_at >= ? GROUP BY 1"
        ).forEachRow([.integer(codeID), .integer(first * 86_400)]) { row in
            let index = Int(row.int64(0) - first)
            guard days.indices.contains(index) else { return }
            days[index].conversions = row.int(1)
        }
        return days
    }
}
