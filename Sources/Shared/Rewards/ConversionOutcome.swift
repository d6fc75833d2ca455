/// What recording a conversion report came to.
public enum ConversionOutcome: Sendable, Equatable {
    /// Stored now, together with its reward.
    case recorded(RecordedConversion)
    /// The same report (same `paymentTx`, same fields) was recorded before; nothing new is stored.
    case repeated(RecordedConversion)
    /// No code was named and the referred wallet has no usable preferred vault.
    case notAttributed
    /// The rules refuse it; nothing is stored.
    case refused(ConversionRefusal)
}

/// Why the reward rules refuse a conversion (SPEC §4), with the contract's error codes.
public enum ConversionRefusal: String, Error, Sendable, Equatable, CaseIterable {
    /// The named code is unknown or inactive.
    case invalidCode = "invalid-code"
    /// The referred wallet owns the code.
    case selfReferral = "self-referral"
    /// The referred wallet already converted through this code.
    case alreadyConverted = "already-converted"
    /// The `paymentTx` was used by a conversion with other fields.
    case paymentReused = "payment-reused"
    /// The reward does not fit in 64 bits.
    case rewardOverflow = "reward-overflow"
}
