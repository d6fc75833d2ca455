/// A sysadmin's decision on a reward, bound to `reward_decisions.decision`.
public enum RewardDecision: String, Sendable, CaseIterable {
    /// Out of review: paid once its hold has passed.
    case approved
    /// Never paid.
    case rejected
}

/// What a review decision came to.
public enum ReviewOutcome: Sendable, Equatable {
    /// Decided and kept; the reward as it is now.
    case decided(RewardListing)
    /// No reward has that id.
    case notFound
    /// The reward's status does not allow the decision (say, rejecting a paid reward).
    case notAllowed(RewardStatus)
}

/// Review decisions on rewards (SPEC §7 `rewards approve|reject`): each one moves the reward and is
/// kept with its time and reason, in one durable transaction.
public enum RewardReview {
    /// Statuses a reward can be rejected from: anything not yet handed to a payout.
    public static let rejectable: [RewardStatus] = [.pending, .review, .approved]

    /// Approves a reward in review: it is paid once its hold has passed.
    ///
    /// - Throws: `SQLiteError`.
    public static func approve(
        _ id: Int64,
        reason: String?,
        in store: ReferralStore,
        now: Int64
    ) throws
        -> ReviewOutcome
    {
        try decide(id, .approved, reason: reason, from: [.review], in: store, now: now)
    }

    /// Rejects a reward that is not in a payout yet: it is never paid.
    ///
    /// - Throws: `SQLiteError`.
    public static func reject(
        _ id: Int64,
        reason: String,
        in store: ReferralStore,
        now: Int64
    ) throws
        -> ReviewOutcome
    {
        try decide(id, .rejected, reason: reason, from: rejectable, in: store, now: now)
    }

    static func decide(
        _ id: Int64,
        _ decision: RewardDecision,
        reason: String?,
        from allowed: [RewardStatus],
        in store: ReferralStore,
        now: Int64
    ) throws -> ReviewOutcome {
        try store.write(durable: true) {
            guard let current = try store.rewardListing(id: id) else { return .notFound }
            guard allowed.contains(current.status) else { return .notAllowed(current.status) }
            let status: RewardStatus = decision == .approved ? .approved : .rejected
            try store.connection.statement("UPDATE rewards SET status = ?, reason = ?, updated_at = ? WHERE id = ?")
                .execute([SQLiteValue(status), reason.map(SQLiteValue.text), .integer(now), .integer(id)])
            try store.connection.statement(
                "INSERT INTO reward_decisions (reward_id, decision, reason, decided_at) VALUES (?, ?, ?, ?)"
            ).execute([.integer(id), SQLiteValue(decision), reason.map(SQLiteValue.text), .integer(now)])
            guard let decided = try store.rewardListing(id: id) else { return .notFound }
            try store.recordEvent(
                decision == .approved ? .rewardApproved : .rewardRejected,
                RewardDecidedData(decided),
                now: now
            )
            return .decided(decided)
        }
    }
}
