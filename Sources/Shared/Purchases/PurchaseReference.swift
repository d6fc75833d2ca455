/// Where a Solana Pay reference is (SPEC §9), bound to `purchase_references.status`.
public enum PurchaseReferenceStatus: String, Sendable, CaseIterable, Encodable {
    /// Handed out; no payment seen yet.
    case open
    /// A payment carrying it was found and accepted.
    case verified
    /// A payment carrying it failed a check (the reason says which).
    case rejected
    /// No payment by its expiry.
    case expired
}

/// The settings of purchases: what they are paid in, and how long a reference waits.
public struct PurchaseSettings: Sendable, Equatable {
    /// `PURCHASE_MINT`: the SPL token purchases are paid in; nil for SOL.
    public var mint: String?
    /// `PURCHASE_DECIMALS`: decimals of that token (9 for SOL).
    public var decimals: Int
    /// `PURCHASE_REFERENCE_MINUTES`: how long a reference waits for its payment.
    public var referenceMinutes: Int

    /// Reads the settings.
    ///
    /// - Throws: `ConfigError` naming a bad variable.
    public init(settings: SettingsReader) throws {
        mint = try settings.address("PURCHASE_MINT")
        decimals = try settings.integer("PURCHASE_DECIMALS", default: 9, range: 0...18)
        referenceMinutes = try settings.integer("PURCHASE_REFERENCE_MINUTES", default: 60, range: 1...10_080)
    }

    /// The defaults (SOL, 60 minutes).
    public init(mint: String? = nil, decimals: Int = 9, referenceMinutes: Int = 60) {
        self.mint = mint
        self.decimals = decimals
        self.referenceMinutes = referenceMinutes
    }

    /// A Solana Pay transfer request URL (`solana:{to}?amount=…&reference=…[&spl-token=…]`), the
    /// amount in whole units as a decimal, from integer arithmetic only.
    ///
    /// Related specification: <https://docs.solanapay.com/spec> (transfer request).
    public func paymentURL(to recipient: String, amount: UInt64, reference: String) -> String {
        var url = "solana:\(recipient)?amount=\(Self.decimal(amount, decimals: decimals))&reference=\(reference)"
        if let mint { url += "&spl-token=\(mint)" }
        return url
    }

    /// `units` smallest units as a decimal of whole units, without trailing zeros: 1500000000 with 9
    /// decimals is `1.5`.
    public static func decimal(_ units: UInt64, decimals: Int) -> String {
        guard decimals > 0 else { return String(units) }
        let digits = String(units)
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let whole = padded.dropLast(decimals)
        let fraction = padded.suffix(decimals).reversed().drop { $0 == "0" }.reversed()
        return fraction.isEmpty ? String(whole) : "\(whole).\(String(fraction))"
    }
}

/// A reference as `GET /api/purchase/{reference}` shows it.
public struct PurchaseReferenceState: Sendable, Equatable {
    public var reference: String
    public var status: PurchaseReferenceStatus
    public var signature: String?
    public var reason: String?
}

extension ReferralStore {
    /// Stores a fresh reference with the route it was handed out for.
    ///
    /// - Throws: `SQLiteError`.
    public func insertPurchaseReference(
        _ reference: String,
        recipient: String,
        codeID: Int64?,
        source: PurchaseSource,
        buyer: String?,
        amount: UInt64,
        mint: String?,
        expiresAt: Int64,
        now: Int64
    ) throws {
        try write {
            try connection.statement(
                """
                INSERT INTO purchase_references (reference, recipient, code_id, source, buyer, amount, mint, expires_at,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            ).execute([
                .text(reference), .text(recipient), codeID.map(SQLiteValue.integer), SQLiteValue(source),
                buyer.map(SQLiteValue.text), .text(String(amount)), mint.map(SQLiteValue.text), .integer(expiresAt),
                .integer(now), .integer(now),
            ])
        }
    }

    /// A reference's state, or nil when it was never handed out.
    ///
    /// - Throws: `SQLiteError`.
    public func purchaseReference(_ reference: String) throws -> PurchaseReferenceState? {
        try connection.statement("SELECT status, signature, reason FROM purchase_references WHERE reference = ?")
            .firstRow([.text(reference)]) { row in
                PurchaseReferenceState(
                    reference: reference,
                    status: row.value(as: PurchaseReferenceStatus.self, 0) ?? .open,
                    signature: row.text(1),
                    reason: row.text(2)
                )
            }
    }
}
