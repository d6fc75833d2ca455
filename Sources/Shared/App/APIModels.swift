import FoundationEssentials

// The JSON bodies of the /api/ routes. Optional fields are `Nullable`, written as explicit nulls
// (synthesised Encodable drops nil optionals), so every documented field is always present.

/// An optional value that encodes nil as JSON `null` instead of leaving the key out.
struct Nullable<Wrapped: Encodable>: Encodable {
    var value: Wrapped?

    init(_ value: Wrapped?) { self.value = value }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// `{vaultName, vaultAddress}`: a preferred vault is a code and that code's vault address.
struct VaultJSON: Encodable {
    var vaultName: String
    var vaultAddress: Nullable<String>

    init(_ code: ReferralCodeRecord) {
        vaultName = code.code
        vaultAddress = Nullable(code.vaultAddress)
    }

}

/// `{wallet, preferredVault}` of `POST /api/auth/verify` and `GET /api/me`.
struct WalletJSON: Encodable {
    var wallet: String
    var preferredVault: Nullable<VaultJSON>

    init(wallet: String, preferredVault: VaultJSON?) {
        self.wallet = wallet
        self.preferredVault = Nullable(preferredVault)
    }

}

struct NonceJSON: Encodable {
    var nonce: String
    var message: String
    var expiresAt: String
}

struct VerifyBody: Decodable {
    var wallet: String
    var message: String
    var signature: String
}

struct CreateReferralBody: Decodable {
    var code: String?
    var nickname: String?
    var description: String?
    var rewardType: String?
    var rewardValue: AmountInput?
    var vaultAddress: String?
}

/// A referral code as the API shows it. `rewardValue` is a decimal string like every amount.
struct ReferralJSON: Encodable {
    var code: String
    var wallet: String
    var nickname: Nullable<String>
    var description: Nullable<String>
    var rewardType: String
    var rewardValue: String
    var vaultAddress: Nullable<String>
    var active: Bool
    var createdAt: String
    var shareLink: String

    init(_ record: ReferralCodeRecord, shareLink: String) {
        code = record.code
        wallet = record.wallet
        nickname = Nullable(record.nickname)
        description = Nullable(record.description)
        rewardType = record.rewardType.rawValue
        rewardValue = String(record.rewardValue)
        vaultAddress = Nullable(record.vaultAddress)
        active = record.active
        createdAt = Timestamp.iso8601(record.createdAt)
        self.shareLink = shareLink
    }

}

struct CreatedReferralJSON: Encodable {
    var code: String
    var shareLink: String
    var qrSvg: String
    var referral: ReferralJSON
}

struct RewardTotalsJSON: Encodable {
    var pending: Int
    var review: Int
    var paid: Int
    var rejected: Int
    var failed: Int
    var amountPending: String
    var amountReview: String
    var amountPaid: String

    init(_ totals: RewardTotals) {
        pending = totals.pending
        review = totals.review
        paid = totals.paid
        rejected = totals.rejected
        failed = totals.failed
        amountPending = String(totals.amountPending)
        amountReview = String(totals.amountReview)
        amountPaid = String(totals.amountPaid)
    }
}

struct StatsJSON: Encodable {
    var code: String
    var wallet: String
    var clicks: Int
    var uniqueVisitors: Int
    var conversions: Int
    var rewards: RewardTotalsJSON
    var daily: [DailyStats]
    /// MINT_DECIMALS: the amounts are smallest units, and a page shows them in whole tokens.
    var decimals: Int

    init(code: ReferralCodeRecord, stats: CodeStats, decimals: Int) {
        self.code = code.code
        wallet = code.wallet
        clicks = stats.clicks
        uniqueVisitors = stats.uniqueVisitors
        conversions = stats.conversions
        rewards = RewardTotalsJSON(stats.rewards)
        daily = stats.daily
        self.decimals = decimals
    }
}

struct MineJSON: Encodable {
    struct Entry: Encodable {
        var referral: ReferralJSON
        var stats: StatsJSON
    }
    var referrals: [Entry]
    var decimals: Int
}

struct ReferralEnvelopeJSON: Encodable {
    var referral: ReferralJSON
}

struct ConversionBody: Decodable {
    var code: String?
    var referredWallet: String
    var action: String
    var amount: AmountInput
    var paymentTx: String?
    var mintLogId: String?
    var ip: String?
}

struct ConversionJSON: Encodable {
    var id: Int64
    var code: String
    var referrer: String
    var referredWallet: String
    var action: ConversionAction
    var amount: String
    var paymentTx: Nullable<String>
    var mintLogId: Nullable<String>
    var ip: Nullable<String>
    var createdAt: String

    init(_ conversion: RecordedConversion) {
        id = conversion.id
        code = conversion.code
        referrer = conversion.referrer
        referredWallet = conversion.referredWallet
        action = conversion.action
        amount = String(conversion.amount)
        paymentTx = Nullable(conversion.paymentTx)
        mintLogId = Nullable(conversion.mintLogId)
        ip = Nullable(conversion.ip)
        createdAt = Timestamp.iso8601(conversion.createdAt)
    }
}

struct RewardJSON: Encodable {
    var id: Int64
    var wallet: String
    var amount: String
    var status: RewardStatus
    var holdUntil: String
    /// The fraud rules that sent it to review, comma-separated; null when none fired.
    var reason: Nullable<String>

    init(_ reward: RecordedReward) {
        id = reward.id
        wallet = reward.wallet
        amount = String(reward.amount)
        status = reward.status
        holdUntil = Timestamp.iso8601(reward.holdUntil)
        reason = Nullable(ReviewReason.joined(reward.reviewReasons))
    }
}

struct ConversionResultJSON: Encodable {
    var conversion: ConversionJSON
    var reward: RewardJSON

    init(_ recorded: RecordedConversion) {
        conversion = ConversionJSON(recorded)
        reward = RewardJSON(recorded.reward)
    }
}

struct PreferenceBody: Decodable {
    var code: String
}

struct PurchaseBody: Decodable {
    var wallet: String?
    var amount: AmountInput
}

struct RecipientJSON: Encodable {
    var from: Nullable<String>
    var to: String
    var referralCode: Nullable<String>
    var source: PurchaseSource
    var amount: String
    /// A fresh Solana Pay reference (base58 of 32 random bytes) for on-chain verification.
    var reference: String
    var expiresAt: String
    var solanaPayUrl: String
}

struct PurchaseStatusJSON: Encodable {
    var reference: String
    var status: PurchaseReferenceStatus
    var signature: Nullable<String>
    var reason: Nullable<String>
}
