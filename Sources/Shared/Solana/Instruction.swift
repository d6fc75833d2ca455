/// An account an instruction reads or writes, and whether it must sign.
public struct AccountMeta: Sendable, Equatable {
    public var publicKey: PublicKey
    public var isSigner: Bool
    public var isWritable: Bool

    /// Creates an account reference.
    public init(_ publicKey: PublicKey, signer: Bool, writable: Bool) {
        self.publicKey = publicKey
        self.isSigner = signer
        self.isWritable = writable
    }
}

/// One instruction: the program to run, its accounts in the program's order, and its data.
public struct Instruction: Sendable, Equatable {
    public var programID: PublicKey
    public var accounts: [AccountMeta]
    public var data: [UInt8]

    /// Creates an instruction.
    public init(programID: PublicKey, accounts: [AccountMeta], data: [UInt8]) {
        self.programID = programID
        self.accounts = accounts
        self.data = data
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order, as Solana programs read integers.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
