import CFastCGI
@preconcurrency import Glibc

/// One worker thread's libfcgi request: the only owner of its `FCGX_Request` and of the
/// connection behind it. Never shared between threads.
///
/// Related libfcgi documentation: fcgiapp.h (`FCGX_InitRequest`, `FCGX_Accept_r`, `FCGX_Finish_r`).
public final class FastCGIRequest {
    private let request: UnsafeMutablePointer<FCGX_Request>
    /// nginx asked to keep the connection for more requests (`FCGI_KEEP_CONN` in BEGIN_REQUEST).
    private var peerKeepsConnection = false
    /// The request's input was read exactly to its end (its empty STDIN record): nothing of it is
    /// left to be taken for the next request on a kept connection.
    private var inputEnded = false

    /// The largest body read into memory; a longer one is answered 413 without reading it.
    public static let maxBodyBytes = 64 * 1024
    /// The largest total of parameter bytes accepted (nginx's own header limits are far below).
    public static let maxParamBytes = 64 * 1024
    /// The most request headers accepted: browsers send a few dozen; thousands of tiny ones would
    /// cost far more to index than their bytes suggest.
    public static let maxHeaders = 128

    /// Headers a request may carry once: nginx passes a repeated header as a second parameter, and
    /// picking one copy here while nginx or the platform picked the other would let a forged value
    /// slip past a check (a foreign Origin before ours). Such a request is refused.
    static let singleHeaders: Set<String> = [
        "origin", "content-type", "cookie", "x-referral-signature", "x-referral-timestamp",
    ]

    /// Prepares a request slot. It never accepts by itself (its listening socket is -1): the
    /// acceptor hands it connections whose whole request has arrived.
    public init() {
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, -1, 0)
    }

    deinit {
        FCGX_Free(request, 1)
        request.deallocate()
    }

    /// What `accept()` found.
    public enum AcceptResult: Equatable {
        /// A request is ready to read.
        case accepted
        /// libfcgi failed with this errno (or its own negative code).
        case failed(Int32)
    }

    /// Reads the FastCGI parameters of a connection the acceptor has checked and queued.
    ///
    /// libfcgi reads from an open connection instead of accepting one when `ipcFd` is set and the
    /// previous request kept its connection: so `keepConnection` is set before the call. `detached`
    /// keeps libfcgi from closing the descriptor with its `select()`-based drain, which is unsafe
    /// for descriptor numbers past FD_SETSIZE (1024); `finish` closes it instead.
    ///
    /// - Parameter fd: the connection.
    public func accept(connection fd: Int32) -> AcceptResult {
        request.pointee.ipcFd = fd
        request.pointee.keepConnection = 1
        request.pointee.detached = 1
        let result = FCGX_Accept_r(request)
        // libfcgi sets `keepConnection` from the BEGIN_REQUEST flags.
        peerKeepsConnection = request.pointee.keepConnection != 0
        if result >= 0 { return .accepted }
        // libfcgi closed the connection itself; "return (errno > 0) ? (0 - errno) : -9999".
        request.pointee.ipcFd = -1
        return .failed(-result)
    }

    /// Reads the accepted request's parameters and body into a `Request` value.
    ///
    /// - Returns: the request, or an `HTTPError` (413, 431, 400) to answer without handling it.
    public func read() -> Result<Request, HTTPError> {
        inputEnded = false
        var method = ""
        var uri = "/"
        var remote = ""
        var contentLength = 0
        var headers: [String: String] = [:]
        var contentType = ""
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
            let nameBytes = UnsafeRawBufferPointer(start: entry, count: entry.distance(to: equals))
            // Headers first, named from the bytes: most parameters are HTTP_*, and only the
            // parameters used below become strings.
            guard !Self.isHeaderParam(nameBytes) else {
                guard headers.count < Self.maxHeaders else { return .failure(.parametersTooLarge) }
                let header = Self.headerName(fromParam: nameBytes)
                let value = String(cString: equals + 1)
                guard headers.updateValue(value, forKey: header) == nil || !Self.singleHeaders.contains(header) else {
                    return .failure(
                        HTTPError(status: 400, code: "duplicate-header", message: "\(header) is sent more than once.")
                    )
                }
                continue
            }
            let value = { String(cString: equals + 1) }
            switch String(decoding: nameBytes, as: UTF8.self) {
            case "REQUEST_METHOD": method = value()
            case "REQUEST_URI": uri = value()
            // Canonical, so that per-IP limits and fraud rules compare addresses, not spellings.
            case "REMOTE_ADDR":
                let address = value()
                remote = IPAddress.canonical(address) ?? address
            // nginx sends `$content_type` even when there is none: empty means absent.
            case "CONTENT_TYPE": contentType = value()
            case "CONTENT_LENGTH":
                let text = value()
                contentLength = text.isEmpty ? 0 : Int(text) ?? -1
            default: break
            }
        }
        // CONTENT_TYPE is nginx's `$content_type` (the first Content-Type); it is empty when there is
        // none, and then the header is absent.
        headers["content-type"] = contentType.isEmpty ? nil : contentType
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
        // The acceptor queued the request with its empty STDIN record, so this never waits; and
        // nothing of a next request is there yet (nginx sends it after this response).
        inputEnded = FCGX_GetChar(request.pointee.in) == -1 && FCGX_GetError(request.pointee.in) == 0
        return .success(Request(method: method, uri: uri, remoteAddress: remote, headers: headers, body: body))
    }

    /// Writes the response (head, then body unless `headOnly`) and ends the request.
    ///
    /// libfcgi writes the end of the output stream and END_REQUEST and frees the request's streams;
    /// it never closes the connection (`keepConnection` is forced): the caller gets it back when
    /// nginx asked to keep it and it is clean for the next request, and it is closed here otherwise
    /// (so nginx sees the end of the response at once).
    ///
    /// - Parameters:
    ///   - response: the response to send.
    ///   - headOnly: true for HEAD requests.
    /// - Returns: the connection, when it may carry nginx's next request; nil once it is closed.
    public func finish(with response: Response, headOnly: Bool) -> Int32? {
        // A request refused before its body was read is read to its end first, so that nginx can
        // keep the connection: closing one nginx may already have taken back for its next request
        // would fail that request.
        if peerKeepsConnection && !inputEnded { inputEnded = discardRestOfInput() }
        let head = response.cgiHead(includeBody: !headOnly)
        put(head)
        if !headOnly { put(response.body) }
        let fd = request.pointee.ipcFd
        request.pointee.keepConnection = 1
        FCGX_Finish_r(request)
        // libfcgi closes the connection itself when the final write fails (and then sets -1).
        let closedByLibfcgi = request.pointee.ipcFd < 0
        request.pointee.ipcFd = -1
        if closedByLibfcgi { return nil }
        // A request not read to its end (refused early, a body past its length) leaves bytes
        // that would be taken for the start of the next request: such a connection is closed.
        if peerKeepsConnection && inputEnded { return fd }
        Self.close(fd, inputPending: !inputEnded)
        return nil
    }

    /// Reads and drops what is left of the request's input, without waiting for the socket (a body
    /// past the limit may not all be there): true when its end was reached.
    private func discardRestOfInput() -> Bool {
        guard let input = request.pointee.in else { return false }
        let fd = request.pointee.ipcFd
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { return false }
        defer { _ = fcntl(fd, F_SETFL, flags) }
        var scratch = [CChar](repeating: 0, count: 4_096)
        var discarded = 0
        while discarded <= Self.maxBodyBytes {
            let got = FCGX_GetStr(&scratch, Int32(scratch.count), input)
            guard got == scratch.count else { break }
            discarded += Int(got)
        }
        let ended = FCGX_HasSeenEOF(input) != 0 && FCGX_GetError(input) == 0
        // A read that found nothing yet (EAGAIN) left an error on the stream, and with one set
        // FCGX_Finish_r closes the connection itself, at once, over the body still arriving: the
        // peer's next write fails and nginx answers 502 instead of our 413. Cleared, the connection
        // comes back to `finish`, which drains it before closing.
        if !ended { FCGX_ClearError(input) }
        return ended
    }

    /// Closes a connection whose response is written. Unread input (a body not read, a 413) is
    /// drained briefly first: closing over unread data makes TCP reset the connection, and a reset
    /// can make the peer drop the response it has not read yet.
    ///
    /// - Parameters:
    ///   - fd: the connection.
    ///   - inputPending: the request's input is known not to have ended (a body refused unread):
    ///     drain even when nothing is readable this instant, since the peer may still be sending.
    static func close(_ fd: Int32, inputPending: Bool = false) {
        guard fd >= 0 else { return }
        var scratch = [UInt8](repeating: 0, count: 4_096)
        if inputPending || recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {
            shutdown(fd, Int32(SHUT_WR))
            var polled = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var drained = 0
            while drained < 1 << 20, poll(&polled, 1, 200) == 1 {
                let count = recv(fd, &scratch, scratch.count, 0)
                if count <= 0 { break }
                drained += count
            }
        }
        _ = Glibc.close(fd)
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

    static let headerPrefix = Array("HTTP_".utf8)

    /// True for a parameter that carries a request header (`HTTP_…`).
    static func isHeaderParam(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count > headerPrefix.count && name.starts(with: headerPrefix)
    }

    /// `HTTP_USER_AGENT` → `user-agent`, byte by byte (nginx upper-cases names and turns `-` into `_`).
    static func headerName(fromParam name: UnsafeRawBufferPointer) -> String {
        let bytes = UnsafeRawBufferPointer(rebasing: name.dropFirst(5))
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "_"): buffer[index] = UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[index] = byte + 32
                default: buffer[index] = byte
                }
            }
            return bytes.count
        }
    }
}
