import Testing

@testable import Shared

struct ReferralStoreTests {
    let directory = TemporaryDirectory()
    let wallet = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        return store
    }

    func click(_ codeID: Int64, ip: String, at time: Int64, flag: ClickFlag? = nil) -> NewClick {
        .from(ip, on: codeID, at: time, flag: flag)
    }

    @Test func codesAreUniqueAndFoundCaseInsensitively() throws {
        let store = try makeStore()
        let created = try #require(
            try store.insertCode(ReferralCodeRecord(code: "MixedCase", wallet: wallet, createdAt: 1))
        )
        #expect(try store.insertCode(ReferralCodeRecord(code: "mixedcase", wallet: wallet, createdAt: 2)) == nil)
        #expect(try store.findCode("MIXEDCASE") == created)
    }

    @Test func activeCodeRefusesMalformedUnknownAndInactiveNames() throws {
        let store = try makeStore()
        let created = try #require(
            try store.insertCode(ReferralCodeRecord(code: "Live1", wallet: wallet, createdAt: 1))
        )
        _ = try store.insertCode(ReferralCodeRecord(code: "Gone1", wallet: wallet, createdAt: 1))
        _ = try store.setActive("Gone1", false)
        #expect(try store.activeCode(named: "live1") == created)
        #expect(try store.activeCode(named: "Gone1") == nil)
        #expect(try store.activeCode(named: "Nobody") == nil)
        #expect(try store.activeCode(named: "Live1' OR 1=1 --") == nil)
        #expect(try store.activeCode(named: "") == nil)
    }

    @Test func deactivationIsStored() throws {
        let store = try makeStore()
        _ = try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1))
        #expect(try store.setActive("abc", false))
        #expect(try store.findCode("ABC")?.active == false)
        #expect(try store.setActive("nope", false) == false)
    }

    @Test func countsExactlyTheHourlyLimitPerIP() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        let flags = try (0..<5).map {
            try store.recordClick(click(code.id, ip: "10.0.0.1", at: 1000 + Int64($0)), limitPerHour: 3)
        }
        #expect(flags == [nil, nil, nil, .rateLimited, .rateLimited])
        // Another IP is not affected; an hour later the first IP counts again.
        #expect(try store.recordClick(click(code.id, ip: "10.0.0.2", at: 1005), limitPerHour: 3) == nil)
        #expect(try store.recordClick(click(code.id, ip: "10.0.0.1", at: 1000 + 3600), limitPerHour: 3) == nil)
    }

    @Test func theWindowSlidesClickByClick() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        let times: [Int64] = [0, 10, 20, 30, 3_601, 3_605, 3_611, 3_612, 3_620, 3_621]
        let flags = try times.map { try store.recordClick(click(code.id, ip: "10.0.0.1", at: $0), limitPerHour: 3) }
        // Counted at 0, 10, 20; the hour before t is (t - 3600, t]: at 3601 the click at 0 has left
        // it, at 3611 the one at 10, at 3620 the one at 20; at 3621 it holds 3601, 3611 and 3620.
        #expect(flags == [nil, nil, nil, .rateLimited, nil, .rateLimited, nil, .rateLimited, nil, .rateLimited])
        #expect(try store.recordClick(click(code.id, ip: "10.0.0.1", at: 9_000), limitPerHour: 0) == .rateLimited)
    }

    @Test func aHugeLimitCountsEveryClickAndNumbersThem() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        for index in 0..<300 {
            let flag = try store.recordClick(
                click(code.id, ip: "10.0.0.9", at: 5_000 + Int64(index % 7)),
                limitPerHour: 1_000_000_000
            )
            #expect(flag == nil)
        }
        let numbers = try store.connection.statement("SELECT counted_seq FROM clicks ORDER BY id").rows { $0.int64(0) }
        #expect(numbers == Array(1...300))
    }

    @Test func theClickDecisionProbesTheLastHoursClicksAndNeverScans() throws {
        let store = try makeStore()
        let plan = try store.connection.statement("EXPLAIN QUERY PLAN " + ReferralStore.clickDecisionSQL)
            .rows(Array(repeating: SQLiteValue.integer(1), count: 4)) { $0.text(3) ?? "" }
        // One probe for the click `limit` places back; the stored clicks are not read at all.
        #expect(plan.filter { $0.contains("recent_counted_clicks USING PRIMARY KEY (ip=? AND seq=?)") }.count == 1)
        #expect(!plan.contains { $0.hasPrefix("SCAN recent_counted_clicks") })
        #expect(!plan.contains { $0.split(separator: " ").contains("clicks") })
    }

    /// A temporary table is a B-tree of its own (a zeroed page, a transaction): a click builds none
    /// (schema 12 turned the flag CHECK's IN list, looked up in one, into comparisons).
    @Test func aClickBuildsNoTemporaryTable() throws {
        let store = try makeStore()
        for (sql, parameters) in [(ReferralStore.clickDecisionSQL, 4), (ReferralStore.insertClickSQL, 9)] {
            let opcodes = try store.connection.statement("EXPLAIN " + sql)
                .rows(Array(repeating: SQLiteValue.integer(1), count: parameters)) { $0.text(1) ?? "" }
            #expect(!opcodes.contains("OpenEphemeral"), "\(sql)")
        }
    }

    @Test func theFlagCheckStillRefusesAnUnknownFlag() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        #expect(throws: SQLiteError.self) {
            try store.connection.execute(
                "INSERT INTO clicks (code_id, ip, path, flag, created_at) VALUES (\(code.id), 'a', '/', 'nope', 1)"
            )
        }
        #expect(try store.connection.check(path: directory.file("db.sqlite")).integrity == ["ok"])
    }

    @Test func upgradingNumbersTheCountedClicksOfEachIP() throws {
        let connection = try directory.database(
            atVersion: 8,
            rows:
                """
                INSERT INTO referral_codes (code, wallet, created_at) VALUES ('OLD1', 'w', 1);
                INSERT INTO clicks (code_id, ip, path, flag, created_at) VALUES
                    (1, 'a', '/r/OLD1', NULL, 1), (1, 'b', '/r/OLD1', NULL, 2), (1, 'a', '/r/OLD1', 'bot', 3),
                    (1, 'a', '/r/OLD1', NULL, 4);
                """
        )
        try SchemaMigrator.migrate(connection)
        let rows = try connection.statement("SELECT ip, counted_seq FROM clicks ORDER BY id").rows {
            "\($0.text(0) ?? "")\($0.isNull(1) ? "-" : String($0.int64(1)))"
        }
        #expect(rows == ["a1", "b1", "a-", "a2"])
    }

    @Test func flaggedClicksDoNotUseUpTheLimit() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        for _ in 0..<3 { try store.recordClick(click(code.id, ip: "10.0.0.1", at: 1000, flag: .bot), limitPerHour: 1) }
        #expect(try store.recordClick(click(code.id, ip: "10.0.0.1", at: 1000), limitPerHour: 1) == nil)
    }

    @Test func clipsLongTextBeforeStoringIt() throws {
        let store = try makeStore()
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        var long = click(code.id, ip: "10.0.0.1", at: 1)
        long.userAgent = String(repeating: "u", count: 10_000)
        try store.recordClick(long, limitPerHour: 10)
        let stored = try store.connection.statement("SELECT length(user_agent) FROM clicks").firstRow { $0.int(0) }
        #expect(stored == ReferralStore.maxStoredText)
    }
}
