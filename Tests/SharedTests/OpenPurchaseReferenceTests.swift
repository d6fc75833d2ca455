import Testing

@testable import Shared

/// The verifier's view of the references table: what is open, and concluding each only once.
struct OpenPurchaseReferenceTests {
    let directory = TemporaryDirectory()
    let recipient = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func insert(_ store: ReferralStore, _ reference: String, expiresAt: Int64, amount: UInt64 = 5) throws {
        try store.insertPurchaseReference(
            reference,
            recipient: recipient,
            codeID: nil,
            source: .default,
            buyer: nil,
            amount: amount,
            mint: nil,
            expiresAt: expiresAt,
            now: 100
        )
    }

    @Test func openReferencesComeSoonestToExpireFirstWithTheirRoute() throws {
        let store = try makeStore()
        try insert(store, "later", expiresAt: 3_000)
        try insert(store, "sooner", expiresAt: 2_000, amount: UInt64.max)
        let open = try store.openPurchaseReferences(limit: 10)
        #expect(open.map(\.reference) == ["sooner", "later"])
        #expect(
            open[0]
                == OpenPurchaseReference(
                    reference: "sooner",
                    recipient: recipient,
                    codeID: nil,
                    code: nil,
                    source: .default,
                    amount: UInt64.max,
                    mint: nil,
                    expiresAt: 2_000
                )
        )
        #expect(try store.openPurchaseReferences(limit: 1).count == 1)
    }

    @Test func aReferenceIsConcludedOnceAndThenLeavesTheOpenList() throws {
        let store = try makeStore()
        try insert(store, "paid", expiresAt: 3_000)
        let first = try store.write {
            try store.concludePurchaseReference("paid", as: .verified, signature: "sig1", reason: nil, now: 200)
        }
        let again = try store.write {
            try store.concludePurchaseReference("paid", as: .rejected, signature: "sig2", reason: "underpaid", now: 300)
        }
        #expect(first && !again)
        #expect(
            try store.purchaseReference("paid")
                == PurchaseReferenceState(reference: "paid", status: .verified, signature: "sig1", reason: nil)
        )
        #expect(try store.openPurchaseReferences(limit: 10).isEmpty)
    }

    @Test func withoutANodeOnlyReferencesPastTheirExpiryExpire() throws {
        let store = try makeStore()
        try insert(store, "past", expiresAt: 1_000)
        try insert(store, "due", expiresAt: 2_000)
        try insert(store, "paid", expiresAt: 500)
        _ = try store.write {
            try store.concludePurchaseReference("paid", as: .verified, signature: "sig", reason: nil, now: 400)
        }
        #expect(try store.expirePurchaseReferences(before: 2_000) == 1)
        #expect(try store.purchaseReference("past")?.status == .expired)
        #expect(try store.purchaseReference("due")?.status == .open)
        #expect(try store.purchaseReference("paid")?.status == .verified)
    }

    @Test func aReferenceWhoseAmountDoesNotReadBackIsNeverJudged() throws {
        let store = try makeStore()
        try insert(store, "corrupt", expiresAt: 3_000)
        try insert(store, "fine", expiresAt: 4_000)
        try store.connection.execute("UPDATE purchase_references SET amount = 'x' WHERE reference = 'corrupt'")
        #expect(try store.openPurchaseReferences(limit: 10).map(\.reference) == ["fine"])
    }
}
