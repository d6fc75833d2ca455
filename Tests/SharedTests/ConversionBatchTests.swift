import Testing

@testable import Shared

/// Reports recorded together (`ConversionRecorder.record(_:in:now:)` with several inputs): one
/// durable transaction, each report in a savepoint, each judged after the ones before it.
extension ConversionRecorderTests {
    func rowCounts(_ store: ReferralStore) throws -> [Int] {
        try ["conversions", "rewards", "webhook_events"].map { table in
            try store.connection.statement("SELECT count(*) FROM \(table)").firstRow { $0.int(0) } ?? -1
        }
    }

    @Test func reportsRecordedTogetherAreJudgedInOrder() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        let outcomes = try recorder.record(
            [purchase(paymentTx: "tx-1"), purchase(paymentTx: "tx-2"), purchase(paymentTx: "tx-1")],
            in: store,
            now: now
        ).map { try $0.get() }
        guard case .recorded(let first) = outcomes[0] else {
            Issue.record("not recorded: \(outcomes[0])")
            return
        }
        // The same wallet through the same code again: refused, as if reported after the first.
        #expect(outcomes[1] == .refused(.alreadyConverted))
        // The first report again (same paymentTx, same fields): a repeat of what the batch stored.
        #expect(outcomes[2] == .repeated(first))
        #expect(try rowCounts(store) == [1, 1, 1])
    }

    /// A report that fails in the database (here a trigger refusing its wallet) is undone alone:
    /// no conversion, reward or event of it; the others commit.
    @Test func aReportThatFailsIsUndoneAloneAndTheOthersCommit() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        let refused = "8Kag3uE4iqMvjeDTW4SNcMPaGXFyUjCQtw9aL5BhyAWd"
        try store.connection.execute(
            """
            CREATE TRIGGER refuse_wallet BEFORE INSERT ON webhook_events
            WHEN CAST(NEW.body AS TEXT) LIKE '%\(refused)%' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END
            """
        )
        var failing = purchase(paymentTx: "tx-2")
        failing.referredWallet = refused
        var third = purchase(paymentTx: "tx-3")
        third.referredWallet = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
        let outcomes = try recorder.record([purchase(paymentTx: "tx-1"), failing, third], in: store, now: now)
        #expect((try? outcomes[0].get()).map { if case .recorded = $0 { true } else { false } } == true)
        #expect((try? outcomes[1].get()) == nil)
        #expect((try? outcomes[2].get()).map { if case .recorded = $0 { true } else { false } } == true)
        #expect(try rowCounts(store) == [2, 2, 2])
        let wallets = try store.connection.statement("SELECT referred_wallet FROM conversions ORDER BY id").rows {
            $0.text(0)
        }
        #expect(wallets == [buyer, third.referredWallet])
    }

    /// A database that takes no writes fails every report of the batch, each with an error the
    /// API answers 503 (`storage-unavailable`), and stores nothing.
    @Test func reportsThatCannotBeStoredAllFail() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        let readOnly = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate(), readOnly: true)
        var third = purchase(paymentTx: "tx-3")
        third.referredWallet = "9WzDXwBbmkg8ZTbNMqUxvQRAyrZzDsGYdLVL9zYtAWWM"
        let outcomes = try recorder.record([purchase(paymentTx: "tx-1"), third], in: readOnly, now: now)
        for outcome in outcomes {
            #expect(throws: SQLiteError.self) { try outcome.get() }
            if case .failure(let error as SQLiteError) = outcome { #expect(error.isStorageUnavailable) }
        }
        #expect(try rowCounts(store) == [0, 0, 0])
    }
}
