/// A Solana account address: 32 bytes, written in base58.
public struct PublicKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Bytes in an address.
    public static let byteCount = 32

    /// The 32 bytes.
    public let bytes: [UInt8]

    /// An address from its bytes; nil unless there are exactly 32.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// An address from base58 text; nil unless it decodes to exactly 32 bytes.
    public init?(base58 text: String) {
        guard let bytes = SolanaAddress.publicKey(text) else { return nil }
        self.bytes = bytes
    }

    /// An address known at compile time (program ids); traps on a typo, which tests catch.
    init(constant text: String) {
        guard let key = PublicKey(base58: text) else { preconditionFailure("bad address constant \(text)") }
        self = key
    }

    /// The base58 text.
    public var base58: String { Base58.encode(bytes) }

    public var description: String { base58 }

    /// True when the bytes are a point on the ed25519 curve: a key someone can hold and sign with.
    /// Program-derived addresses are off the curve.
    public var isOnCurve: Bool { Sodium.isOnCurve(bytes) }

    /// Byte order: how Solana's tools sort account keys inside a message.
    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension PublicKey {
    /// The System Program.
    public static let systemProgram = PublicKey(constant: "11111111111111111111111111111111")
    /// The SPL Token program.
    public static let tokenProgram = PublicKey(constant: "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    /// The SPL Associated Token Account program.
    public static let associatedTokenProgram = PublicKey(constant: "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
    /// The Compute Budget program.
    public static let computeBudgetProgram = PublicKey(constant: "ComputeBudget111111111111111111111111111111")
}
