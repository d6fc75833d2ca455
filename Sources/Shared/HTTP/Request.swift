/// One HTTP request as the responder sees it: built from FastCGI parameters in production, and
/// directly in tests, so handlers never touch libfcgi.
public struct Request: Sendable {
    /// The method, upper case as the client sent it (`GET`, `HEAD`, …).
    public var method: String
    /// The raw path of `REQUEST_URI`, before any `?`, still percent-encoded.
    public var path: String
    /// The raw query string (without the `?`), still percent-encoded.
    public var query: String
    /// The client address as nginx gives it in `REMOTE_ADDR` (after its real-IP handling).
    public var remoteAddress: String
    /// Request headers by lower-case name with dashes (`user-agent`, `sec-fetch-dest`).
    public var headers: [String: String]
    /// The request body, as received.
    public var body: [UInt8]

    /// Creates a request from its parts.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - uri: the raw request target, e.g. `/r/CODE?x=1`.
    ///   - remoteAddress: the client address.
    ///   - headers: header values keyed by lower-case name.
    ///   - body: the body bytes.
    public init(
        method: String,
        uri: String,
        remoteAddress: String = "127.0.0.1",
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) {
        self.method = method
        if let mark = uri.firstIndex(of: "?") {
            path = String(uri[..<mark])
            query = String(uri[uri.index(after: mark)...])
        } else {
            path = uri
            query = ""
        }
        self.remoteAddress = remoteAddress
        self.headers = headers
        self.body = body
    }

    /// The value of a header, by lower-case name.
    public func header(_ name: String) -> String? { headers[name] }

    /// The value of the first cookie called `name` in the `Cookie` header.
    public func cookie(_ name: String) -> String? {
        headers["cookie"].flatMap { Cookies.value(named: name, in: $0) }
    }

}
