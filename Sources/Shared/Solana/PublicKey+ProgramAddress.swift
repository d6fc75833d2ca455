/// Program-derived addresses, as `Pubkey::find_program_address` computes them.
extension PublicKey {
    /// The bytes Solana appends to the seeds before hashing (`PDA_MARKER`).
    static let programAddressMarker = Array("ProgramDerivedAddress".utf8)

    /// The address SHA-256(seeds ‖ program id ‖ "ProgramDerivedAddress"), or nil when it lands on the
    /// curve (then it could have a private key, and is no program address).
    ///
    /// - Parameters:
    ///   - seeds: at most 16 seeds of at most 32 bytes each.
    ///   - programID: the deriving program.
    public static func createProgramAddress(seeds: [[UInt8]], programID: PublicKey) -> PublicKey? {
        guard seeds.count <= 16, seeds.allSatisfy({ $0.count <= 32 }) else { return nil }
        let digest = Sodium.sha256(seeds.flatMap { $0 } + programID.bytes + programAddressMarker)
        guard let address = PublicKey(bytes: digest), !address.isOnCurve else { return nil }
        return address
    }

    /// The first off-curve address for bump seeds 255 down to 0, with its bump.
    ///
    /// - Parameters:
    ///   - seeds: at most 15 seeds (the bump is the 16th) of at most 32 bytes each.
    ///   - programID: the deriving program.
    public static func findProgramAddress(seeds: [[UInt8]], programID: PublicKey) -> (PublicKey, UInt8)? {
        for bump in (UInt8.min...UInt8.max).reversed() {
            if let address = createProgramAddress(seeds: seeds + [[bump]], programID: programID) {
                return (address, bump)
            }
        }
        return nil
    }

    /// The Associated Token Account of `owner` for `mint` under the SPL Token program.
    ///
    /// - Returns: nil only in the astronomically unlikely case that no bump works.
    public static func associatedTokenAddress(owner: PublicKey, mint: PublicKey) -> PublicKey? {
        findProgramAddress(
            seeds: [owner.bytes, tokenProgram.bytes, mint.bytes],
            programID: associatedTokenProgram
        )?.0
    }
}
