import Logging

/// Solana mode: mints each due reward to its owner's Associated Token Account, as many per
/// transaction as fit in one packet, exactly once.
///
/// The order that makes "exactly once" hold, whatever crashes or times out:
/// 1. A transaction is signed inside the durable database transaction that records its bytes,
///    signature, blockhash and last valid block height and moves its rewards `in-flight`.
/// 2. Only then is it sent. A rerun first settles every recorded payout: finalized → paid;
///    finalized with an error → failed; unknown while the blockhash is valid → the same bytes are
///    sent again; unknown once the finalized block height is past the last valid one (height read
///    before the statuses) → it can never land, and its rewards are released to be signed anew.
struct SolanaPayer {
    /// Signatures per `getSignatureStatuses` call (the method's limit is 256).
    static let statusesPerCall = 256

    let store: ReferralStore
    let rpc: any SolanaRPC
    let builder: PayoutTransactionBuilder
    let crash: CrashPoints
    let logger: Logger
    let now: () -> Int64

    // MARK: - Settling

    /// Settles recorded payouts against the chain (step 2 above).
    func settle(_ payouts: [UnresolvedPayout], report: inout PayoutReport) throws {
        guard !payouts.isEmpty else { return }
        // Height first: if it is past a payout's last valid height *before* the statuses are read,
        // a status that is still unknown can never appear.
        let height = try rpc.blockHeight()
        var statuses: [SignatureStatus?] = []
        for start in stride(from: 0, to: payouts.count, by: Self.statusesPerCall) {
            let chunk = payouts[start..<min(start + Self.statusesPerCall, payouts.count)]
            statuses += try rpc.signatureStatuses(chunk.map(\.signature))
        }
        for (payout, status) in zip(payouts, statuses) {
            try settle(payout, status: status, height: height, report: &report)
        }
    }

    func settle(_ payout: UnresolvedPayout, status: SignatureStatus?, height: UInt64, report: inout PayoutReport) throws
    {
        if let status {
            // Only a finalized block is final: a processed one may still be dropped with its fork.
            guard status.isFinalized else { return }
            if let failure = status.failure {
                let covered = try store.settlePayout(
                    payout.id,
                    as: .failed,
                    failure: .transactionFailed(failure.description),
                    now: now()
                )
                report.failed += covered.count
                logger.error("payout \(payout.id) \(payout.signature) failed on chain: \(failure)")
            } else {
                crash.reach(.afterConfirming)
                let amounts = try store.payoutAmounts(payout.id)
                let covered = try store.settlePayout(payout.id, as: .finalized, now: now())
                report.paid += covered.count
                report.paidAmount += amounts
                logger.info(
                    "payout \(payout.id) \(payout.signature) finalized: rewards \(covered.map(String.init).joined(separator: ", ")) paid (\(amounts) units)"
                )
            }
        } else if height > payout.lastValidBlockHeight {
            if let refusal = payout.refusal {
                let covered = try store.settlePayout(payout.id, as: .failed, failure: .refused(refusal), now: now())
                report.failed += covered.count
            } else {
                let covered = try store.settlePayout(payout.id, as: .expired, now: now())
                report.released += covered.count
                logger.warning("payout \(payout.id) expired unseen: \(covered.count) rewards released for re-signing")
            }
        } else {
            try send(payout, preflight: false)
        }
    }

    // MARK: - Paying

    /// Signs, records and sends transactions for `rewards` (step 1 above).
    ///
    /// - Returns: the payouts this run recorded.
    func pay(_ rewards: [PayableReward], report: inout PayoutReport) throws -> [UnresolvedPayout] {
        let (valid, invalid) = Recipients.split(rewards)
        try store.failRewards(invalid.map(\.id), reason: .invalidRecipient, now: now())
        report.failed += invalid.count
        var pending = try builder.lines(valid)[...]
        var recorded: [UnresolvedPayout] = []
        while !pending.isEmpty {
            let count = try builder.fittingCount(pending)
            let group = Array(pending.prefix(count))
            pending = pending.dropFirst(count)
            let (blockhash, lastValid) = try rpc.latestBlockhash()
            guard let hash = Base58.decode(blockhash, maxBytes: 32), hash.count == 32 else {
                throw RPCError.malformed("blockhash \(blockhash)")
            }
            let payout = try store.recordSignedPayout(group.map { ($0.reward, $0.account) }, now: now()) { payoutID in
                let transaction = try builder.signedTransaction(group, payoutID: payoutID, blockhash: hash)
                crash.reach(.afterSigning)
                return (transaction, blockhash, lastValid)
            }
            guard let payout else { continue }
            crash.reach(.afterRecording)
            recorded.append(payout)
            report.transactions += 1
            try send(payout, preflight: true)
            crash.reach(.afterSending)
        }
        return recorded
    }

    /// Sends a recorded transaction. A refusal is kept on the payout (its rewards fail once the
    /// blockhash has expired); a fault of the network leaves it for the next settle.
    func send(_ payout: UnresolvedPayout, preflight: Bool) throws {
        do {
            _ = try rpc.sendTransaction(payout.wireBytes, skipPreflight: !preflight)
            try store.notePayoutSent(payout.id, refusal: nil, now: now())
        } catch let error where error.isAlreadyProcessed {
            try store.notePayoutSent(payout.id, refusal: nil, now: now())
        } catch let error where error.isRefusal {
            logger.error("payout \(payout.id) refused by the RPC node: \(error)")
            try store.notePayoutSent(payout.id, refusal: "\(error)", now: now())
        }
    }
}

extension Error {
    fileprivate var isAlreadyProcessed: Bool { (self as? RPCError)?.isAlreadyProcessed == true }
    fileprivate var isRefusal: Bool { (self as? RPCError)?.isRefusal == true }
}
