import CSodium

/// The one owner of libsodium: initialisation and the primitives this service uses.
///
/// Related libsodium documentation: <https://doc.libsodium.org/usage>
public enum Sodium {
    /// Initialises libsodium; call once at start-up, before any thread uses it.
    ///
    /// - Throws: `SodiumError` when the library cannot initialise (no entropy source).
    public static func initialize() throws {
        // "sodium_init() returns 0 on success, -1 on failure, and 1 if the library had already
        // been initialized."
        guard sodium_init() >= 0 else { throw SodiumError(function: "sodium_init") }
    }

    /// `count` bytes from libsodium's CSPRNG.
    ///
    /// - Parameter count: how many bytes.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/generating_random_data>
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            randombytes_buf(start, buffer.count)
        }
        return bytes
    }
}

extension Sodium {
    /// Bytes in an ed25519 public key.
    public static let publicKeyBytes = Int(crypto_sign_PUBLICKEYBYTES)
    /// Bytes in a detached ed25519 signature.
    public static let signatureBytes = Int(crypto_sign_BYTES)
    /// Bytes in a SHA-256 digest.
    public static let sha256Bytes = Int(crypto_hash_sha256_BYTES)

    /// Verifies a detached ed25519 signature. Wrong lengths are refused before libsodium sees them;
    /// libsodium itself refuses non-canonical signatures and small-order public keys.
    ///
    /// - Parameters:
    ///   - signature: 64 bytes.
    ///   - message: the signed bytes.
    ///   - publicKey: 32 bytes.
    /// - Returns: true only for a valid signature by `publicKey` over `message`.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/public-key_cryptography/public-key_signatures>
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureBytes, publicKey.count == publicKeyBytes else { return false }
        return crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }

    /// The SHA-256 digest of `bytes`.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/advanced/sha-2_hash_function>
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: sha256Bytes)
        crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        return digest
    }

    /// HMAC-SHA-256 of `message` under `key` (any key length).
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/advanced/hmac-sha2>
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        crypto_auth_hmacsha256_init(&state, key, key.count)
        crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        crypto_auth_hmacsha256_final(&state, &mac)
        return mac
    }

    /// Compares two byte strings in time that depends only on their length.
    ///
    /// Related libsodium documentation: <https://doc.libsodium.org/helpers#constant-time-test-for-equality>
    public static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard !lhs.isEmpty else { return true }
        return sodium_memcmp(lhs, rhs, lhs.count) == 0
    }
}

/// A libsodium call that failed.
public struct SodiumError: Error, CustomStringConvertible {
    /// The libsodium function that failed.
    public let function: String
    public var description: String { "libsodium: \(function) failed" }
}
