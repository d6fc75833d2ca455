/// Why a purchase goes where it goes (SPEC §5 `source`).
public enum PurchaseSource: String, Sendable, CaseIterable, Codable {
    /// The vault of the code in the visitor's `referral_code` cookie.
    case cookie
    /// The vault the signed-in wallet chose.
    case preference
    /// `FOUNDATION_ADDRESS`: no referral vault applies.
    case `default`
}
