/// The reward of a conversion, in smallest units, with integer arithmetic only (SPEC §4).
public enum RewardCalculator {
    /// Basis points in a whole (100 %).
    public static let basisPointsPerWhole: UInt64 = 10_000

    /// Why a reward cannot be computed.
    public enum Failure: Error, Equatable {
        /// The result does not fit in 64 bits.
        case overflow
    }

    /// Smallest units in one whole token: 10^`decimals`. `MINT_DECIMALS` is at most 18, and
    /// 10^18 fits in 64 bits.
    ///
    /// - Parameter decimals: `MINT_DECIMALS`, 0…18.
    public static func unitsPerToken(decimals: Int) -> UInt64 {
        (0..<decimals).reduce(1) { units, _ in units * 10 }
    }

    /// The reward values a code of `type` may have (SPEC §3): whole tokens whose smallest units
    /// fit in 64 bits, basis points, or smallest units up to 2^64-1.
    ///
    /// - Parameters:
    ///   - type: the reward type.
    ///   - decimals: `MINT_DECIMALS`, 0…18.
    public static func valueRange(_ type: RewardType, decimals: Int) -> ClosedRange<UInt64> {
        switch type {
        case .token: 1...(UInt64.max / unitsPerToken(decimals: decimals))
        case .percent: 1...basisPointsPerWhole
        case .fixed: 1...UInt64.max
        }
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
            let (product, overflow) = value.multipliedReportingOverflow(by: unitsPerToken(decimals: decimals))
            guard !overflow else { throw .overflow }
            return product
        case .percent:
            let exact = UInt128(amount) * UInt128(value) / UInt128(basisPointsPerWhole)
            guard exact <= UInt128(UInt64.max) else { throw .overflow }
            return UInt64(exact)
        case .fixed:
            return value
        }
    }
}
