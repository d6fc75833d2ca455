import Logging
import Testing

@testable import Shared

/// The payout state machine in process: temp database, fixed clock, a fake node.
struct SolanaPayerTests {
    let directory = TemporaryDirectory()
    let now: Int64 = 1_800_000_000
    let rpc = FakeSolanaRPC()
    let authority = Keypair(seed: Sodium.sha256(Array("authority".utf8)))!
    let mint = Keypair(seed: Sodium.sha256(Array("mint".utf8)))!.publicKey

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func makePayer(_ store: ReferralStore) -> SolanaPayer {
        SolanaPayer(
            store: store,
            rpc: rpc,
            builder: PayoutTransactionBuilder(signer: authority, mint: mint, decimals: 6, priorityFee: 0),
            crash: CrashPoints(environment: [:]),
            logger: Logger(label: "test"),
            now: { now }
        )
    }

    /// `count` due rewards of `amount`, each to a wallet of its own (or all to `wallet`), recorded
    /// through the reward service as the API records them.
    @discardableResult
    func makeRewards(_ store: ReferralStore, count: Int, amount: UInt64 = 100, wallet: String? = nil) throws -> [Int64]
    {
        let recorder = ConversionRecorder(policy: RewardPolicy(mintDecimals: 6, holdDays: 0))
        var ids: [Int64] = []
        let offset = try store.connection.statement("SELECT count(*) FROM rewards").firstRow { $0.int(0) } ?? 0
        for index in offset..<offset + count {
            let owner = wallet ?? Keypair(seed: Sodium.sha256(Array("owner-\(index)".utf8)))!.publicKey.base58
            let code = "CODE\(index)"
            _ = try store.insertCode(
                ReferralCodeRecord(code: code, wallet: owner, rewardType: .fixed, rewardValue: amount, createdAt: now)
            )
            let buyer = Keypair(seed: Sodium.sha256(Array("buyer-\(index)".utf8)))!.publicKey.base58
            let input = ConversionInput(code: code, referredWallet: buyer, action: .purchase, amount: 1)
            guard case .recorded(let conversion) = try recorder.record(input, in: store, now: now) else {
                throw SQLiteError(code: 1, message: "not recorded")
            }
            ids.append(conversion.reward.id)
        }
        return ids
    }

    /// A store with `count` due rewards, paid once by a payer while the node drops `dropping`
    /// sends: the payer and what it recorded.
    func payOnce(rewards count: Int, dropping: Int) throws -> (ReferralStore, SolanaPayer, [UnresolvedPayout]) {
        let store = try makeStore()
        try makeRewards(store, count: count)
        rpc.dropSends = dropping
        var report = PayoutReport()
        let payer = makePayer(store)
        return (store, payer, try payer.pay(try store.payableRewards(now: now, limit: 10), report: &report))
    }

    /// One settle of every unresolved payout.
    @discardableResult
    func settle(_ store: ReferralStore, _ payer: SolanaPayer) throws -> PayoutReport {
        var report = PayoutReport()
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        return report
    }

    func statuses(_ store: ReferralStore) throws -> [String] {
        try store.connection.statement("SELECT status FROM rewards ORDER BY id").rows { $0.text(0) ?? "" }
    }

    @Test func eachTransactionIsRecordedBeforeItIsSent() throws {
        let store = try makeStore()
        try makeRewards(store, count: 25)
        let reader = try SQLiteConnection(path: directory.file("db.sqlite"))
        var recordedAtSend: [Bool] = []
        rpc.onSend = { signature in
            let state = try? reader.statement("SELECT state FROM payouts WHERE signature = ?")
                .firstRow([.text(signature)]) { $0.text(0) }
            recordedAtSend.append(state == "signed")
        }
        var report = PayoutReport()
        let payer = makePayer(store)
        let due = try store.payableRewards(now: now, limit: 100)
        let recorded = try payer.pay(due, report: &report)
        #expect(recorded.count == 3)  // 10 + 10 + 5 distinct owners
        #expect(recordedAtSend == [true, true, true])
        #expect(try statuses(store) == Array(repeating: "in-flight", count: 25))
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        #expect(report.paid == 25 && report.paidAmount == 2_500)
        #expect(try statuses(store) == Array(repeating: "paid", count: 25))
    }

    @Test func theBlockHeightIsReadBeforeTheStatuses() throws {
        let store = try makeStore()
        try makeRewards(store, count: 1)
        rpc.dropSends = 1
        var report = PayoutReport()
        let payer = makePayer(store)
        _ = try payer.pay(try store.payableRewards(now: now, limit: 10), report: &report)
        rpc.calls.removeAll()
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        #expect(Array(rpc.calls.prefix(2)) == ["getBlockHeight", "getSignatureStatuses"])
    }

    @Test func anUnknownTransactionIsResentAsItIsWhileValidThenReleasedOnceExpired() throws {
        let store = try makeStore()
        try makeRewards(store, count: 2)
        rpc.dropSends = 2
        var report = PayoutReport()
        let payer = makePayer(store)
        let first = try payer.pay(try store.payableRewards(now: now, limit: 10), report: &report)
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        // The resend is the same signature, without preflight.
        #expect(rpc.sends.map(\.signature) == [first[0].signature, first[0].signature])
        #expect(rpc.sends.last?.skipPreflight == true)
        #expect(try statuses(store) == ["in-flight", "in-flight"])
        rpc.height = first[0].lastValidBlockHeight + 1
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        #expect(report.released == 2)
        #expect(try statuses(store) == ["pending", "pending"])
        let again = try payer.pay(try store.payableRewards(now: now, limit: 10), report: &report)
        #expect(again[0].signature != first[0].signature)
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        #expect(try statuses(store) == ["paid", "paid"])
        let states = try store.connection.statement("SELECT state FROM payouts ORDER BY id").rows { $0.text(0) ?? "" }
        #expect(states == ["expired", "finalized"])
    }

    @Test func onlyAFinalizedStatusSettles() throws {
        let (store, payer, payouts) = try payOnce(rewards: 1, dropping: 1)
        rpc.statuses[payouts[0].signature] = SignatureStatus(slot: 2, err: nil, confirmationStatus: "confirmed")
        rpc.height = payouts[0].lastValidBlockHeight + 10
        try settle(store, payer)
        #expect(try statuses(store) == ["in-flight"])
        rpc.statuses[payouts[0].signature]?.confirmationStatus = "finalized"
        try settle(store, payer)
        #expect(try statuses(store) == ["paid"])
    }

    @Test func aTransactionThatFailedOnChainFailsItsRewardsWithTheError() throws {
        let (store, payer, payouts) = try payOnce(rewards: 1, dropping: 1)
        rpc.statuses[payouts[0].signature] = SignatureStatus(
            slot: 2,
            err: .object(["InstructionError": .array([.integer(3), .object(["Custom": .integer(4)])])]),
            confirmationStatus: "finalized"
        )
        try settle(store, payer)
        let reason = try store.connection.statement("SELECT reason FROM rewards").firstRow { $0.text(0) }
        #expect(try statuses(store) == ["failed"])
        #expect(reason == #"transaction-failed: {"InstructionError":[3,{"Custom":4}]}"#)
    }

    @Test func aRefusedTransactionFailsItsRewardsOnlyOnceItCanNoLongerLand() throws {
        rpc.sendError = .server(code: -32002, message: "Transaction simulation failed: boom", data: nil)
        let (store, payer, payouts) = try payOnce(rewards: 1, dropping: 1)
        try settle(store, payer)
        #expect(try statuses(store) == ["in-flight"])
        rpc.dropSends = 100
        rpc.height = payouts[0].lastValidBlockHeight + 1
        try settle(store, payer)
        let reason = try store.connection.statement("SELECT reason FROM rewards").firstRow { $0.text(0) ?? "" }
        #expect(try statuses(store) == ["failed"])
        #expect(reason?.hasPrefix("rpc-refused: RPC error -32002") == true)
    }

    @Test func identicalRewardsInSeparatePayoutsGetDifferentSignatures() throws {
        let store = try makeStore()
        let wallet = authority.publicKey.base58
        try makeRewards(store, count: 2, amount: 500, wallet: wallet)
        var report = PayoutReport()
        let payer = makePayer(store)
        let due = try store.payableRewards(now: now, limit: 10)
        let first = try payer.pay([due[0]], report: &report)
        rpc.blockhashes -= 1  // the same blockhash again, as within one slot
        let second = try payer.pay([due[1]], report: &report)
        #expect(first[0].signature != second[0].signature)
    }

    @Test func anOffCurveWalletFailsAloneAsAnInvalidRecipient() throws {
        let store = try makeStore()
        let pda = try #require(PublicKey.findProgramAddress(seeds: [[1]], programID: .tokenProgram)).0
        try makeRewards(store, count: 1)
        try makeRewards(store, count: 1, wallet: pda.base58)
        var report = PayoutReport()
        let payer = makePayer(store)
        _ = try payer.pay(try store.payableRewards(now: now, limit: 10), report: &report)
        try payer.settle(try store.unresolvedPayouts(), report: &report)
        #expect(try statuses(store) == ["paid", "failed"])
        let reason = try store.connection.statement("SELECT reason FROM rewards WHERE status = 'failed'").firstRow {
            $0.text(0)
        }
        #expect(reason == "invalid-recipient")
    }
}

struct LedgerPayerTests {
    let directory = TemporaryDirectory()

    @Test func eachRewardBecomesOneEntryPaidInTheSameTransaction() throws {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        let recorder = ConversionRecorder(policy: RewardPolicy(mintDecimals: 6, holdDays: 1))
        let owner = try #require(Keypair(seed: Sodium.sha256([9]))).publicKey.base58
        _ = try store.insertCode(ReferralCodeRecord(code: "LEDGER1", wallet: owner, createdAt: 0))
        for index in 0..<3 {
            let buyer = try #require(Keypair(seed: Sodium.sha256([UInt8(index)]))).publicKey.base58
            _ = try recorder.record(
                ConversionInput(code: "LEDGER1", referredWallet: buyer, action: .mint, amount: 1),
                in: store,
                now: 1_000 * Int64(index)
            )
        }
        var report = PayoutReport()
        // At 86_400 + 1_000 only the first two have passed their one-day hold.
        let due = try store.payableRewards(now: 87_400, limit: 10)
        try LedgerPayer(store: store, logger: Logger(label: "test")).pay(due, now: 87_400, report: &report)
        #expect(report.paid == 2 && report.paidAmount == 10_000_000)
        let entries = try store.connection.statement(
            "SELECT p.ledger_entry, r.status FROM rewards r LEFT JOIN payouts p ON p.id = r.payout_id ORDER BY r.id"
        ).rows { "\($0.text(0) ?? "-") \($0.text(1) ?? "")" }
        #expect(entries == ["ledger-1 paid", "ledger-2 paid", "- pending"])
        #expect(try store.payableRewards(now: 87_400, limit: 10).isEmpty)
    }
}
