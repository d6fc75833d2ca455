/// A legacy transaction message: header, account keys, recent blockhash, compiled instructions.
///
/// Keys are ordered as Solana's own `Message::new_with_blockhash` orders them: the fee payer
/// first, then writable signers, read-only signers, writable non-signers and read-only
/// non-signers, each group sorted by key bytes. So the same instructions give the same bytes here
/// as in Solana's SDK.
public struct Message: Sendable, Equatable {
    /// Signatures the message needs (the first keys).
    public var requiredSignatures: UInt8
    /// Of those, how many are read-only.
    public var readonlySigned: UInt8
    /// Read-only keys among the non-signers (the last keys).
    public var readonlyUnsigned: UInt8
    public var accountKeys: [PublicKey]
    public var recentBlockhash: [UInt8]
    public var instructions: [CompiledInstruction]

    /// An instruction with its program and accounts as indexes into `accountKeys`.
    public struct CompiledInstruction: Sendable, Equatable {
        public var programIndex: UInt8
        public var accountIndexes: [UInt8]
        public var data: [UInt8]
    }

    /// Why instructions cannot be compiled.
    public enum CompileError: Error, Equatable {
        /// More than 256 distinct accounts.
        case tooManyAccounts
        /// The blockhash is not 32 bytes.
        case badBlockhash
    }

    /// Compiles instructions paid for by `payer`.
    ///
    /// - Throws: `CompileError` when the message cannot be formed.
    public init(instructions: [Instruction], payer: PublicKey, recentBlockhash: [UInt8]) throws(CompileError) {
        guard recentBlockhash.count == 32 else { throw .badBlockhash }
        // Each key's strongest use: signer and writable are OR-ed over every reference.
        var roles: [PublicKey: (signer: Bool, writable: Bool)] = [:]
        for instruction in instructions {
            roles[instruction.programID] = roles[instruction.programID] ?? (false, false)
            for account in instruction.accounts {
                let role = roles[account.publicKey] ?? (false, false)
                roles[account.publicKey] = (role.signer || account.isSigner, role.writable || account.isWritable)
            }
        }
        roles[payer] = nil
        let sorted = roles.keys.sorted()
        func keys(signer: Bool, writable: Bool) -> [PublicKey] {
            sorted.filter { roles[$0]?.signer == signer && roles[$0]?.writable == writable }
        }
        let writableSigners = [payer] + keys(signer: true, writable: true)
        let readonlySigners = keys(signer: true, writable: false)
        let writableOthers = keys(signer: false, writable: true)
        let readonlyOthers = keys(signer: false, writable: false)
        let all = writableSigners + readonlySigners + writableOthers + readonlyOthers
        guard all.count <= 256 else { throw .tooManyAccounts }
        var index: [PublicKey: UInt8] = [:]
        for (position, key) in all.enumerated() { index[key] = UInt8(position) }

        requiredSignatures = UInt8(writableSigners.count + readonlySigners.count)
        readonlySigned = UInt8(readonlySigners.count)
        readonlyUnsigned = UInt8(readonlyOthers.count)
        accountKeys = all
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions.map { instruction in
            CompiledInstruction(
                programIndex: index[instruction.programID] ?? 0,
                accountIndexes: instruction.accounts.map { index[$0.publicKey] ?? 0 },
                data: instruction.data
            )
        }
    }

    /// The bytes that are signed and sent.
    public var serialized: [UInt8] {
        var bytes: [UInt8] = [requiredSignatures, readonlySigned, readonlyUnsigned]
        bytes += CompactU16.encode(UInt16(accountKeys.count))
        for key in accountKeys { bytes += key.bytes }
        bytes += recentBlockhash
        bytes += CompactU16.encode(UInt16(instructions.count))
        for instruction in instructions {
            bytes.append(instruction.programIndex)
            bytes += CompactU16.encode(UInt16(instruction.accountIndexes.count))
            bytes += instruction.accountIndexes
            bytes += CompactU16.encode(UInt16(clamping: instruction.data.count))
            bytes += instruction.data
        }
        return bytes
    }
}
