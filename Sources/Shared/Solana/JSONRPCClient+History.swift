extension JSONRPCClient: SolanaHistoryRPC {
    public func signatures(for address: PublicKey, before: String?, limit: Int) throws(RPCError) -> [SignatureInfo] {
        var options = #"{"commitment":"finalized","limit":\#(max(1, min(limit, 1_000)))"#
        if let before { options += #","before":\#(JSONText.quote(before))"# }
        return try call("getSignaturesForAddress", #"["\#(address.base58)",\#(options)}]"#)
    }

    public func transaction(_ signature: String) throws(RPCError) -> ConfirmedTransaction? {
        try callAllowingNull(
            "getTransaction",
            #"[\#(JSONText.quote(signature)),{"encoding":"json","commitment":"finalized","maxSupportedTransactionVersion":0}]"#
        )
    }
}
