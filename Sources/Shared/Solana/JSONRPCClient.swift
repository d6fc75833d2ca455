import FoundationEssentials
@preconcurrency import Glibc

/// Solana JSON-RPC over HTTP, through libcurl: one call at a time on one handle.
///
/// Transport failures, HTTP statuses and JSON-RPC error objects come back as `RPCError`; a 429 is
/// retried after the `Retry-After` the node asks for (or a doubling pause), a few times.
public final class JSONRPCClient: SolanaRPC {
    /// Attempts after a 429 before giving up with `RPCError.rateLimited`.
    public static let rateLimitRetries = 4
    /// The longest pause a `Retry-After` may impose.
    public static let longestRetryAfterSeconds = 30

    let url: String
    let timeoutMilliseconds: Int
    let curl: CurlEasy
    private var nextID = 1
    /// Sleeps between retries; replaced in tests.
    let pause: (Double) -> Void

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - url: the node's http(s) URL.
    ///   - timeoutSeconds: one HTTP exchange's limit.
    ///   - pause: how to wait `seconds` before a retry.
    /// - Throws: `CurlError` when libcurl cannot make a handle.
    public init(url: String, timeoutSeconds: Int, pause: @escaping (Double) -> Void = JSONRPCClient.sleep) throws {
        self.url = url
        self.timeoutMilliseconds = timeoutSeconds * 1_000
        self.curl = try CurlEasy()
        self.pause = pause
    }

    /// Sleeps the calling thread.
    public static func sleep(_ seconds: Double) {
        usleep(UInt32(max(0, min(seconds, 3_600)) * 1_000_000))
    }

    // MARK: - Methods

    public func latestBlockhash() throws(RPCError) -> (blockhash: String, lastValidBlockHeight: UInt64) {
        let answer: Contextual<BlockhashValue> = try call("getLatestBlockhash", #"[{"commitment":"finalized"}]"#)
        return (answer.value.blockhash, answer.value.lastValidBlockHeight)
    }

    public func sendTransaction(_ wireBytes: [UInt8], skipPreflight: Bool) throws(RPCError) -> String {
        // maxRetries 0: the payout job rebroadcasts itself, so the node need not hold on to it.
        let options =
            #"{"encoding":"base64","skipPreflight":\#(skipPreflight),"preflightCommitment":"finalized","maxRetries":0}"#
        return try call("sendTransaction", "[\(JSONText.quote(Sodium.base64(wireBytes))),\(options)]")
    }

    public func signatureStatuses(_ signatures: [String]) throws(RPCError) -> [SignatureStatus?] {
        let list = signatures.map(JSONText.quote).joined(separator: ",")
        let answer: Contextual<[SignatureStatus?]> = try call(
            "getSignatureStatuses",
            #"[[\#(list)],{"searchTransactionHistory":true}]"#
        )
        guard answer.value.count == signatures.count else {
            throw .malformed("getSignatureStatuses gave \(answer.value.count) entries for \(signatures.count)")
        }
        return answer.value
    }

    public func blockHeight() throws(RPCError) -> UInt64 {
        try call("getBlockHeight", #"[{"commitment":"finalized"}]"#)
    }

    public func accountData(_ address: PublicKey) throws(RPCError) -> AccountData? {
        let answer: Contextual<AccountValue?> = try call(
            "getAccountInfo",
            #"["\#(address.base58)",{"encoding":"base64","commitment":"finalized"}]"#
        )
        guard let value = answer.value else { return nil }
        guard value.data.count == 2, value.data[1] == "base64", let bytes = Sodium.base64Decode(value.data[0]),
            let owner = PublicKey(base58: value.owner)
        else { throw .malformed("getAccountInfo data is not base64") }
        return AccountData(owner: owner, data: bytes)
    }

    // MARK: - Transport

    /// Posts one JSON-RPC request and decodes its `result`, which must be there.
    func call<Result: Decodable>(_ method: String, _ params: String) throws(RPCError) -> Result {
        guard let result: Result = try callAllowingNull(method, params) else {
            throw .malformed("\(method): no result")
        }
        return result
    }

    /// Posts one JSON-RPC request and decodes its `result`; nil when the node answered `null`
    /// (`getTransaction` of a signature it does not know).
    func callAllowingNull<Result: Decodable>(_ method: String, _ params: String) throws(RPCError) -> Result? {
        let id = nextID
        nextID += 1
        let body = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
        let reply = try post(Array(body.utf8))
        guard reply.status == 200 else {
            throw .http(status: reply.status, body: String(decoding: reply.body.prefix(200), as: UTF8.self))
        }
        let envelope: Envelope<Result>
        do {
            envelope = try JSONDecoder().decode(Envelope<Result>.self, from: Data(reply.body))
        } catch {
            throw .malformed("\(method): \(String(decoding: reply.body.prefix(200), as: UTF8.self))")
        }
        if let failure = envelope.error {
            throw .server(code: failure.code, message: failure.message, data: failure.data)
        }
        guard envelope.id == id else { throw .malformed("\(method): answer to another request than \(id)") }
        return envelope.result
    }

    /// One POST, retried while the node answers 429.
    func post(_ body: [UInt8]) throws(RPCError) -> HTTPReply {
        var delay = 0.5
        for attempt in 0...Self.rateLimitRetries {
            let reply: HTTPReply
            do {
                reply = try curl.perform(
                    HTTPExchange(
                        url: url,
                        headers: ["Content-Type: application/json", "Accept: application/json"],
                        body: body,
                        timeoutMilliseconds: timeoutMilliseconds
                    )
                )
            } catch let error as CurlError {
                throw .transport(error)
            } catch {
                throw .malformed("\(error)")
            }
            guard reply.status == 429 else { return reply }
            guard attempt < Self.rateLimitRetries else { break }
            // Retry-After in seconds (the HTTP-date form is not used by RPC nodes).
            if let text = reply.header("retry-after"), text.utf8.count <= 6, let seconds = Int(text), seconds >= 0 {
                pause(Double(min(seconds, Self.longestRetryAfterSeconds)))
            } else {
                pause(delay)
                delay *= 2
            }
        }
        throw .rateLimited
    }
}

// MARK: - Answer shapes (Agave's)

struct Envelope<Result: Decodable>: Decodable {
    var id: Int?
    var result: Result?
    var error: ErrorObject?
}

struct ErrorObject: Decodable {
    var code: Int
    var message: String
    var data: JSONValue?
}

struct Contextual<Value: Decodable>: Decodable {
    var value: Value
}

struct BlockhashValue: Decodable {
    var blockhash: String
    var lastValidBlockHeight: UInt64
}

struct AccountValue: Decodable {
    var data: [String]
    var owner: String
}
