/// A signed legacy transaction in its wire form.
public struct SignedTransaction: Sendable, Equatable {
    /// The largest transaction a validator accepts: an IPv6 packet (1,280) less 48 bytes of headers.
    public static let maximumBytes = 1_232

    /// Signatures then message, as `sendTransaction` takes them.
    public let wireBytes: [UInt8]
    /// The first signature: the transaction's id.
    public let signature: [UInt8]

    /// Signs `message` with the one key it needs (the fee payer's).
    ///
    /// - Parameters:
    ///   - message: a message whose only signer is `signer`.
    ///   - signer: the fee payer's key pair.
    /// - Returns: nil when the message wants other signers, or signing fails.
    public init?(message: Message, signer: Keypair) {
        guard message.requiredSignatures == 1, message.accountKeys.first == signer.publicKey else { return nil }
        let body = message.serialized
        guard let signature = signer.sign(body) else { return nil }
        self.signature = signature
        wireBytes = CompactU16.encode(1) + signature + body
    }

    /// The signature in base58, as RPC methods name the transaction.
    public var signatureText: String { Base58.encode(signature) }
}
