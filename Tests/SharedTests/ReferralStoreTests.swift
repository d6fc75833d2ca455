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
        NewClick(
            codeID: codeID,
            ip: ip,
            userAgent: "UA",
            referer: nil,
            path: "/r/X",
            wallet: nil,
            flag: flag,
            createdAt: time
        )
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
