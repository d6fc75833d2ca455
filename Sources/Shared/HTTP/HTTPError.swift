/// An error that maps to an HTTP status and the contract's JSON body
/// `{"error": "<code>", "message": "<human text>"}`.
public struct HTTPError: Error, Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The machine-readable error code, e.g. `invalid-code`.
    public var code: String
    /// A sentence for humans.
    public var message: String
    /// Extra headers, e.g. `Allow` on a 405.
    public var headers: [String: String]

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - status: the HTTP status.
    ///   - code: the machine-readable code.
    ///   - message: the human text.
    ///   - headers: extra response headers.
    public init(status: Int, code: String, message: String, headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The JSON response this error becomes.
    public var response: Response {
        var response = Response.json(
            status: status,
            Array("{\"error\":\(JSONText.quote(code)),\"message\":\(JSONText.quote(message))}".utf8)
        )
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            response.headers.append((name, value))
        }
        return response
    }

    /// 400 for one bad request field: the message starts with the field's name.
    ///
    /// - Parameters:
    ///   - field: the field, as the client named it (`rewardValue`, `ip`).
    ///   - problem: what it must be.
    public static func invalidField(_ field: String, _ problem: String) -> HTTPError {
        HTTPError(status: 400, code: "invalid-field", message: "\(field): \(problem)")
    }

    /// 415 for a body that is not declared `application/json`.
    public static let unsupportedMediaType = HTTPError(
        status: 415,
        code: "unsupported-media-type",
        message: "Send the body as Content-Type: application/json."
    )

    /// 503 for a write the database cannot take now (disk full, read-only): nothing was stored.
    public static let storageUnavailable = HTTPError(
        status: 503,
        code: "storage-unavailable",
        message: "The service cannot store data right now; nothing was stored. Try again shortly.",
        headers: ["Retry-After": "5"]
    )

    /// 500 for a failure the client can do nothing about (its detail goes to the log, not to them).
    public static let internalFailure = HTTPError(
        status: 500,
        code: "internal-error",
        message: "The request could not be completed."
    )

    /// 404 for a path this service does not serve.
    public static let notFound = HTTPError(status: 404, code: "not-found", message: "No such resource.")

    /// 405 naming the methods that are allowed.
    ///
    /// - Parameter allowed: the methods the resource serves.
    public static func methodNotAllowed(_ allowed: [String]) -> HTTPError {
        HTTPError(
            status: 405,
            code: "method-not-allowed",
            message: "Use \(allowed.joined(separator: " or ")).",
            headers: ["Allow": allowed.joined(separator: ", ")]
        )
    }
}
