import FoundationEssentials
import Logging
import Testing

@testable import Shared

/// The outbox in process: every change stores its event in its own transaction, and only then.
struct WebhookOutboxTests {
    let directory = TemporaryDirectory()
    // On-curve keys (payable): derived from seeds.
    let owner = Keypair(seed: Sodium.sha256(Array("hook-owner".utf8)))!.publicKey.base58
    let buyer = Keypair(seed: Sodium.sha256(Array("hook-buyer".utf8)))!.publicKey.base58
    let otherBuyer = Keypair(seed: Sodium.sha256(Array("hook-buyer-2".utf8)))!.publicKey.base58
    let now: Int64 = 1_800_000_000

    func makeStore() throws -> ReferralStore {
        let store = try ReferralStore(path: directory.file("db.sqlite"), gate: WriteGate())
        try SchemaMigrator.migrate(store.connection)
        _ = try store.insertCode(
            ReferralCodeRecord(code: "HOOK1", wallet: owner, rewardType: .fixed, rewardValue: 50, createdAt: now)
        )
        return store
    }

    func events(_ store: ReferralStore) throws -> [(type: String, body: [String: JSONValue])] {
        try store.connection.statement("SELECT type, body FROM webhook_events ORDER BY id").rows { row in
            let body = try JSONDecoder().decode([String: JSONValue].self, from: Data(row.blob(1) ?? []))
            return (row.text(0) ?? "", body)
        }
    }

    @Test func aRecordedConversionStoresItsEventWithADeliveryPerSubscribedEndpoint() throws {
        let store = try makeStore()
        let url = try #require(WebhookURL("https://hooks.example/a"))
        _ = try store.addWebhookEndpoint(url: url, events: nil, sealedSecret: [1], now: now)
        _ = try store.addWebhookEndpoint(url: url, events: [.rewardPaid], sealedSecret: [1], now: now)
        _ = try store.addWebhookEndpoint(
            url: url,
            events: [.conversionRecorded, .rewardPaid],
            sealedSecret: [1],
            now: now
        )
        let recorder = ConversionRecorder(policy: RewardPolicy(holdDays: 0))
        let input = ConversionInput(
            code: "HOOK1",
            referredWallet: buyer,
            action: .purchase,
            amount: 9,
            paymentTx: "tx9"
        )
        guard case .recorded(let conversion) = try recorder.record(input, in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        let stored = try events(store)
        #expect(stored.map(\.type) == ["conversion.recorded"])
        #expect(stored[0].body["type"] == .string("conversion.recorded"))
        #expect(stored[0].body["timestamp"] == .string(Timestamp.iso8601(now)))
        let data = try #require(stored[0].body["data"])
        #expect(data["rewardId"] == .integer(conversion.reward.id))
        #expect(data["amount"] == .string("9") && data["paymentTx"] == .string("tx9"))
        #expect(data["reward"]?["amount"] == .string("50"))
        let endpoints = try store.connection.statement(
            "SELECT endpoint_id FROM webhook_deliveries ORDER BY endpoint_id"
        )
        .rows { $0.int64(0) }
        #expect(endpoints == [1, 3])
        // A repeat and a refusal store no event.
        _ = try recorder.record(input, in: store, now: now + 1)
        var other = input
        other.code = "NOPE1"
        _ = try recorder.record(other, in: store, now: now + 1)
        #expect(try events(store).count == 1)
    }

    @Test func reviewDecisionsAndPayoutsStoreTheirEvents() throws {
        let store = try makeStore()
        let recorder = ConversionRecorder(policy: RewardPolicy(holdDays: 0, reviewAbove: 10))
        let first = ConversionInput(code: "HOOK1", referredWallet: buyer, action: .mint, amount: 1)
        guard case .recorded(let conversion) = try recorder.record(first, in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        _ = try RewardReview.approve(conversion.reward.id, reason: "checked", in: store, now: now)
        var report = PayoutReport()
        try LedgerPayer(store: store, logger: Logger(label: "test")).pay(
            try store.payableRewards(now: now, limit: 10),
            now: now,
            report: &report
        )
        let second = ConversionInput(code: "HOOK1", referredWallet: otherBuyer, action: .mint, amount: 1)
        guard case .recorded(let rejected) = try recorder.record(second, in: store, now: now) else {
            Issue.record("not recorded")
            return
        }
        _ = try RewardReview.reject(rejected.reward.id, reason: "fraud", in: store, now: now)
        let stored = try events(store)
        #expect(
            stored.map(\.type) == [
                "conversion.recorded", "reward.approved", "reward.paid", "conversion.recorded", "reward.rejected",
            ]
        )
        #expect(stored[2].body["data"]?["ledgerEntry"] == .string("ledger-1"))
        #expect(stored[4].body["data"]?["reason"] == .string("fraud"))
    }

    @Test func anInvalidRecipientStoresPayoutFailed() throws {
        let store = try makeStore()
        let pda = try #require(PublicKey.findProgramAddress(seeds: [[7]], programID: .tokenProgram)).0
        _ = try store.insertCode(
            ReferralCodeRecord(code: "PDA01", wallet: pda.base58, rewardType: .fixed, rewardValue: 5, createdAt: now)
        )
        let recorder = ConversionRecorder(policy: RewardPolicy(holdDays: 0))
        _ = try recorder.record(
            ConversionInput(code: "PDA01", referredWallet: buyer, action: .mint, amount: 1),
            in: store,
            now: now
        )
        var report = PayoutReport()
        try LedgerPayer(store: store, logger: Logger(label: "test")).pay(
            try store.payableRewards(now: now, limit: 10),
            now: now,
            report: &report
        )
        let stored = try events(store)
        #expect(stored.map(\.type) == ["conversion.recorded", "payout.failed"])
        #expect(stored[1].body["data"]?["reason"] == .string("invalid-recipient"))
    }
}

struct WebhookURLTests {
    @Test(arguments: [
        "http://127.0.0.1/x", "http://localhost:8080/", "https://10.1.2.3/", "https://[::1]/", "https://192.168.0.1",
        "https://169.254.169.254/latest", "https://[fe80::1]/", "https://[::ffff:10.0.0.1]/", "http://0.0.0.0/",
    ])
    func privateLiteralsAreRecognised(_ url: String) throws {
        #expect(try #require(WebhookURL(url)).isPrivateLiteral)
    }

    @Test(arguments: ["https://hooks.example.com/a", "https://8.8.8.8/", "https://[2001:4860::8888]/"])
    func publicOnesAreNot(_ url: String) throws {
        #expect(try !#require(WebhookURL(url)).isPrivateLiteral)
    }

    @Test(arguments: ["ftp://x", "https://user@host/", "https://", "https://a b/", "javascript:alert(1)"])
    func refusesWhatIsNotAnHTTPURL(_ url: String) {
        #expect(WebhookURL(url) == nil)
    }

    @Test func aSealedSecretOpensOnlyWithItsKey() throws {
        let key = Sodium.randomBytes(32)
        let sealed = try #require(Sodium.seal([1, 2, 3], key: key))
        #expect(Sodium.open(sealed, key: key) == [1, 2, 3])
        #expect(Sodium.open(sealed, key: Sodium.randomBytes(32)) == nil)
        var changed = sealed
        changed[changed.count - 1] ^= 1
        #expect(Sodium.open(changed, key: key) == nil)
    }
}

struct WebhookSignatureTests {
    /// The example of the Standard Webhooks specification (also its libraries' test vector).
    @Test func signsTheSpecificationsExample() throws {
        let secret = try #require(Sodium.base64Decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let header = WebhookSignature.header(
            secret: secret,
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8)
        )
        #expect(header == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }
}
