/// A code's figures as `referral-admin stats` shows them, with the API's field names.
public struct CodeSummary: Sendable, Equatable, Encodable {
    public var code: String
    public var wallet: String
    public var clicks: Int
    public var uniqueVisitors: Int
    public var conversions: Int
    public var rewards: Rewards

    /// Rewards by where they are, amounts as decimal strings.
    public struct Rewards: Sendable, Equatable, Encodable {
        public var pending: Int
        public var review: Int
        public var paid: Int
        public var rejected: Int
        public var failed: Int
        public var amountPending: String
        public var amountPaid: String
    }

    /// The summary of one code.
    public init(code: ReferralCodeRecord, stats: CodeStats) {
        self.code = code.code
        wallet = code.wallet
        clicks = stats.clicks
        uniqueVisitors = stats.uniqueVisitors
        conversions = stats.conversions
        rewards = Rewards(
            pending: stats.rewards.pending,
            review: stats.rewards.review,
            paid: stats.rewards.paid,
            rejected: stats.rewards.rejected,
            failed: stats.rewards.failed,
            amountPending: String(stats.rewards.amountPending),
            amountPaid: String(stats.rewards.amountPaid)
        )
    }
}
