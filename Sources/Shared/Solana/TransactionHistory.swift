/// The Solana JSON-RPC methods that look a payment up, behind a protocol so tests can stand in.
///
/// Related Solana documentation: <https://solana.com/docs/rpc/http/getsignaturesforaddress>,
/// <https://solana.com/docs/rpc/http/gettransaction>
public protocol SolanaHistoryRPC {
    /// `getSignaturesForAddress` (finalized): newest first, at most `limit`, older than `before`.
    func signatures(for address: PublicKey, before: String?, limit: Int) throws(RPCError) -> [SignatureInfo]
    /// `getTransaction` (json, finalized, `maxSupportedTransactionVersion` 0); nil when the node
    /// does not know the signature.
    func transaction(_ signature: String) throws(RPCError) -> ConfirmedTransaction?
}

/// One entry of `getSignaturesForAddress`.
public struct SignatureInfo: Sendable, Equatable, Decodable {
    public var signature: String
    public var slot: UInt64
    /// The transaction's error when it failed, else nil or `.null`.
    public var err: JSONValue?
    /// Seconds since the epoch of the block, when the node knows it.
    public var blockTime: Int64?
}

/// A finalized transaction as `getTransaction` gives it in the `json` encoding: only the parts a
/// payment check reads.
public struct ConfirmedTransaction: Sendable, Equatable, Decodable {
    public var slot: UInt64
    public var blockTime: Int64?
    public var transaction: Body
    public var meta: Meta?

    public struct Body: Sendable, Equatable, Decodable {
        public var signatures: [String]
        public var message: Message
    }

    public struct Message: Sendable, Equatable, Decodable {
        /// The static account keys, base58, the fee payer first.
        public var accountKeys: [String]
    }

    public struct Meta: Sendable, Equatable, Decodable {
        public var err: JSONValue?
        public var preBalances: [UInt64]
        public var postBalances: [UInt64]
        public var preTokenBalances: [TokenBalance]?
        public var postTokenBalances: [TokenBalance]?
        /// v0 transactions: the keys their lookup tables added, after the static ones.
        public var loadedAddresses: LoadedAddresses?
    }

    public struct LoadedAddresses: Sendable, Equatable, Decodable {
        public var writable: [String]
        public var readonly: [String]
    }

    /// Every account the transaction touched, in the order balances and `accountIndex` use:
    /// static keys, then lookup-table writable, then lookup-table read-only.
    public var accountKeys: [String] {
        let loaded = meta?.loadedAddresses
        return transaction.message.accountKeys + (loaded?.writable ?? []) + (loaded?.readonly ?? [])
    }

    /// The fee payer (the first static key).
    public var feePayer: String? { transaction.message.accountKeys.first }

    /// The first signature, which names the transaction.
    public var signature: String? { transaction.signatures.first }

    /// True when the transaction succeeded (`meta.err` absent or null).
    public var succeeded: Bool {
        guard let meta else { return false }
        return meta.err == nil || meta.err == .null
    }
}

/// A token account's balance before or after a transaction.
public struct TokenBalance: Sendable, Equatable, Decodable {
    public var accountIndex: Int
    public var mint: String
    public var owner: String?
    public var uiTokenAmount: Amount

    public struct Amount: Sendable, Equatable, Decodable {
        /// The raw amount in smallest units, as a decimal string (never the float `uiAmount`).
        public var amount: String
    }

    /// The raw amount, nil when it is not a u64.
    public var units: UInt64? {
        uiTokenAmount.amount.utf8.count <= 20 ? UInt64(uiTokenAmount.amount) : nil
    }
}
