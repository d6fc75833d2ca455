/// Builds payout transactions: Compute Budget instructions, then a CreateIdempotent and a
/// MintToChecked per reward, signed by the mint authority, who also pays the fees.
struct PayoutTransactionBuilder {
    /// Compute units asked per reward (CreateIdempotent that creates the account, then MintToChecked)
    /// and for the two Compute Budget instructions. Measured on LiteSVM with the real programs:
    /// ~14,600 units a reward when every account is created; the limit leaves twice that, since a
    /// priority fee is paid on the limit, not on what is used.
    static let computeUnitsPerReward: UInt32 = 30_000
    static let computeUnitsBase: UInt32 = 1_000
    /// The low bits of the compute-unit limit carry the payout id, so two payouts never have the
    /// same bytes (the same rewards, amounts and blockhash would otherwise give one signature, and
    /// the chain would run it once).
    static let payoutIDSpread: Int64 = 1_000

    let signer: Keypair
    let mint: PublicKey
    let decimals: UInt8
    /// Micro-lamports per compute unit; 0 sends no price instruction.
    let priorityFee: UInt64

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
        let limit =
            Self.computeUnitsBase + Self.computeUnitsPerReward * UInt32(lines.count)
            + UInt32(payoutID % Self.payoutIDSpread)
        var instructions = [PayoutInstructions.setComputeUnitLimit(limit)]
        if priorityFee > 0 { instructions.append(PayoutInstructions.setComputeUnitPrice(priorityFee)) }
        for line in lines {
            instructions.append(
                PayoutInstructions.createAssociatedTokenAccountIdempotent(
                    payer: payer,
                    associatedAccount: line.account,
                    owner: line.owner,
                    mint: mint
                )
            )
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
