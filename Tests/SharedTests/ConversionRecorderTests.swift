import Testing

@testable import Shared

/// The reward rules of SPEC §4, in process: temp database, fixed clock.
struct ConversionRecorderTests {
    let directory = TemporaryDirectory()
    let owner = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"
    let buyer = "4YhsE8c2tM9Z4eRNAHue5ELgSbhNVy78HnFTz6TztGaw"
    let now: Int64 = 1_800_000_000
    let recorder = ConversionRecorder(policy: RewardPolicy(mintDecimals: 6, holdDays: 7, reviewAbove: 9_000_000))

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func makeCode(_ store: ReferralStore, type: RewardType = .token, value: UInt64 = 5) throws -> ReferralCodeRecord {
        try #require(
            try store.insertCode(
                ReferralCodeRecord(code: "CODE1", wallet: owner, rewardType: type, rewardValue: value, createdAt: now)
            )
        )
    }

    func purchase(_ amount: UInt64 = 1_000, paymentTx: String? = "tx-1", ip: String? = nil) -> ConversionInput {
        ConversionInput(
            code: "code1",
            referredWallet: buyer,
            action: .purchase,
            amount: amount,
            paymentTx: paymentTx,
            ip: ip
        )
    }

    @Test func recordsAPendingRewardHeldForThePolicysDays() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        guard case .recorded(let conversion) = try recorder.record(purchase(), in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        #expect(conversion.code == "CODE1")
        #expect(conversion.referrer == owner)
        #expect(conversion.reward.amount == 5_000_000)
        #expect(conversion.reward.status == .pending)
        #expect(conversion.reward.holdUntil == now + 7 * 86_400)
        #expect(try store.connection.statement("SELECT status FROM rewards").firstRow { $0.text(0) } == "pending")
    }

    @Test func aRepeatedReportReturnsTheFirstRecordAndStoresNothing() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        guard case .recorded(let first) = try recorder.record(purchase(), in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        #expect(try recorder.record(purchase(), in: store, now: now + 60) == .repeated(first))
        #expect(try recorder.record(purchase(2_000), in: store, now: now + 60) == .refused(.paymentReused))
        #expect(try store.connection.statement("SELECT count(*) FROM rewards").firstRow { $0.int(0) } == 1)
    }

    @Test func refusesUnknownCodesSelfReferralAndSecondConversions() throws {
        let store = try makeStore()
        _ = try makeCode(store)
        var unknown = purchase()
        unknown.code = "NOPE1"
        #expect(try recorder.record(unknown, in: store, now: now) == .refused(.invalidCode))
        var selfReferral = purchase()
        selfReferral.referredWallet = owner
        #expect(try recorder.record(selfReferral, in: store, now: now) == .refused(.selfReferral))
        _ = try recorder.record(purchase(), in: store, now: now)
        #expect(try recorder.record(purchase(paymentTx: "tx-2"), in: store, now: now) == .refused(.alreadyConverted))
    }

    @Test func withoutACodeOrPreferenceNothingIsAttributed() throws {
        let store = try makeStore()
        var input = purchase()
        input.code = nil
        #expect(try recorder.record(input, in: store, now: now) == .notAttributed)
    }

    @Test func fraudRulesSendTheRewardToReviewWithTheirReasons() throws {
        let store = try makeStore()
        _ = try makeCode(store, type: .fixed, value: 9_000_001)
        guard case .recorded(let conversion) = try recorder.record(purchase(), in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        #expect(conversion.reward.status == .review)
        #expect(conversion.reward.reviewReasons == [.highValue])
    }

    @Test func anOverflowingRewardIsRefused() throws {
        let store = try makeStore()
        _ = try makeCode(store, type: .token, value: UInt64.max)
        #expect(try recorder.record(purchase(), in: store, now: now) == .refused(.rewardOverflow))
    }
}

struct RewardStatusTests {
    @Test func theCheckConstraintListsExactlyTheEnumsSpellings() throws {
        let directory = TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        try SchemaMigrator.migrate(connection)
        let sql = try #require(
            try connection.statement("SELECT sql FROM sqlite_master WHERE name = 'rewards'").firstRow {
                $0.text(0) ?? ""
            }
        )
        for status in RewardStatus.allCases { #expect(sql.contains("'\(status.rawValue)'")) }
        #expect(throws: SQLiteError.self) {
            try connection.execute(
                """
                INSERT INTO referral_codes (code, wallet, created_at) VALUES ('C1X', 'w', 0);
                INSERT INTO conversions (code_id, referred_wallet, action, amount, created_at) VALUES (1, 'b', 'mint', '1', 0);
                INSERT INTO rewards (conversion_id, wallet, amount, status, hold_until, created_at, updated_at)
                VALUES (1, 'w', '1', 'bogus', 0, 0, 0);
                """
            )
        }
    }
}

struct SchemaUpgradeTests {
    @Test func aCodesIntegerRewardValueBecomesItsDecimalText() throws {
        let directory = TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.file("db.sqlite"))
        // A database as version 4 left it, with a code made then.
        for step in Schema.steps.prefix(4) { try connection.execute(step) }
        try connection.execute("PRAGMA user_version = 4")
        try connection.execute(
            """
            INSERT INTO referral_codes (code, wallet, reward_type, reward_value, created_at)
            VALUES ('OLD1', 'w', 'fixed', 9223372036854775807, 1)
            """
        )
        try SchemaMigrator.migrate(connection)
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        #expect(try store.findCode("OLD1")?.rewardValue == UInt64(Int64.max))
        let stored = try connection.statement("SELECT typeof(reward_value) FROM referral_codes").firstRow { $0.text(0) }
        #expect(stored == "text")
    }
}
