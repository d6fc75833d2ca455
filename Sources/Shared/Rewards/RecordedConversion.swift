/// A conversion and its reward as they were recorded: what the first answer to a report showed,
/// and what a repeat of that report shows again.
public struct RecordedConversion: Sendable, Equatable {
    public var id: Int64
    /// The code as its owner spelled it.
    public var code: String
    /// The code owner's wallet, who earns the reward.
    public var referrer: String
    public var referredWallet: String
    public var action: ConversionAction
    public var amount: UInt64
    public var paymentTx: String?
    public var mintLogId: String?
    public var ip: String?
    public var createdAt: Int64
    public var reward: RecordedReward
}

/// A reward as decided when its conversion was recorded.
public struct RecordedReward: Sendable, Equatable {
    public var id: Int64
    public var wallet: String
    /// Smallest units of the reward token.
    public var amount: UInt64
    /// `pending`, or `review` when a fraud rule fired.
    public var status: RewardStatus
    public var holdUntil: Int64
    /// The fraud rules that fired, in the order they are checked.
    public var reviewReasons: [ReviewReason]
}
