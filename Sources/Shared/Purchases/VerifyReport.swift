/// What one `verify` run concluded.
public struct VerifyReport: Sendable, Equatable {
    public enum Fate: Sendable, Equatable {
        case verified, rejected, expired, stillOpen

        init(_ status: PurchaseReferenceStatus) {
            switch status {
            case .verified: self = .verified
            case .rejected: self = .rejected
            case .expired: self = .expired
            case .open: self = .stillOpen
            }
        }
    }

    public var verified = 0
    public var rejected = 0
    public var expired = 0
    public var stillOpen = 0

    mutating func count(_ fate: Fate) {
        switch fate {
        case .verified: verified += 1
        case .rejected: rejected += 1
        case .expired: expired += 1
        case .stillOpen: stillOpen += 1
        }
    }

    public var summary: String {
        "verified \(verified), rejected \(rejected), expired \(expired), still open \(stillOpen)"
    }
}
