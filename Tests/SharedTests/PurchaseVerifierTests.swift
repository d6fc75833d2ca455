import Testing

@testable import Shared

/// A node that knows some signatures per address (newest first) and their transactions.
final class FakeHistoryRPC: SolanaHistoryRPC {
    var signaturesByAddress: [String: [SignatureInfo]] = [:]
    var transactions: [String: ConfirmedTransaction] = [:]
    var failNextCalls = 0
    private(set) var calls: [String] = []

    func signatures(for address: PublicKey, before: String?, limit: Int) throws(RPCError) -> [SignatureInfo] {
        calls.append("getSignaturesForAddress")
        if failNextCalls > 0 {
            failNextCalls -= 1
            throw .http(status: 503, body: "")
        }
        var list = signaturesByAddress[address.base58] ?? []
        if let before, let index = list.firstIndex(where: { $0.signature == before }) {
            list = Array(list[(index + 1)...])
        }
        return Array(list.prefix(limit))
    }

    func transaction(_ signature: String) throws(RPCError) -> ConfirmedTransaction? {
        calls.append("getTransaction")
        return transactions[signature]
    }

    /// Adds a transaction as the newest one carrying `reference`.
    func land(_ transaction: ConfirmedTransaction, carrying reference: String) {
        let signature = transaction.signature!
        transactions[signature] = transaction
        let info = SignatureInfo(signature: signature, slot: 1, err: nil, blockTime: transaction.blockTime)
        signaturesByAddress[reference, default: []].insert(info, at: 0)
    }
}

/// `referral-payout verify` in process: the chain's answers from a fake node, the rules real.
struct PurchaseVerifierTests {
    let directory = TemporaryDirectory()
    let owner = PaymentCheckTests.key()
    let buyer = PaymentCheckTests.key()
    let vault = PaymentCheckTests.key()
    let now: Int64 = 1_700_000_000
    let rpc = FakeHistoryRPC()
    let recorder = ConversionRecorder(policy: RewardPolicy(mintDecimals: 6, holdDays: 7, reviewAbove: nil))

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func verifier(_ store: ReferralStore, at time: Int64? = nil) -> PurchaseVerifier {
        let clock = time ?? now
        return PurchaseVerifier(store: store, rpc: rpc, recorder: recorder, now: { clock })
    }

    /// A reference quoted for `amount` lamports to the code's vault (or the foundation).
    func quote(_ store: ReferralStore, amount: UInt64 = 1_000_000, viaCode: Bool = true) throws -> String {
        var codeID: Int64?
        if viaCode {
            let code =
                try store.findCode("CODE1")
                ?? store.insertCode(
                    ReferralCodeRecord(code: "CODE1", wallet: owner, rewardType: .token, rewardValue: 5, createdAt: now)
                )
            codeID = code?.id
        }
        let reference = PaymentCheckTests.key()
        try store.insertPurchaseReference(
            reference,
            recipient: vault,
            codeID: codeID,
            source: viaCode ? .cookie : .default,
            buyer: nil,
            amount: amount,
            mint: nil,
            expiresAt: now + 3_600,
            now: now
        )
        return reference
    }

    func payment(
        _ signature: String,
        from payer: String? = nil,
        lamports: UInt64 = 1_000_000,
        at time: Int64? = nil,
        reference: String
    )
        throws -> ConfirmedTransaction
    {
        try TransactionFixture.make(
            signature: signature,
            keys: [payer ?? buyer, vault, reference],
            lamports: [(9_000_000_000, 9_000_000_000 - lamports - 5_000), (0, lamports), (0, 0)],
            blockTime: time ?? now + 60
        )
    }

    func count(_ store: ReferralStore, _ table: String) throws -> Int64 {
        try store.connection.statement("SELECT count(*) FROM \(table)").firstRow { $0.int64(0) } ?? -1
    }

    @Test func aProvenPaymentRecordsOneConversionAndVerifiesTheReference() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-paid", reference: reference), carrying: reference)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(verified: 1))
        #expect(
            try store.purchaseReference(reference)
                == PurchaseReferenceState(reference: reference, status: .verified, signature: "sig-paid", reason: nil)
        )
        let conversion = try #require(try store.recordedConversion(paymentTx: "sig-paid"))
        #expect(conversion.conversion.referrer == owner)
        #expect(try count(store, "rewards") == 1)
        #expect(try count(store, "webhook_events WHERE type = 'conversion.recorded'") == 1)
        #expect(rpc.calls == ["getSignaturesForAddress", "getTransaction"])
        // Rerun: nothing open, nothing asked, nothing twice.
        #expect(try verifier(store).run(limit: 10) == VerifyReport())
        #expect(try count(store, "rewards") == 1)
        // The platform's later signed report of the same payment is a repeat.
        let report = ConversionInput(
            code: "CODE1",
            referredWallet: buyer,
            action: .purchase,
            amount: 1_000_000,
            paymentTx: "sig-paid"
        )
        guard case .repeated = try recorder.record(report, in: store, now: now + 120) else {
            Issue.record("not a repeat")
            return
        }
        #expect(try count(store, "rewards") == 1)
    }

    @Test func theOldestTransactionIsThePayment() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-short", lamports: 10, reference: reference), carrying: reference)
        rpc.land(try payment("sig-full", reference: reference), carrying: reference)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(rejected: 1))
        #expect(
            try store.purchaseReference(reference)
                == PurchaseReferenceState(
                    reference: reference,
                    status: .rejected,
                    signature: "sig-short",
                    reason: "underpaid"
                )
        )
        #expect(try count(store, "rewards") == 0)
    }

    @Test func fullPagesAreFollowedWithBefore() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-first", reference: reference), carrying: reference)
        for index in 0..<1_500 {
            rpc.land(try payment("sig-\(index)", lamports: 1, reference: reference), carrying: reference)
        }
        #expect(try verifier(store).run(limit: 10) == VerifyReport(verified: 1))
        #expect(try store.purchaseReference(reference)?.signature == "sig-first")
        #expect(rpc.calls == ["getSignaturesForAddress", "getSignaturesForAddress", "getTransaction"])
    }

    @Test func selfReferralThroughAVerifiedPurchaseIsRejectedWithItsCode() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-self", from: owner, reference: reference), carrying: reference)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(rejected: 1))
        #expect(try store.purchaseReference(reference)?.reason == "self-referral")
        #expect(try count(store, "conversions") == 0)
    }

    @Test func aFoundationPurchaseIsVerifiedWithoutAConversion() throws {
        let store = try makeStore()
        let reference = try quote(store, viaCode: false)
        rpc.land(try payment("sig-foundation", reference: reference), carrying: reference)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(verified: 1))
        #expect(try count(store, "conversions") == 0)
    }

    @Test func noPaymentStaysOpenUntilTheExpiryThenExpires() throws {
        let store = try makeStore()
        let reference = try quote(store)
        #expect(try verifier(store, at: now + 3_600).run(limit: 10) == VerifyReport(stillOpen: 1))
        #expect(try verifier(store, at: now + 3_601).run(limit: 10) == VerifyReport(expired: 1))
        #expect(try store.purchaseReference(reference)?.status == .expired)
    }

    @Test func aPaymentAfterTheExpiryExpiresTheReference() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-late", at: now + 3_601, reference: reference), carrying: reference)
        #expect(try verifier(store, at: now + 4_000).run(limit: 10) == VerifyReport(expired: 1))
        #expect(
            try store.purchaseReference(reference)
                == PurchaseReferenceState(
                    reference: reference,
                    status: .expired,
                    signature: "sig-late",
                    reason: "paid-after-expiry"
                )
        )
    }

    @Test func anRPCFaultLeavesEverythingOpenForTheNextRun() throws {
        let store = try makeStore()
        let reference = try quote(store)
        rpc.land(try payment("sig-paid", reference: reference), carrying: reference)
        rpc.failNextCalls = 1
        #expect(throws: RPCError.self) { try verifier(store).run(limit: 10) }
        #expect(try store.purchaseReference(reference)?.status == .open)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(verified: 1))
        #expect(try count(store, "rewards") == 1)
    }

    @Test func oneSignatureCarryingTwoReferencesRewardsOnce() throws {
        let store = try makeStore()
        let first = try quote(store)
        let second = try quote(store)
        let both = try TransactionFixture.make(
            signature: "sig-both",
            keys: [buyer, vault, first, second],
            lamports: [(9_000_000_000, 8_998_995_000), (0, 1_000_000), (0, 0), (0, 0)],
            blockTime: now + 60
        )
        rpc.land(both, carrying: first)
        rpc.land(both, carrying: second)
        #expect(try verifier(store).run(limit: 10) == VerifyReport(verified: 2))
        #expect(try store.purchaseReference(second)?.signature == "sig-both")
        #expect(try count(store, "rewards") == 1)
    }
}
