/// A checked conversion report: from the platform's signed API, or from a purchase the chain proved.
public struct ConversionInput: Sendable, Equatable {
    /// The code named in the report, if any (well-formed).
    public var code: String?
    public var referredWallet: String
    public var action: ConversionAction
    public var amount: UInt64
    public var paymentTx: String?
    public var mintLogId: String?
    /// The buyer's IP as the backend saw it, canonical.
    public var ip: String?

    /// Creates a report from checked fields.
    public init(
        code: String?,
        referredWallet: String,
        action: ConversionAction,
        amount: UInt64,
        paymentTx: String? = nil,
        mintLogId: String? = nil,
        ip: String? = nil
    ) {
        self.code = code
        self.referredWallet = referredWallet
        self.action = action
        self.amount = amount
        self.paymentTx = paymentTx
        self.mintLogId = mintLogId
        self.ip = ip
    }

    /// A digest of every field: a repeated report must match it to count as the same report.
    public var fingerprint: [UInt8] {
        let fields = [
            code ?? "", referredWallet, action.rawValue, String(amount), paymentTx ?? "", mintLogId ?? "", ip ?? "",
        ]
        // Fields are checked to hold no control characters, so "\n" cannot be forged inside one.
        return Sodium.sha256(Array(("conversion-v1\n" + fields.joined(separator: "\n")).utf8))
    }
}
