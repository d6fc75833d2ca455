import Testing

@testable import Shared

struct RewardCalculatorTests {
    static let max = UInt64.max

    // (type, value, amount, decimals, expected): exact integers, worked out by hand.
    static let table: [(RewardType, UInt64, UInt64, Int, UInt64)] = [
        (.token, 5, 0, 6, 5_000_000),
        (.token, 1, max, 0, 1),
        (.token, 18_446_744_073_709, 1, 6, 18_446_744_073_709_000_000),
        (.percent, 250, 0, 6, 0),
        (.percent, 250, 1, 6, 0),
        (.percent, 250, 9_999, 6, 249),
        (.percent, 250, 1_000_000_000_000_000_000, 6, 25_000_000_000_000_000),
        (.percent, 250, max, 6, 461_168_601_842_738_790),
        (.percent, 10_000, max, 6, max),
        (.percent, 9_999, max, 6, 18_444_899_399_302_180_659),
        (.percent, 1, 9_999, 6, 0),
        (.fixed, 42, max, 6, 42),
        (.fixed, 9_223_372_036_854_775_807, 0, 6, 9_223_372_036_854_775_807),
    ]

    @Test(arguments: table.indices)
    func computesExactIntegers(_ index: Int) throws {
        let (type, value, amount, decimals, expected) = Self.table[index]
        #expect(try RewardCalculator.reward(type: type, value: value, amount: amount, decimals: decimals) == expected)
    }

    @Test func percentMatchesA128BitReference() throws {
        // amount × bps / 10000 for amounts near 2^64, checked against the 128-bit product.
        for amount: UInt64 in [.max, .max - 1, .max / 3, 1 << 63, 12_345_678_901_234_567_890] {
            for bps: UInt64 in [1, 3, 333, 5_000, 9_999, 10_000] {
                let reference = UInt64((UInt128(amount) * UInt128(bps)) / 10_000)
                #expect(
                    try RewardCalculator.reward(type: .percent, value: bps, amount: amount, decimals: 6) == reference
                )
            }
        }
    }

    @Test func unitsPerTokenIsThePowerOfTen() {
        #expect(RewardCalculator.unitsPerToken(decimals: 0) == 1)
        #expect(RewardCalculator.unitsPerToken(decimals: 6) == 1_000_000)
        #expect(RewardCalculator.unitsPerToken(decimals: 18) == 1_000_000_000_000_000_000)
    }

    @Test func refusesTokenRewardsPast64Bits() {
        #expect(throws: RewardCalculator.Failure.overflow) {
            try RewardCalculator.reward(type: .token, value: 18_446_744_073_710, amount: 1, decimals: 6)
        }
        #expect(throws: RewardCalculator.Failure.overflow) {
            try RewardCalculator.reward(type: .token, value: 2, amount: 1, decimals: 19)
        }
    }
}

struct ConversionFingerprintTests {
    let input = ConversionInput(
        code: "ABC",
        referredWallet: "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG",
        action: .mint,
        amount: 10,
        paymentTx: "tx1",
        mintLogId: nil,
        ip: "10.0.0.1"
    )

    @Test func changesWithEveryField() {
        var variants: [ConversionInput] = []
        for change in 0..<7 {
            var other = input
            switch change {
            case 0: other.code = nil
            case 1: other.referredWallet = "4YhsE8c2tM9Z4eRNAHue5ELgSbhNVy78HnFTz6TztGaw"
            case 2: other.action = .purchase
            case 3: other.amount = 11
            case 4: other.paymentTx = "tx2"
            case 5: other.mintLogId = "log"
            default: other.ip = nil
            }
            variants.append(other)
        }
        let fingerprints = Set(([input] + variants).map(\.fingerprint))
        #expect(fingerprints.count == 8)
        #expect(input.fingerprint == input.fingerprint)
    }
}

struct IPAddressTests {
    @Test(arguments: ["10.0.0.1", "255.255.255.255", "::1", "2001:db8::8a2e:370:7334"])
    func acceptsAddresses(_ text: String) { #expect(IPAddress.isValid(text)) }

    @Test(arguments: ["", "10.0.0", "10.0.0.256", "example.com", "1.2.3.4\n", "::g"])
    func refusesOthers(_ text: String) { #expect(!IPAddress.isValid(text)) }

    @Test func writesEveryAddressOneWay() {
        for spelling in [
            "2001:db8:bb::9", "2001:DB8:BB::9", "2001:0db8:00bb:0000:0000:0000:0000:0009", "2001:db8:bb:0::9",
        ] {
            #expect(IPAddress.canonical(spelling) == "2001:db8:bb::9")
        }
        #expect(IPAddress.canonical("::ffff:10.9.9.9") == "10.9.9.9")
        #expect(IPAddress.canonical("010.1.1.1") == nil)
        #expect(IPAddress.canonical("10.1.1.1") == "10.1.1.1")
    }
}
