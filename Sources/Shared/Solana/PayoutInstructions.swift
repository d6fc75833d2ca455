/// The instructions a payout transaction is made of.
public enum PayoutInstructions {
    /// Compute Budget `SetComputeUnitLimit` (discriminator 2, u32 units).
    public static func setComputeUnitLimit(_ units: UInt32) -> Instruction {
        var data: [UInt8] = [2]
        data.appendLittleEndian(units)
        return Instruction(programID: .computeBudgetProgram, accounts: [], data: data)
    }

    /// Compute Budget `SetComputeUnitPrice` (discriminator 3, u64 micro-lamports per unit).
    public static func setComputeUnitPrice(_ microLamports: UInt64) -> Instruction {
        var data: [UInt8] = [3]
        data.appendLittleEndian(microLamports)
        return Instruction(programID: .computeBudgetProgram, accounts: [], data: data)
    }

    /// Associated Token Account `CreateIdempotent` (instruction 1): creates `owner`'s account for
    /// `mint` when it does not exist, and succeeds quietly when it does.
    public static func createAssociatedTokenAccountIdempotent(
        payer: PublicKey,
        associatedAccount: PublicKey,
        owner: PublicKey,
        mint: PublicKey
    ) -> Instruction {
        Instruction(
            programID: .associatedTokenProgram,
            accounts: [
                AccountMeta(payer, signer: true, writable: true),
                AccountMeta(associatedAccount, signer: false, writable: true),
                AccountMeta(owner, signer: false, writable: false),
                AccountMeta(mint, signer: false, writable: false),
                AccountMeta(.systemProgram, signer: false, writable: false),
                AccountMeta(.tokenProgram, signer: false, writable: false),
            ],
            data: [1]
        )
    }

    /// SPL Token `MintToChecked` (instruction 14, u64 amount, u8 decimals): the program refuses it
    /// when `decimals` differs from the mint's, so a wrong MINT_DECIMALS cannot mint 10× too much.
    public static func mintToChecked(
        mint: PublicKey,
        destination: PublicKey,
        authority: PublicKey,
        amount: UInt64,
        decimals: UInt8
    ) -> Instruction {
        var data: [UInt8] = [14]
        data.appendLittleEndian(amount)
        data.append(decimals)
        return Instruction(
            programID: .tokenProgram,
            accounts: [
                AccountMeta(mint, signer: false, writable: true),
                AccountMeta(destination, signer: false, writable: true),
                AccountMeta(authority, signer: true, writable: false),
            ],
            data: data
        )
    }
}
