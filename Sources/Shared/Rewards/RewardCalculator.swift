/// The reward of a conversion, in smallest units, with integer arithmetic only (SPEC §4).
public enum RewardCalculator {
    /// Basis points in a whole (100 %).
    public static let basisPointsPerWhole: UInt64 = 10_000

    /// Why a reward cannot be computed.
    public enum Failure: Error, Equatable {
        /// The result does not fit in 64 bits.
        case overflow
    }

    /// The reward for `amount` under a code's reward rule.
    ///
    /// - `token`: `value` × 10^`decimals`;
    /// - `percent`: `amount` × `value` / 10000, rounded down, through a 128-bit intermediate so that
    ///   any 64-bit amount is exact;
    /// - `fixed`: `value`.
    ///
    /// - Parameters:
    ///   - type: the code's reward type.
    ///   - value: the code's reward value (whole tokens, basis points or smallest units).
    ///   - amount: the conversion amount in smallest units.
    ///   - decimals: `MINT_DECIMALS`.
    /// - Returns: the reward in smallest units.
    /// - Throws: `Failure.overflow` when the reward does not fit in 64 bits.
    public static func reward(type: RewardType, value: UInt64, amount: UInt64, decimals: Int) throws(Failure) -> UInt64
    {
        switch type {
        case .token:
            var result = value
            for _ in 0..<decimals {
                let (product, overflow) = result.multipliedReportingOverflow(by: 10)
                guard !overflow else { throw .overflow }
                result = product
            }
            return result
        case .percent:
            let exact = UInt128(amount) * UInt128(value) / UInt128(basisPointsPerWhole)
            guard exact <= UInt128(UInt64.max) else { throw .overflow }
            return UInt64(exact)
        case .fixed:
            return value
        }
    }
}
