@testable import Shared

/// A stand-in for a Solana node: it lands what it is sent (unless told to drop it), answers
/// statuses from what landed, and records every call in order.
final class FakeSolanaRPC: SolanaRPC {
    var height: UInt64 = 1_000
    var blockhashes = 0
    /// Signatures that landed, with their status.
    var statuses: [String: SignatureStatus] = [:]
    /// Sends to throw away, and the error to throw on the next send.
    var dropSends = 0
    var sendError: RPCError?
    /// Each call's method name, in order.
    var calls: [String] = []
    /// Every send: its signature and whether preflight was skipped.
    var sends: [(signature: String, skipPreflight: Bool)] = []
    /// Runs on each send before it lands (to check what the database holds at that moment).
    var onSend: (String) -> Void = { _ in }
    var mint: AccountData?

    func latestBlockhash() throws(RPCError) -> (blockhash: String, lastValidBlockHeight: UInt64) {
        calls.append("getLatestBlockhash")
        blockhashes += 1
        return (Base58.encode(Sodium.sha256(Array("blockhash-\(blockhashes)".utf8))), height + 150)
    }

    func sendTransaction(_ wireBytes: [UInt8], skipPreflight: Bool) throws(RPCError) -> String {
        calls.append("sendTransaction")
        let signature = Base58.encode(Array(wireBytes[1..<65]))
        sends.append((signature, skipPreflight))
        onSend(signature)
        if let error = sendError {
            sendError = nil
            throw error
        }
        if dropSends > 0 {
            dropSends -= 1
        } else if statuses[signature] == nil {
            statuses[signature] = SignatureStatus(slot: 1, err: nil, confirmationStatus: "finalized")
        }
        return signature
    }

    func signatureStatuses(_ signatures: [String]) throws(RPCError) -> [SignatureStatus?] {
        calls.append("getSignatureStatuses")
        return signatures.map { statuses[$0] }
    }

    func blockHeight() throws(RPCError) -> UInt64 {
        calls.append("getBlockHeight")
        return height
    }

    func accountData(_ address: PublicKey) throws(RPCError) -> AccountData? {
        calls.append("getAccountInfo")
        return mint
    }
}
