import FoundationEssentials

@testable import Shared

/// Transactions in the shape Agave's `getTransaction` gives them (json encoding), decoded by the
/// types the payout job decodes the node's answers with.
enum TransactionFixture {
    /// A transaction whose fee payer is `keys[0]`; `lamports` gives each key's lamports before and after,
    /// `tokens` the token balances as (key index, mint, owner, before, after).
    static func make(
        signature: String = "5sig",
        keys: [String],
        lamports: [(UInt64, UInt64)],
        tokens: [(Int, String, String, UInt64?, UInt64)] = [],
        err: String = "null",
        blockTime: Int64 = 1_700_000_000,
        loaded: (writable: [String], readonly: [String]) = ([], [])
    ) throws -> ConfirmedTransaction {
        func list(_ values: [String]) -> String { "[" + values.map { "\"\($0)\"" }.joined(separator: ",") + "]" }
        func balance(_ index: Int, _ mint: String, _ owner: String, _ units: UInt64) -> String {
            #"{"accountIndex":\#(index),"mint":"\#(mint)","owner":"\#(owner)","programId":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","uiTokenAmount":{"amount":"\#(units)","decimals":6,"uiAmount":0.5,"uiAmountString":"0.5"}}"#
        }
        let pre = tokens.compactMap { token in token.3.map { balance(token.0, token.1, token.2, $0) } }
        let post = tokens.map { balance($0.0, $0.1, $0.2, $0.4) }
        let json = """
            {"slot":42,"blockTime":\(blockTime),"version":0,
             "transaction":{"signatures":["\(signature)"],"message":{"header":{"numRequiredSignatures":1,
               "numReadonlySignedAccounts":0,"numReadonlyUnsignedAccounts":1},"accountKeys":\(list(keys)),
               "recentBlockhash":"11111111111111111111111111111111","instructions":[]}},
             "meta":{"err":\(err),"fee":5000,"preBalances":[\(lamports.map { String($0.0) }.joined(separator: ","))],
               "postBalances":[\(lamports.map { String($0.1) }.joined(separator: ","))],
               "preTokenBalances":[\(pre.joined(separator: ","))],"postTokenBalances":[\(post.joined(separator: ","))],
               "loadedAddresses":{"writable":\(list(loaded.writable)),"readonly":\(list(loaded.readonly))}}}
            """
        return try JSONDecoder().decode(ConfirmedTransaction.self, from: Data(json.utf8))
    }

}
