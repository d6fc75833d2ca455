/// The Solana JSON-RPC methods the payout job uses, behind a protocol so tests can stand in.
///
/// Related Solana documentation: <https://solana.com/docs/rpc/http>
public protocol SolanaRPC {
    /// `getLatestBlockhash` (finalized): the blockhash to sign with and the last block height at
    /// which a transaction using it can land.
    func latestBlockhash() throws(RPCError) -> (blockhash: String, lastValidBlockHeight: UInt64)
    /// `sendTransaction` (base64); returns the signature the node computed.
    func sendTransaction(_ wireBytes: [UInt8], skipPreflight: Bool) throws(RPCError) -> String
    /// `getSignatureStatuses` with `searchTransactionHistory`: one entry per signature, nil when
    /// the node knows nothing of it.
    func signatureStatuses(_ signatures: [String]) throws(RPCError) -> [SignatureStatus?]
    /// `getBlockHeight` (finalized).
    func blockHeight() throws(RPCError) -> UInt64
    /// `getAccountInfo` (base64): the account's data, or nil when it does not exist.
    func accountData(_ address: PublicKey) throws(RPCError) -> AccountData?
}

/// What `getSignatureStatuses` says of one transaction.
public struct SignatureStatus: Sendable, Equatable, Decodable {
    public var slot: UInt64
    /// The transaction's error when it failed, else nil.
    public var err: JSONValue?
    /// `processed`, `confirmed` or `finalized`.
    public var confirmationStatus: String?

    /// True when the cluster has finalized the block that holds it.
    public var isFinalized: Bool { confirmationStatus == "finalized" }

    /// The error, nil when the transaction succeeded (`err` absent or null).
    public var failure: JSONValue? { err == .null ? nil : err }
}

/// An account's owner program and data.
public struct AccountData: Sendable, Equatable {
    public var owner: PublicKey
    public var data: [UInt8]
}
