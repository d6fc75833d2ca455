/// What `referral-payout status` shows: rewards by where they are in payout, with the signatures
/// of those in flight and the reasons of those that failed. Field names are the JSON's.
public struct PayoutStatus: Sendable, Equatable, Encodable {
    /// A count and its sum in smallest units (a decimal string, as every amount in JSON).
    public struct Bucket: Sendable, Equatable, Encodable {
        public var count = 0
        public var amount = "0"

        mutating func add(_ units: UInt128) {
            count += 1
            amount = String((UInt128(amount) ?? 0) + units)
        }
    }

    /// A reward in a payout not settled yet.
    public struct InFlight: Sendable, Equatable, Encodable {
        public var id: Int64
        public var wallet: String
        public var amount: String
        public var payoutId: Int64
        public var signature: String?
        public var lastValidBlockHeight: Int64?
    }

    /// A reward that cannot be paid.
    public struct Failed: Sendable, Equatable, Encodable {
        public var id: Int64
        public var wallet: String
        public var amount: String
        public var reason: String
    }

    /// Pending or approved, hold not over yet.
    public var held = Bucket()
    /// Pending or approved, hold over: the next run pays these.
    public var due = Bucket()
    public var review = Bucket()
    public var inFlight = Bucket()
    public var failed = Bucket()
    public var paid = Bucket()
    public var rejected = Bucket()
    public var inFlightRewards: [InFlight] = []
    public var failedRewards: [Failed] = []
}

extension ReferralStore {
    /// The payout status at `now`, read in one snapshot.
    ///
    /// - Throws: `SQLiteError`.
    public func payoutStatus(now: Int64) throws -> PayoutStatus {
        try connection.readTransaction {
            var status = PayoutStatus()
            try connection.statement(
                """
                SELECT r.id, r.wallet, r.amount, r.status, r.hold_until, r.reason, r.payout_id,
                       p.signature, p.last_valid_block_height
                FROM rewards r LEFT JOIN payouts p ON p.id = r.payout_id ORDER BY r.id
                """
            ).forEachRow { row in
                let amountText = row.text(2) ?? "0"
                let amount = UInt128(amountText) ?? 0
                switch row.value(as: RewardStatus.self, 3) {
                case .pending, .approved:
                    if row.int64(4) <= now { status.due.add(amount) } else { status.held.add(amount) }
                case .review: status.review.add(amount)
                case .rejected: status.rejected.add(amount)
                case .paid: status.paid.add(amount)
                case .inFlight:
                    status.inFlight.add(amount)
                    status.inFlightRewards.append(
                        PayoutStatus.InFlight(
                            id: row.int64(0),
                            wallet: row.text(1) ?? "",
                            amount: amountText,
                            payoutId: row.int64(6),
                            signature: row.text(7),
                            lastValidBlockHeight: row.isNull(8) ? nil : row.int64(8)
                        )
                    )
                case .failed:
                    status.failed.add(amount)
                    status.failedRewards.append(
                        PayoutStatus.Failed(
                            id: row.int64(0),
                            wallet: row.text(1) ?? "",
                            amount: amountText,
                            reason: row.text(5) ?? ""
                        )
                    )
                case nil: break
                }
            }
            return status
        }
    }
}

extension PayoutStatus {
    /// The status as a few lines for people.
    public var text: String {
        var lines = [
            "held (pending, hold not over): \(held.count) rewards, \(held.amount) units",
            "due (paid by the next run):    \(due.count) rewards, \(due.amount) units",
            "in review:                     \(review.count) rewards, \(review.amount) units",
            "in flight:                     \(inFlight.count) rewards, \(inFlight.amount) units",
            "failed:                        \(failed.count) rewards, \(failed.amount) units",
            "paid:                          \(paid.count) rewards, \(paid.amount) units",
            "rejected:                      \(rejected.count) rewards, \(rejected.amount) units",
        ]
        if !inFlightRewards.isEmpty {
            lines.append("")
            lines.append("in flight:")
            for reward in inFlightRewards {
                lines.append(
                    "  reward \(reward.id)  \(reward.wallet)  \(reward.amount)  payout \(reward.payoutId)  "
                        + "\(reward.signature ?? "-")"
                )
            }
        }
        if !failedRewards.isEmpty {
            lines.append("")
            lines.append("failed:")
            for reward in failedRewards {
                lines.append("  reward \(reward.id)  \(reward.wallet)  \(reward.amount)  \(reward.reason)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
