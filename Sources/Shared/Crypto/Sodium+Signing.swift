import CSodium

extension Sodium {
    /// Bytes in an ed25519 secret key as libsodium and the Solana CLI store it: seed, then public key.
    public static let secretKeyBytes = Int(crypto_sign_SECRETKEYBYTES)
    /// Bytes in an ed25519 seed.
    public static let seedBytes = Int(crypto_sign_SEEDBYTES)

    /// Signs `message` with a 64-byte secret key (a detached ed25519 signature).
    ///
    /// - Parameters:
    ///   - message: the bytes to sign.
    ///   - secretKey: seed followed by public key, 64 bytes.
    /// - Returns: the 64-byte signature, or nil for a key of the wrong length.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/public-key_cryptography/public-key_signatures>
    public static func sign(_ message: [UInt8], secretKey: [UInt8]) -> [UInt8]? {
        guard secretKey.count == secretKeyBytes else { return nil }
        var signature = [UInt8](repeating: 0, count: signatureBytes)
        guard crypto_sign_detached(&signature, nil, message, UInt64(message.count), secretKey) == 0 else { return nil }
        return signature
    }

    /// The key pair a 32-byte seed determines.
    ///
    /// - Returns: `(publicKey, secretKey)`, or nil for a seed of the wrong length.
    public static func keyPair(seed: [UInt8]) -> (publicKey: [UInt8], secretKey: [UInt8])? {
        guard seed.count == seedBytes else { return nil }
        var publicKey = [UInt8](repeating: 0, count: publicKeyBytes)
        var secretKey = [UInt8](repeating: 0, count: secretKeyBytes)
        guard crypto_sign_seed_keypair(&publicKey, &secretKey, seed) == 0 else { return nil }
        return (publicKey, secretKey)
    }

    /// True when 32 bytes decode to a point on the ed25519 curve, as Solana's `is_on_curve` asks
    /// (a program-derived address must not be one).
    ///
    /// libsodium's `crypto_core_ed25519_is_valid_point` is stricter than Solana: it also refuses
    /// points of small order or outside the prime-order subgroup, which Solana counts as on the
    /// curve. `crypto_core_ed25519_add` checks only that each operand decodes and lies on the
    /// curve, so adding the identity point answers exactly Solana's question.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/advanced/point-arithmetic>
    public static func isOnCurve(_ point: [UInt8]) -> Bool {
        guard point.count == Int(crypto_core_ed25519_BYTES) else { return false }
        var identity = [UInt8](repeating: 0, count: point.count)
        identity[0] = 1
        var sum = [UInt8](repeating: 0, count: point.count)
        return crypto_core_ed25519_add(&sum, point, identity) == 0
    }
}
