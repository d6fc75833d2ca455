/// Percent-decoding (RFC 3986 §2.1) of path segments and query components.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as space when `plusAsSpace`) into bytes.
    ///
    /// - Parameters:
    ///   - text: the encoded text.
    ///   - plusAsSpace: decode `+` as a space, as HTML forms encode query strings.
    /// - Returns: the decoded bytes, or nil when a `%` is not followed by two hex digits.
    public static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                result.append(high << 4 | low)
            case UInt8(ascii: "+") where plusAsSpace:
                result.append(UInt8(ascii: " "))
            default:
                result.append(byte)
            }
        }
        return result
    }

    /// Decodes into a String, or nil for a bad escape or bytes that are not UTF-8.
    ///
    /// - Parameters:
    ///   - text: the encoded text.
    ///   - plusAsSpace: decode `+` as a space.
    public static func decodeString<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) -> String? {
        guard let bytes = decode(text, plusAsSpace: plusAsSpace) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
