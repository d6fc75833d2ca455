/// `referral-payout verify`: finds the payment of each open reference on chain and concludes it
/// (SPEC §9). Accepted purchases go through the same `ConversionRecorder` as the signed API, in
/// the same transaction as the reference's new status, so a rerun after any failure finds the
/// reference either still open or concluded with its conversion — never one without the other.
public struct PurchaseVerifier {
    /// Pages of `getSignaturesForAddress` read per reference before giving up for this run (a
    /// reference carried by more than 10 000 transactions is an attack, not a purchase).
    public static let pagesPerReference = 10
    static let pageSize = 1_000

    let store: ReferralStore
    let rpc: any SolanaHistoryRPC
    let recorder: ConversionRecorder
    let now: () -> Int64
    let crash: CrashPoints

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - store: the database.
    ///   - rpc: the node.
    ///   - recorder: the reward rules, shared with the signed API.
    ///   - now: the clock, unix seconds.
    ///   - crash: test crash points (unarmed in production).
    public init(
        store: ReferralStore,
        rpc: any SolanaHistoryRPC,
        recorder: ConversionRecorder,
        now: @escaping () -> Int64,
        crash: CrashPoints = CrashPoints(environment: [:])
    ) {
        self.store = store
        self.rpc = rpc
        self.recorder = recorder
        self.now = now
        self.crash = crash
    }

    /// Concludes what it can of up to `limit` open references.
    ///
    /// - Throws: `RPCError` (the references not reached stay open for the next run), `SQLiteError`.
    public func run(limit: Int) throws -> VerifyReport {
        var report = VerifyReport()
        for reference in try store.openPurchaseReferences(limit: limit) {
            report.count(try verify(reference))
        }
        return report
    }

    /// Looks one reference up and concludes it when the chain has the answer.
    ///
    /// - Throws: `RPCError`, `SQLiteError`.
    public func verify(_ reference: OpenPurchaseReference) throws -> VerifyReport.Fate {
        guard let key = PublicKey(base58: reference.reference) else {
            return try conclude(reference, .rejected, signature: nil, reason: "unreadable-reference")
        }
        guard let oldest = try oldestSignature(carrying: key) else {
            return now() > reference.expiresAt
                ? try conclude(reference, .expired, signature: nil, reason: nil) : .stillOpen
        }
        // A finalized signature whose transaction the node cannot give yet: ask again next run.
        guard let transaction = try rpc.transaction(oldest) else { return .stillOpen }
        switch reference.check.verdict(on: transaction) {
        case .late:
            return try conclude(reference, .expired, signature: oldest, reason: "paid-after-expiry")
        case .rejected(let rejection):
            return try conclude(reference, .rejected, signature: oldest, reason: rejection.rawValue)
        case .accepted(let buyer, let received):
            return try accept(reference, signature: oldest, buyer: buyer, received: received)
        }
    }

    /// The oldest finalized signature that mentions `key`, paging back with `before` while pages
    /// are full.
    func oldestSignature(carrying key: PublicKey) throws(RPCError) -> String? {
        var before: String?
        var oldest: String?
        for _ in 0..<Self.pagesPerReference {
            let page = try rpc.signatures(for: key, before: before, limit: Self.pageSize)
            guard let last = page.last else { break }
            oldest = last.signature
            guard page.count == Self.pageSize else { break }
            before = last.signature
        }
        return oldest
    }

    /// Records the purchase of a reference routed through a code as SPEC §4 would, and verifies
    /// the reference in the same transaction; a reference routed to the foundation records nothing.
    func accept(
        _ reference: OpenPurchaseReference,
        signature: String,
        buyer: String,
        received: UInt64
    ) throws -> VerifyReport.Fate {
        let time = now()
        let fate = try store.write(durable: true) {
            var status = PurchaseReferenceStatus.verified
            var reason: String?
            if let code = reference.code {
                let input = ConversionInput(
                    code: code,
                    referredWallet: buyer,
                    action: .purchase,
                    amount: received,
                    paymentTx: signature
                )
                switch try recorder.recordWithinTransaction(input, in: store, now: time) {
                case .recorded, .repeated, .notAttributed, .refused(.paymentReused):
                    // Already reported (with the same fields or not): the payment is proven, and
                    // the paymentTx rule keeps it from rewarding twice.
                    break
                case .refused(let refusal):
                    status = .rejected
                    reason = refusal.rawValue
                }
            }
            let fate = try mark(reference, status, signature: signature, reason: reason, now: time)
            crash.reach(.verifyBeforeCommit)
            return fate
        }
        crash.reach(.verifyAfterCommit)
        return fate
    }

    /// Concludes the reference in a transaction of its own.
    func conclude(
        _ reference: OpenPurchaseReference,
        _ status: PurchaseReferenceStatus,
        signature: String?,
        reason: String?
    ) throws -> VerifyReport.Fate {
        let time = now()
        return try store.write { try mark(reference, status, signature: signature, reason: reason, now: time) }
    }

    /// Concludes the reference inside the caller's write transaction.
    func mark(
        _ reference: OpenPurchaseReference,
        _ status: PurchaseReferenceStatus,
        signature: String?,
        reason: String?,
        now time: Int64
    ) throws -> VerifyReport.Fate {
        let changed = try store.concludePurchaseReference(
            reference.reference,
            as: status,
            signature: signature,
            reason: reason,
            now: time
        )
        return changed ? VerifyReport.Fate(status) : .stillOpen
    }
}
