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

/// A libsodium call that failed.
public struct SodiumError: Error, CustomStringConvertible {
    /// The libsodium function that failed.
    public let function: String
    public var description: String { "libsodium: \(function) failed" }
}
