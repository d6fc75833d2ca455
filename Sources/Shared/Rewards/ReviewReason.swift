/// A fraud rule that sent a reward to review (SPEC §4). Stored comma-separated in
/// `rewards.review_reasons`, in the order the rules are checked.
public enum ReviewReason: String, Sendable, CaseIterable {
    /// The conversion's IP is one the referrer signed in from.
    case referrerIP = "referrer-ip"
    /// More than three conversions of the code from one IP within 24 hours.
    case ipVelocity = "ip-velocity"
    /// The reward is above `REVIEW_ABOVE`.
    case highValue = "high-value"

    /// The stored form of a list of reasons; nil for none.
    public static func joined(_ reasons: [ReviewReason]) -> String? {
        reasons.isEmpty ? nil : reasons.map(\.rawValue).joined(separator: ",")
    }

    /// The reasons in their stored form; spellings this binary does not know are skipped.
    public static func parse(_ text: String?) -> [ReviewReason] {
        guard let text else { return [] }
        return text.split(separator: ",").compactMap { ReviewReason(rawValue: String($0)) }
    }
}
