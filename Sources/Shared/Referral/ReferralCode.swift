/// How a code's reward is computed (SPEC §3, §4).
public enum RewardType: String, Sendable, Codable, CaseIterable {
    /// `rewardValue` whole tokens: value × 10^MINT_DECIMALS smallest units.
    case token
    /// `rewardValue` basis points (1…10000) of the conversion amount, rounded down.
    case percent
    /// `rewardValue` smallest units.
    case fixed
}

/// A referral code as stored.
public struct ReferralCodeRecord: Sendable, Equatable {
    public var id: Int64
    /// The code as its owner spelled it.
    public var code: String
    /// The owner's wallet address.
    public var wallet: String
    public var nickname: String?
    public var description: String?
    public var rewardType: RewardType
    /// Whole tokens, basis points or smallest units, by `rewardType`; up to 2^64-1.
    public var rewardValue: UInt64
    /// Where purchases through this code go, if it has a vault.
    public var vaultAddress: String?
    public var active: Bool
    public var createdAt: Int64

    /// Creates a record; for a new code (`ReferralStore.insertCode`) the database assigns `id`.
    /// The defaults are the contract's: 5 whole tokens, no nickname, no vault, active.
    public init(
        id: Int64 = 0,
        code: String,
        wallet: String,
        nickname: String? = nil,
        description: String? = nil,
        rewardType: RewardType = .token,
        rewardValue: UInt64 = 5,
        vaultAddress: String? = nil,
        active: Bool = true,
        createdAt: Int64
    ) {
        self.id = id
        self.code = code
        self.wallet = wallet
        self.nickname = nickname
        self.description = description
        self.rewardType = rewardType
        self.rewardValue = rewardValue
        self.vaultAddress = vaultAddress
        self.active = active
        self.createdAt = createdAt
    }
}
