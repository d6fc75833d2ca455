/// What the referred wallet did, bound to `conversions.action`.
public enum ConversionAction: String, Sendable, CaseIterable, Codable {
    case mint
    case purchase
}
