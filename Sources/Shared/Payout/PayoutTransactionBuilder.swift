/// Builds payout transactions: Compute Budget instructions, then per reward a CreateIdempotent
/// (once per account) and a MintToChecked, signed by the mint authority, who also pays the fees.
struct PayoutTransactionBuilder {
    /// Compute units asked for each instruction. Measured on LiteSVM with the real programs: a
    /// CreateIdempotent that creates the account and its MintToChecked ~14,600 together, a
    /// MintToChecked alone under 2,000. The limit leaves about twice that: a priority fee is paid
    /// on the limit, not on what is used, and a limit too low fails the whole transaction.
    static let computeUnitsPerAccount: UInt32 = 25_000
    static let computeUnitsPerMint: UInt32 = 5_000
    static let computeUnitsBase: UInt32 = 1_000
    /// The most a transaction may ask for (Agave's MAX_COMPUTE_UNIT_LIMIT).
    static let maximumComputeUnits: UInt32 = 1_400_000
    /// The low bits of the compute-unit limit carry the payout id, so two payouts never have the
    /// same bytes (the same rewards, amounts and blockhash would otherwise give one signature, and
    /// the chain would run it once).
    static let payoutIDSpread: Int64 = 1_000

    let signer: Keypair
    let mint: PublicKey
    let decimals: UInt8
    /// Micro-lamports per compute unit; 0 sends no price instruction.
    let priorityFee: UInt64

    /// The rewards as payout lines with their token accounts, grouped by owner (oldest first
    /// within each), so a referrer's rewards share one account creation and more fit in a packet.
    ///
    /// - Throws: `RPCError.malformed` in the astronomically unlikely case that an owner has no
    ///   associated token address.
    func lines(_ rewards: [(PayableReward, PublicKey)]) throws -> [PayoutLine] {
        let lines = try rewards.map { reward, owner in
            guard let account = PublicKey.associatedTokenAddress(owner: owner, mint: mint) else {
                throw RPCError.malformed("no associated token address for \(owner)")
            }
            return PayoutLine(reward: reward, owner: owner, account: account)
        }
        return lines.enumerated().sorted { ($0.element.owner, $0.offset) < ($1.element.owner, $1.offset) }
            .map(\.element)
    }

    /// How many of the next rewards fit in one transaction of at most 1,232 bytes.
    func fittingCount(_ lines: ArraySlice<PayoutLine>) throws -> Int {
        let placeholder = [UInt8](repeating: 0, count: 32)
        var count = 0
        while count < lines.count {
            let candidate = Array(lines.prefix(count + 1))
            let size = try message(candidate, payoutID: 0, blockhash: placeholder).serialized.count + 1 + 64
            guard size <= SignedTransaction.maximumBytes else { break }
            count += 1
        }
        guard count > 0 else { throw RPCError.malformed("one reward does not fit in a transaction") }
        return count
    }

    func signedTransaction(_ lines: [PayoutLine], payoutID: Int64, blockhash: [UInt8]) throws -> SignedTransaction {
        guard
            let transaction = SignedTransaction(
                message: try message(lines, payoutID: payoutID, blockhash: blockhash),
                signer: signer
            )
        else { throw RPCError.malformed("cannot sign the payout transaction") }
        return transaction
    }

    func message(_ lines: [PayoutLine], payoutID: Int64, blockhash: [UInt8]) throws -> Message {
        let payer = signer.publicKey
        let accounts = UInt32(Set(lines.map(\.account)).count)
        let sized =
            Self.computeUnitsBase + Self.computeUnitsPerAccount * accounts
            + Self.computeUnitsPerMint * UInt32(lines.count)
        let spread = UInt32(payoutID % Self.payoutIDSpread)
        let limit = min(sized, Self.maximumComputeUnits - UInt32(Self.payoutIDSpread)) + spread
        var instructions = [PayoutInstructions.setComputeUnitLimit(limit)]
        if priorityFee > 0 { instructions.append(PayoutInstructions.setComputeUnitPrice(priorityFee)) }
        var created: Set<PublicKey> = []
        for line in lines {
            // One CreateIdempotent per account and transaction: a second reward to the same owner
            // needs only its MintToChecked.
            if created.insert(line.account).inserted {
                instructions.append(
                    PayoutInstructions.createAssociatedTokenAccountIdempotent(
                        payer: payer,
                        associatedAccount: line.account,
                        owner: line.owner,
                        mint: mint
                    )
                )
            }
            instructions.append(
                PayoutInstructions.mintToChecked(
                    mint: mint,
                    destination: line.account,
                    authority: payer,
                    amount: line.reward.amount,
                    decimals: decimals
                )
            )
        }
        return try Message(instructions: instructions, payer: payer, recentBlockhash: blockhash)
    }
}

/// One reward with its owner's key and token account.
struct PayoutLine {
    var reward: PayableReward
    var owner: PublicKey
    var account: PublicKey
}
