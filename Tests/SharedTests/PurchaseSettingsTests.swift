import Testing

@testable import Shared

struct PurchaseAmountTests {
    @Test(
        arguments: [
            (1_500_000_000, 9, "1.5"), (1, 9, "0.000000001"), (0, 9, "0"), (2_000_000_000, 9, "2"), (7, 0, "7"),
            (UInt64.max, 9, "18446744073.709551615"), (2_500_000, 6, "2.5"), (10, 1, "1"),
        ] as [(UInt64, Int, String)]
    )
    func wholeUnitsFromIntegersOnly(units: UInt64, decimals: Int, expected: String) {
        #expect(PurchaseSettings.decimal(units, decimals: decimals) == expected)
    }
}
