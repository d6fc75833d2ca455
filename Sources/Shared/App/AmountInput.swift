import FoundationEssentials

/// An amount in smallest units as a request may send it (SPEC §0): a string of decimal digits
/// without sign, leading zero or spaces, or a JSON integer without sign, fraction or exponent
/// (`StrictJSON` refuses the other number forms before decoding), 0 … 2^64-1.
struct AmountInput: Decodable, Sendable, Equatable {
    var value: UInt64

    /// What the error message says an amount must be.
    static let rule =
        "must be a whole number from 0 to 18446744073709551615: digits in a string, or a JSON "
        + "integer, without sign, leading zero, fraction or exponent."

    init(_ value: UInt64) { self.value = value }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.rule)
            }
            self.value = value
            return
        }
        // A JSON number: UInt64 decoding refuses fractions, negatives and values past 2^64-1.
        do {
            value = try container.decode(UInt64.self)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: Self.rule)
        }
    }

    /// Digits only (no sign, no spaces, no leading zero but in `0` itself), at most 2^64-1.
    static func parse(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            text == "0" || text.utf8.first != UInt8(ascii: "0")
        else { return nil }
        return UInt64(text)
    }
}
