/// One HTTP response: a status, ordered headers and a body.
public struct Response: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The body bytes (not sent for HEAD requests).
    public var body: [UInt8]

    /// Creates a response.
    ///
    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: the header fields, in order.
    ///   - body: the body.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// A 302 to `location`, never cached.
    ///
    /// - Parameter location: a target built by `RedirectTarget`, never from raw request bytes.
    public static func redirect(to location: String) -> Response {
        Response(status: 302, headers: [("Location", location), ("Cache-Control", "no-store")])
    }

    /// A JSON response from already-encoded bytes.
    ///
    /// - Parameters:
    ///   - status: the status code.
    ///   - json: the encoded body.
    public static func json(status: Int, _ json: [UInt8]) -> Response {
        Response(
            status: status,
            headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
            body: json
        )
    }

    /// The CGI-style header block FastCGI responders write: `Status:` first, CRLF line ends.
    ///
    /// A header that would carry a control character is never written: the whole response
    /// becomes a 500, because a split header is worse than a failed request.
    public func cgiHead(includeBody: Bool) -> [UInt8] {
        guard headers.allSatisfy({ Self.isSafe($0.name) && Self.isSafe($0.value) }) else {
            return HTTPError(status: 500, code: "internal-error", message: "unsafe response header")
                .response.cgiHead(includeBody: includeBody)
        }
        // Bytes appended in place: the head is built for every response.
        var head: [UInt8] = []
        head.reserveCapacity(256 + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        head.append(contentsOf: "Status: ".utf8)
        head.append(contentsOf: String(status).utf8)
        head.append(UInt8(ascii: " "))
        head.append(contentsOf: Self.reason(for: status).utf8)
        head.append(contentsOf: Self.lineEnd)
        for (name, value) in headers {
            head.append(contentsOf: name.utf8)
            head.append(contentsOf: Self.separator)
            head.append(contentsOf: value.utf8)
            head.append(contentsOf: Self.lineEnd)
        }
        head.append(contentsOf: "Content-Length: ".utf8)
        head.append(contentsOf: String(body.count).utf8)
        head.append(contentsOf: Self.lineEnd)
        head.append(contentsOf: Self.lineEnd)
        return head
    }

    static let lineEnd: [UInt8] = [0x0D, 0x0A]
    static let separator: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: " ")]

    /// True when `text` holds no control character (CR, LF, NUL, …) and no byte above ASCII.
    static func isSafe(_ text: String) -> Bool {
        // Over the contiguous bytes: every header of every response goes through this, and
        // iterating `utf8` element by element cost more than building the head itself.
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes where byte < 0x20 || byte >= 0x7f { return false }
            return true
        }
    }

    /// The reason phrase of the statuses this service uses.
    static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        // A status without its own phrase gets its class's (RFC 9110 §15).
        default:
            switch status / 100 {
            case 2: "OK"
            case 3: "Redirection"
            case 4: "Bad Request"
            default: "Internal Server Error"
            }
        }
    }
}
