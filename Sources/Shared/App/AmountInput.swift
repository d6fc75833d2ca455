import FoundationEssentials

/// An amount in smallest units as a request may send it: a JSON integer or a decimal string,
/// 0 … 2^64-1. Anything else (negative, fraction, exponent, too large, empty) fails to decode.
struct AmountInput: Decodable, Sendable, Equatable {
    var value: UInt64

    init(_ value: UInt64) { self.value = value }

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Self.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "must be a whole number from 0 to 18446744073709551615"
                )
            }
            self.value = value
            return
        }
        // A JSON number: UInt64 decoding refuses fractions, negatives and values past 2^64-1.
        do {
            value = try container.decode(UInt64.self)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "must be a whole number from 0 to 18446744073709551615"
            )
        }
    }

    /// Digits only (no sign, no spaces, no leading `+`), at most 2^64-1.
    static func parse(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return UInt64(text)
    }
}
