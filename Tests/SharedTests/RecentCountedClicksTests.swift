import Testing

@testable import Shared

/// The per-IP limit reads `recent_counted_clicks`, the last hour's counted clicks (schema 13), so
/// that its cost follows an hour of traffic, not every click ever stored.
struct RecentCountedClicksTests {
    let directory = TemporaryDirectory()
    let wallet = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    func makeStore() throws -> (ReferralStore, Int64) {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        let code = try #require(try store.insertCode(ReferralCodeRecord(code: "ABC", wallet: wallet, createdAt: 1)))
        return (store, code.id)
    }

    func click(_ codeID: Int64, ip: String, at time: Int64, flag: ClickFlag? = nil) -> NewClick {
        .from(ip, on: codeID, at: time, flag: flag)
    }

    func recent(_ connection: SQLiteConnection) throws -> [String] {
        try connection.statement("SELECT ip, seq, created_at FROM recent_counted_clicks ORDER BY created_at, ip")
            .rows { "\($0.text(0) ?? "") \($0.int64(1)) \($0.int64(2))" }
    }

    @Test func aClickSweepsItsOwnRowsThatLeftTheHourAndThoseAfterThem() throws {
        let (store, code) = try makeStore()
        try store.recordClick(click(code, ip: "a", at: 0), limitPerHour: 100)
        try store.recordClick(click(code, ip: "b", at: 10), limitPerHour: 100)
        try store.recordClick(click(code, ip: "b", at: 20, flag: .bot), limitPerHour: 100)
        #expect(try recent(store.connection) == ["a 1 0", "b 1 10"])
        // a's oldest has left the hour (3605 - 3600, 3605]: the sweep from a's first row removes
        // it, and passes b's, still in it.
        try store.recordClick(click(code, ip: "a", at: 3_605), limitPerHour: 100)
        #expect(try recent(store.connection) == ["b 1 10", "a 2 3605"])
        // An hour on, both of a's older rows and b's have left: all go, a's new one stays.
        try store.recordClick(click(code, ip: "a", at: 7_300), limitPerHour: 100)
        #expect(try recent(store.connection) == ["a 3 7300"])
        // Every click stays stored; only the limit's table forgets.
        #expect(try store.connection.statement("SELECT count(*) FROM clicks").firstRow { $0.int64(0) } == 5)
    }

    @Test func aClickSweepsTheNextAddressesRowsThatLeftTheHour() throws {
        let (store, code) = try makeStore()
        try store.recordClick(click(code, ip: "b", at: 0), limitPerHour: 100)
        try store.recordClick(click(code, ip: "c", at: 1), limitPerHour: 100)
        // "a" has no row yet; "b", after it, has one that has left the hour, and so has "c".
        try store.recordClick(click(code, ip: "a", at: 4_000), limitPerHour: 100)
        #expect(try recent(store.connection) == ["a 1 4000"])
    }

    @Test func anIPsOldRowsGoAndItsLimitAndNumberingGoOn() throws {
        let (store, code) = try makeStore()
        for time: Int64 in [0, 1, 2] { try store.recordClick(click(code, ip: "a", at: time), limitPerHour: 3) }
        #expect(try store.recordClick(click(code, ip: "a", at: 3), limitPerHour: 3) == .rateLimited)
        #expect(try store.recordClick(click(code, ip: "a", at: 5_000), limitPerHour: 3) == nil)
        #expect(try recent(store.connection) == ["a 4 5000"])
        for time: Int64 in [5_001, 5_002] { try store.recordClick(click(code, ip: "a", at: time), limitPerHour: 3) }
        #expect(try store.recordClick(click(code, ip: "a", at: 5_003), limitPerHour: 3) == .rateLimited)
        #expect(try store.recordClick(click(code, ip: "a", at: 9_001), limitPerHour: 3) == nil)
        #expect(try recent(store.connection) == ["a 7 9001"])
        let numbers = try store.connection.statement("SELECT counted_seq FROM clicks WHERE flag IS NULL ORDER BY id")
            .rows { $0.int64(0) }
        #expect(numbers == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test func theTableHoldsAboutAnHourWhateverTheHistory() throws {
        let (store, code) = try makeStore()
        // A day of clicks from 50 addresses, one a minute, each address every 50 minutes.
        for minute in 0..<1_440 {
            try store.recordClick(click(code, ip: "10.0.0.\(minute % 50)", at: Int64(minute) * 60), limitPerHour: 100)
        }
        let rows = try recent(store.connection)
        // The last hour's 60 clicks are all there (the limit needs them), and little else: not the
        // 1,440 stored.
        let lastHour = rows.filter { Int64($0.split(separator: " ")[2])! > 1_439 * 60 - 3_600 }
        #expect(lastHour.count == 60)
        #expect(rows.count <= 120, "\(rows.count) rows")
    }

    @Test func addressesSeenOnceLeaveTooAsOthersArrive() throws {
        let (store, code) = try makeStore()
        // A day of clicks, one every 36 s, each from an address never seen before or after, in no
        // order of address (7,919 is prime to 2,400, so the addresses are a permutation).
        for index in 0..<2_400 {
            let address = "10.\(index * 7_919 % 2_400 / 256).\(index * 7_919 % 256).1"
            try store.recordClick(click(code, ip: address, at: Int64(index) * 36), limitPerHour: 100)
        }
        let rows = try recent(store.connection)
        // The last hour holds 100 of the 2,400 clicks; the sweeps near each new address have taken
        // out nearly all the others (112 rows when written; without sweeps, 2,400).
        #expect(rows.count <= 150, "\(rows.count) rows")
    }

    @Test func aSweepSearchesByKeyAndNeverScans() throws {
        let (store, _) = try makeStore()
        for (sql, parameters) in [
            (ReferralStore.sweepStartSQL, 2), (ReferralStore.sweepRowsSQL, 3), (ReferralStore.deleteCountedClickSQL, 2),
        ] {
            let plan = try store.connection.statement("EXPLAIN QUERY PLAN " + sql)
                .rows(Array(repeating: SQLiteValue.integer(1), count: parameters)) { $0.text(3) ?? "" }
            #expect(!plan.contains { $0.hasPrefix("SCAN recent_counted_clicks") }, "\(sql): \(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH recent_counted_clicks USING PRIMARY KEY") }, "\(sql): \(plan)")
        }
    }

    @Test func upgradingKeepsTheHourBeforeTheNewestClickAndTheLimitGoesOn() throws {
        let connection = try directory.database(
            atVersion: 12,
            clicks: """
                (1, 'a', '/r/OLD1', NULL, 1, 100), (1, 'a', '/r/OLD1', NULL, 2, 5000),
                (1, 'b', '/r/OLD1', NULL, 1, 5100), (1, 'a', '/r/OLD1', 'bot', NULL, 5200)
                """
        )
        try SchemaMigrator.migrate(connection)
        #expect(try recent(connection) == ["a 2 5000", "b 1 5100"])
        // Limit 2: the click before a's latest (number 1, at 100) is gone, so the next one counts
        // as number 3; then number 2, at 5000, is within the hour of 5301.
        let store = try ReferralStore(path: directory.file("old.sqlite"), gate: WriteGate())
        #expect(try store.recordClick(click(1, ip: "a", at: 5_300), limitPerHour: 2) == nil)
        #expect(try store.recordClick(click(1, ip: "a", at: 5_301), limitPerHour: 2) == .rateLimited)
        #expect(try recent(connection).contains("a 3 5300"))
    }
}
