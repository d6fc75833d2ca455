/// The settings of the reward rules (SPEC §4), shared by every program that records conversions
/// or pays rewards.
public struct RewardPolicy: Sendable, Equatable {
    /// `MINT_DECIMALS`: decimals of the reward token, 0…18.
    public var mintDecimals: Int
    /// `REWARD_HOLD_DAYS`: how long a reward waits before it is due.
    public var holdDays: Int
    /// `REVIEW_ABOVE`: rewards above this many smallest units wait for a sysadmin's review.
    public var reviewAbove: UInt64?

    /// Creates a policy from explicit values (tests) or the defaults.
    public init(mintDecimals: Int = 6, holdDays: Int = 7, reviewAbove: UInt64? = nil) {
        self.mintDecimals = mintDecimals
        self.holdDays = holdDays
        self.reviewAbove = reviewAbove
    }

    /// Reads `MINT_DECIMALS`, `REWARD_HOLD_DAYS` and `REVIEW_ABOVE`.
    ///
    /// - Throws: `ConfigError` naming the first bad variable.
    public init(settings: SettingsReader) throws {
        self.init(
            mintDecimals: try settings.integer("MINT_DECIMALS", default: 6, range: 0...18),
            holdDays: try settings.integer("REWARD_HOLD_DAYS", default: 7, range: 0...3650),
            reviewAbove: try settings.amount("REVIEW_ABOVE")
        )
    }

    /// Seconds a new reward is held.
    public var holdSeconds: Int64 { Int64(holdDays) * 86_400 }
}
