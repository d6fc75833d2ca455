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

    /// Decodes text; nil when it holds a character outside the alphabet.
    ///
    /// - Parameter text: the base58 text.
    public static func decode(_ text: String) -> [UInt8]? {
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
        guard (32...44).contains(text.utf8.count), let bytes = Base58.decode(text), bytes.count == 32 else {
            return nil
        }
        return bytes
    }
}
