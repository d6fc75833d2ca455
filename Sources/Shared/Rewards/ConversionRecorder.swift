import CSQLite

/// Records conversions under the reward rules of SPEC §4: attribution, self-referral, one
/// conversion per wallet and code, payment reuse, integer reward arithmetic and the fraud rules.
/// The signed API and on-chain purchase verification both record through this one service.
public struct ConversionRecorder: Sendable {
    /// More conversions than this of one code from one IP within 24 h go to review.
    public static let conversionsPerIPPerDay = 3

    public let policy: RewardPolicy

    /// Creates a recorder.
    ///
    /// - Parameter policy: decimals, hold and review threshold.
    public init(policy: RewardPolicy) {
        self.policy = policy
    }

    /// Records one report in one durable transaction (it survives power loss once this returns).
    ///
    /// A report whose `paymentTx` was recorded before is a repeat when every field matches (nothing
    /// is stored) and a refusal otherwise.
    ///
    /// - Parameters:
    ///   - input: the checked report.
    ///   - store: the caller's database connection.
    ///   - now: unix seconds.
    /// - Returns: the outcome; refusals are outcomes, not errors.
    /// - Throws: `SQLiteError` when the database fails.
    public func record(_ input: ConversionInput, in store: ReferralStore, now: Int64) throws -> ConversionOutcome {
        guard let outcome = try record([input], in: store, now: now).first else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "a recorded report left no outcome")
        }
        return try outcome.get()
    }

    /// Records reports in one durable transaction, in order, each in a savepoint of its own: one
    /// fsync for all of them, each report's rows stored or undone together, and each one judged
    /// after the ones before it (a second report of one wallet and code is `alreadyConverted`).
    ///
    /// - Returns: each report's outcome, or the error that undid that report alone.
    /// - Throws: `SQLiteError` when nothing could be stored (the transaction rolled back or did not
    ///   commit).
    public func record(
        _ inputs: [ConversionInput],
        in store: ReferralStore,
        now: Int64
    ) throws -> [Result<ConversionOutcome, any Error>] {
        try store.write(durable: true) {
            try inputs.map { input in
                do {
                    return .success(
                        try store.connection.savepoint { try recordWithinTransaction(input, in: store, now: now) }
                    )
                } catch {
                    // A report that failed alone is undone alone; a transaction SQLite rolled back
                    // whole (disk full) fails every report.
                    guard store.connection.isInTransaction else { throw error }
                    return .failure(error)
                }
            }
        }
    }

    /// Records one report inside the caller's write transaction, so what the caller changes with it
    /// (a verified purchase reference) commits together with the conversion and its event.
    ///
    /// - Throws: `SQLiteError` when the database fails.
    public func recordWithinTransaction(
        _ input: ConversionInput,
        in store: ReferralStore,
        now: Int64
    ) throws -> ConversionOutcome {
        if let paymentTx = input.paymentTx, let previous = try store.recordedConversion(paymentTx: paymentTx) {
            guard Sodium.constantTimeEqual(previous.fingerprint, input.fingerprint) else {
                return .refused(.paymentReused)
            }
            return .repeated(previous.conversion)
        }
        let code: ReferralCodeRecord
        switch try attribution(of: input, in: store) {
        case .success(let found?): code = found
        case .success(nil): return .notAttributed
        case .failure(let refusal): return .refused(refusal)
        }
        let amount: UInt64
        do {
            amount = try RewardCalculator.reward(
                type: code.rewardType,
                value: code.rewardValue,
                amount: input.amount,
                decimals: policy.mintDecimals
            )
        } catch {
            return .refused(.rewardOverflow)
        }
        let reasons = try reviewReasons(input, code: code, reward: amount, store: store, now: now)
        let reward = NewReward(
            wallet: code.wallet,
            amount: amount,
            status: reasons.isEmpty ? .pending : .review,
            holdUntil: now + policy.holdSeconds,
            reviewReasons: reasons
        )
        let recorded = try store.insertConversion(input, code: code, reward: reward, now: now)
        try store.recordEvent(.conversionRecorded, ConversionRecordedData(recorded), now: now)
        return .recorded(recorded)
    }

    /// The code the conversion belongs to: the one named, else the referred wallet's preference;
    /// nil when there is neither (not attributed), or the rule that refuses it.
    func attribution(
        of input: ConversionInput,
        in store: ReferralStore
    ) throws -> Result<ReferralCodeRecord?, ConversionRefusal> {
        let code: ReferralCodeRecord
        if let named = input.code {
            guard let found = try store.activeCode(named: named) else { return .failure(.invalidCode) }
            code = found
        } else {
            // A preference that points at a deactivated code attributes nothing.
            guard let preferred = try store.preferredCode(wallet: input.referredWallet), preferred.active else {
                return .success(nil)
            }
            code = preferred
        }
        guard code.wallet != input.referredWallet else { return .failure(.selfReferral) }
        guard try !store.hasConversion(codeID: code.id, referredWallet: input.referredWallet) else {
            return .failure(.alreadyConverted)
        }
        return .success(code)
    }

    /// The fraud rules that fire (SPEC §4), in a fixed order.
    func reviewReasons(
        _ input: ConversionInput,
        code: ReferralCodeRecord,
        reward: UInt64,
        store: ReferralStore,
        now: Int64
    ) throws -> [ReviewReason] {
        var reasons: [ReviewReason] = []
        if let ip = input.ip {
            if try store.hasSignedIn(wallet: code.wallet, ip: ip) { reasons.append(.referrerIP) }
            if try store.conversionCount(codeID: code.id, ip: ip, since: now - 86_400) >= Self.conversionsPerIPPerDay {
                reasons.append(.ipVelocity)
            }
        }
        if let limit = policy.reviewAbove, reward > limit { reasons.append(.highValue) }
        return reasons
    }
}
