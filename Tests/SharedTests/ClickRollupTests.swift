import Testing

@testable import Shared

/// The click rollups (schema step 10) against the clicks themselves: stats read one row per day,
/// and must say exactly what counting every click would.
struct ClickRollupTests {
    let directory = TemporaryDirectory()
    let wallet = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    /// Counted clicks and distinct (IP, clock hour) pairs of a code, counted from the clicks.
    func counted(_ connection: SQLiteConnection, code: Int64, from day: Int64 = 0) throws -> [Int] {
        try connection.statement(
            """
            SELECT count(*), count(DISTINCT ip || '|' || (created_at / 3600)) FROM clicks
            WHERE code_id = ? AND flag IS NULL AND created_at >= ?
            """
        ).firstRow([.integer(code), .integer(day * 86_400)]) { [$0.int(0), $0.int(1)] } ?? []
    }

    @Test func statsFromRollupsMatchTheClicks() throws {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        let other = try #require(try store.insertCode(ReferralCodeRecord(code: "XYZ", wallet: wallet, createdAt: 1)))
        let now: Int64 = 100 * 86_400
        // Clicks over 40 days from 7 addresses, some flagged, some over the limit, on two codes.
        var generator = SystemRandomNumberGenerator()
        for index in 0..<600 {
            let time = now - Int64.random(in: 0..<(40 * 86_400), using: &generator)
            let flag: ClickFlag? = index % 9 == 0 ? .bot : nil
            try store.recordClick(
                .from("10.0.0.\(index % 7)", on: index % 5 == 0 ? other.id : code.id, at: time, flag: flag),
                limitPerHour: 3
            )
        }
        let stats = try store.stats(codeID: code.id, now: now, withDaily: true)
        #expect([stats.clicks, stats.uniqueVisitors] == (try counted(store.connection, code: code.id)))
        let first = now / 86_400 - Int64(ReferralStore.statsDays - 1)
        for (offset, day) in stats.daily.enumerated() {
            let start = first + Int64(offset)
            let expected = try store.connection.statement(
                """
                SELECT count(*), count(DISTINCT ip || '|' || (created_at / 3600)) FROM clicks
                WHERE code_id = ? AND flag IS NULL AND created_at / 86400 = ?
                """
            ).firstRow([.integer(code.id), .integer(start)]) { [$0.int(0), $0.int(1)] }
            #expect([day.clicks, day.uniqueVisitors] == expected, "day \(day.date)")
        }
        #expect(stats.clicks > 0 && stats.clicks < 600)
    }

    @Test func upgradingRollsUpTheClicksAlreadyStored() throws {
        let connection = try directory.database(
            atVersion: 9,
            clicks: """
                (1, 'a', '/r/OLD1', NULL, 1, 100), (1, 'a', '/r/OLD1', NULL, 2, 200), (1, 'b', '/r/OLD1', NULL, 1, 300),
                (1, 'a', '/r/OLD1', 'bot', NULL, 400), (1, 'a', '/r/OLD1', NULL, 3, 4000),
                (1, 'a', '/r/OLD1', NULL, 4, 90000)
                """
        )
        try SchemaMigrator.migrate(connection)
        let days = try connection.statement("SELECT day, clicks, unique_visitors FROM click_days ORDER BY day").rows {
            [$0.int(0), $0.int(1), $0.int(2)]
        }
        // Day 0: a@hour 0 twice, b@hour 0, a@hour 1 → 4 clicks, 3 visitor-hours; day 1: one.
        #expect(days == [[0, 4, 3], [1, 1, 1]])
    }
}
