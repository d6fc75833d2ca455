import FoundationEssentials

// Optional fields are `Nullable`: written as null, so every documented field is always present.

/// The events the platform hears about (SPEC §8), bound to `webhook_events.type`.
public enum WebhookEventType: String, Sendable, CaseIterable, Codable {
    case conversionRecorded = "conversion.recorded"
    case rewardApproved = "reward.approved"
    case rewardRejected = "reward.rejected"
    case rewardPaid = "reward.paid"
    case payoutFailed = "payout.failed"
}

/// `conversion.recorded`'s data.
struct ConversionRecordedData: Encodable {
    struct Reward: Encodable {
        var amount: String
        var status: RewardStatus
        var holdUntil: String
    }
    var conversionId: Int64
    var rewardId: Int64
    var code: String
    var referrer: String
    var referredWallet: String
    var action: ConversionAction
    var amount: String
    var paymentTx: Nullable<String>
    var reward: Reward

    init(_ conversion: RecordedConversion) {
        conversionId = conversion.id
        rewardId = conversion.reward.id
        code = conversion.code
        referrer = conversion.referrer
        referredWallet = conversion.referredWallet
        action = conversion.action
        amount = String(conversion.amount)
        paymentTx = Nullable(conversion.paymentTx)
        reward = Reward(
            amount: String(conversion.reward.amount),
            status: conversion.reward.status,
            holdUntil: Timestamp.iso8601(conversion.reward.holdUntil)
        )
    }
}

/// `reward.approved` and `reward.rejected`'s data.
struct RewardDecidedData: Encodable {
    var rewardId: Int64
    var conversionId: Int64
    var code: String
    var wallet: String
    var amount: String
    var status: RewardStatus
    var reason: Nullable<String>

    init(_ reward: RewardListing) {
        rewardId = reward.id
        conversionId = reward.conversionId
        code = reward.code
        wallet = reward.wallet
        amount = reward.amount
        status = reward.status
        reason = Nullable(reward.reason)
    }
}

/// `reward.paid`'s data: the ledger entry, or the finalized transaction's signature.
struct RewardPaidData: Encodable {
    var rewardId: Int64
    var wallet: String
    var amount: String
    var mode: PayoutMode
    /// The finalized transaction's signature (solana mode), else null.
    var signature: Nullable<String>
    /// The ledger entry (ledger mode), else null.
    var ledgerEntry: Nullable<String>
    var paidAt: String
}

/// `payout.failed`'s data.
struct PayoutFailedData: Encodable {
    var rewardId: Int64
    var wallet: String
    var amount: String
    var reason: String
}

/// The body sent: `{"type", "timestamp", "data"}` (Standard Webhooks), amounts as decimal strings.
struct WebhookBody<Data: Encodable>: Encodable {
    var type: WebhookEventType
    var timestamp: String
    var data: Data
}
