/// Base58 with the Bitcoin alphabet, as Solana uses for addresses, keys and signatures.
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let digitValues: [Int8] = {
        var table = [Int8](repeating: -1, count: 128)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// Encodes bytes; each leading zero byte becomes a leading `1`.
    ///
    /// - Parameter bytes: the data.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Base-58 digits, least significant first.
        var digits: [UInt8] = []
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        let text = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: text, as: UTF8.self)
    }

    /// The longest base58 text of `byteCount` bytes: each character carries log2(58) ≈ 5.858
    /// bits, so 8 × n / 5.858 ≈ 1.3657 × n characters, rounded up (32 bytes: 44, 64 bytes: 88).
    public static func maxEncodedLength(byteCount: Int) -> Int {
        (byteCount * 13_657 + 9_999) / 10_000
    }

    /// Decodes text of at most `byteCount` bytes; nil when it holds a character outside the
    /// alphabet or is longer than `byteCount` bytes could be.
    ///
    /// The length is checked before any decoding: base58 decoding is quadratic in the length, so an
    /// unbounded input would let a client buy seconds of CPU with one field.
    ///
    /// - Parameters:
    ///   - text: the base58 text.
    ///   - byteCount: the most bytes the caller accepts.
    public static func decode(_ text: String, maxBytes byteCount: Int) -> [UInt8]? {
        guard text.utf8.count <= maxEncodedLength(byteCount: byteCount) else { return nil }
        guard let bytes = decodeUnbounded(text), bytes.count <= byteCount else { return nil }
        return bytes
    }

    /// Decodes text of any length: only for the bounded `decode(_:maxBytes:)`.
    private static func decodeUnbounded(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        let ones = characters.prefix { $0 == alphabet[0] }.count
        // Bytes, least significant first.
        var bytes: [UInt8] = []
        for character in characters.dropFirst(ones) {
            guard character < 128, case let value = digitValues[Int(character)], value >= 0 else { return nil }
            var carry = Int(value)
            for index in bytes.indices {
                carry += Int(bytes[index]) * 58
                bytes[index] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: ones) + bytes.reversed()
    }
}

/// Solana addresses: base58 text of a 32-byte ed25519 public key.
public enum SolanaAddress {
    /// True when `text` is base58 that decodes to exactly 32 bytes.
    ///
    /// - Parameter text: the candidate address.
    public static func isValid(_ text: String) -> Bool {
        publicKey(text) != nil
    }

    /// The 32 key bytes an address encodes, or nil when `text` is not an address.
    ///
    /// - Parameter text: the candidate address.
    public static func publicKey(_ text: String) -> [UInt8]? {
        guard let bytes = Base58.decode(text, maxBytes: 32), bytes.count == 32 else {
            return nil
        }
        return bytes
    }
}
