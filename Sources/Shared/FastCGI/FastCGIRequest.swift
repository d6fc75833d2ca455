import CFastCGI
@preconcurrency import Glibc

/// One worker thread's libfcgi request: the only owner of its `FCGX_Request` and of the
/// connection behind it. Never shared between threads.
///
/// Related libfcgi documentation: fcgiapp.h (`FCGX_InitRequest`, `FCGX_Accept_r`, `FCGX_Finish_r`).
public final class FastCGIRequest {
    private let request: UnsafeMutablePointer<FCGX_Request>

    /// The largest body read into memory; a longer one is answered 413 without reading it.
    public static let maxBodyBytes = 64 * 1024
    /// The largest total of parameter bytes accepted (nginx's own header limits are far below).
    public static let maxParamBytes = 64 * 1024

    /// Prepares a request slot that accepts on `listenSocket`.
    ///
    /// - Parameter listenSocket: the listening socket shared by all workers.
    public init(listenSocket: Int32) {
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, listenSocket, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    /// What `accept()` found.
    public enum AcceptResult: Equatable {
        /// A request is ready to read.
        case accepted
        /// Another worker took the pending connection first.
        case nothingPending
        /// libfcgi failed with this errno (or its own negative code).
        case failed(Int32)
    }

    /// Accepts the pending connection and reads its FastCGI parameters.
    ///
    /// The listening socket is non-blocking (see `FastCGIListener`), so when another worker won the
    /// connection, libfcgi's accept fails with EAGAIN and returns at once instead of blocking.
    /// Every connection is closed after its request (no `fastcgi_keep_conn`): a kept-alive
    /// connection would pin a worker thread to one idle nginx connection.
    public func accept() -> AcceptResult {
        let result = FCGX_Accept_r(request)
        if result >= 0 { return .accepted }
        // "return (errno > 0) ? (0 - errno) : -9999" (fcgiapp.c, FCGX_Accept_r).
        if result == -EAGAIN || result == -EWOULDBLOCK { return .nothingPending }
        return .failed(-result)
    }

    /// Reads the accepted request's parameters and body into a `Request` value.
    ///
    /// - Returns: the request, or an `HTTPError` (413, 431, 400) to answer without handling it.
    public func read() -> Result<Request, HTTPError> {
        var method = ""
        var uri = "/"
        var remote = ""
        var contentLength = 0
        var headers: [String: String] = [:]
        var total = 0
        var cursor = request.pointee.envp
        while let entry = cursor?.pointee {
            defer { cursor = cursor?.advanced(by: 1) }
            let length = strlen(entry)
            total += length
            guard total <= Self.maxParamBytes else {
                return .failure(
                    HTTPError(status: 431, code: "headers-too-large", message: "Request headers too large.")
                )
            }
            guard let equals = strchr(entry, Int32(UInt8(ascii: "="))) else { continue }
            let nameLength = entry.distance(to: equals)
            let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: nameLength), as: UTF8.self)
            let value = String(cString: equals + 1)
            switch name {
            case "REQUEST_METHOD": method = value
            case "REQUEST_URI": uri = value
            // Canonical, so that per-IP limits and fraud rules compare addresses, not spellings.
            case "REMOTE_ADDR": remote = IPAddress.canonical(value) ?? value
            // nginx sends `$content_type` even when there is none: empty means absent.
            case "CONTENT_TYPE": if !value.isEmpty { headers["content-type"] = value }
            case "CONTENT_LENGTH": contentLength = value.isEmpty ? 0 : Int(value) ?? -1
            default:
                if name.hasPrefix("HTTP_") {
                    headers[Self.headerName(fromParam: name)] = value
                }
            }
        }
        guard contentLength >= 0 else {
            return .failure(HTTPError(status: 400, code: "bad-request", message: "Invalid Content-Length."))
        }
        guard contentLength <= Self.maxBodyBytes else {
            return .failure(HTTPError(status: 413, code: "body-too-large", message: "Request body too large."))
        }
        guard let body = readBody(count: contentLength) else {
            return .failure(
                HTTPError(status: 400, code: "bad-request", message: "Request body shorter than Content-Length.")
            )
        }
        return .success(Request(method: method, uri: uri, remoteAddress: remote, headers: headers, body: body))
    }

    /// Writes the response (head, then body unless `headOnly`) and ends the request, closing the
    /// connection so nginx sees the end of the response at once.
    ///
    /// - Parameters:
    ///   - response: the response to send.
    ///   - headOnly: true for HEAD requests.
    public func finish(with response: Response, headOnly: Bool) {
        let head = response.cgiHead(includeBody: !headOnly)
        put(head)
        if !headOnly { put(response.body) }
        request.pointee.keepConnection = 0
        FCGX_Finish_r(request)
    }

    private func put(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        // A failed write means nginx has gone away; there is nobody left to tell.
        _ = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out)
            }
        }
    }

    /// Reads exactly `count` body bytes, or returns nil when the stream ends first.
    private func readBody(count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var body = [UInt8](repeating: 0, count: count)
        var filled = 0
        body.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                guard let start = chars.baseAddress else { return }
                while filled < count {
                    let got = FCGX_GetStr(start + filled, Int32(count - filled), request.pointee.in)
                    guard got > 0 else { return }
                    filled += Int(got)
                }
            }
        }
        return filled == count ? body : nil
    }

    /// `HTTP_USER_AGENT` → `user-agent`.
    static func headerName(fromParam name: String) -> String {
        String(name.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })
    }
}
