/// A failed JSON-RPC call, by what failed.
public enum RPCError: Error, Sendable, CustomStringConvertible {
    /// No answer: connection refused, timeout, TLS (libcurl's error).
    case transport(CurlError)
    /// 429 Too Many Requests, still after the retries.
    case rateLimited
    /// An HTTP status other than 200.
    case http(status: Int, body: String)
    /// An answer that is not the JSON-RPC shape expected.
    case malformed(String)
    /// The node answered with a JSON-RPC error object.
    case server(code: Int, message: String, data: JSONValue?)

    /// Agave's code for a transaction refused by preflight simulation.
    public static let preflightFailureCode = -32002

    /// True when resending the same bytes was refused because they were processed already.
    public var isAlreadyProcessed: Bool {
        guard case .server(_, let message, let data) = self else { return false }
        return message.contains("already been processed") || data?["err"] == .string("AlreadyProcessed")
    }

    /// True when the node refused the transaction itself (preflight), not a fault of the network.
    public var isRefusal: Bool {
        guard case .server(let code, _, _) = self else { return false }
        return code == Self.preflightFailureCode
    }

    public var description: String {
        switch self {
        case .transport(let error): "RPC unreachable: \(error)"
        case .rateLimited: "RPC rate limit (429) persisted after retries"
        case .http(let status, let body): "RPC answered HTTP \(status): \(body)"
        case .malformed(let detail): "RPC answer malformed: \(detail)"
        case .server(let code, let message, let data):
            "RPC error \(code): \(message)" + (data.map { " \($0)" } ?? "")
        }
    }
}
