@preconcurrency import Glibc

/// Looks at what a connection has sent so far without consuming it (libfcgi reads it later), and
/// says what it comes to: the acceptor's check on a new connection, and a worker's on a kept one
/// whose next request woke it. One per thread: it holds that thread's buffer, large enough for the
/// largest request accepted.
struct RequestPeek {
    /// The most input one request may hold: parameters and body, their record headers and padding.
    static let capacity = FastCGIRequest.maxParamBytes + FastCGIRequest.maxBodyBytes + 8_192

    /// What the connection's input comes to.
    enum Look: Equatable {
        /// A whole request, every length in it sane: a worker may read it without blocking.
        case complete
        /// Part of a request; `full` when it already fills the buffer (it can never complete).
        case incomplete(full: Bool)
        /// Nothing to read at the moment.
        case nothing
        /// The peer closed the connection, or it failed.
        case closed
        /// Parameters over the limit: answer 431 (`refuse`) without reading them.
        case parametersTooLarge(requestID: UInt16)
        /// Not a FastCGI responder request.
        case malformed(String)
    }

    private var buffer = [UInt8](repeating: 0, count: Self.capacity)

    mutating func look(at fd: Int32) -> Look {
        let count = buffer.withUnsafeMutableBytes {
            recv(fd, $0.baseAddress, $0.count, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
        }
        if count < 0 { return errno == EAGAIN || errno == EINTR ? .nothing : .closed }
        guard count > 0 else { return .closed }
        let verdict = buffer.withUnsafeBytes {
            FastCGIRecordScanner.scan(
                UnsafeRawBufferPointer(rebasing: $0.prefix(count)),
                maxParamBytes: FastCGIRequest.maxParamBytes,
                maxBodyBytes: FastCGIRequest.maxBodyBytes
            )
        }
        switch verdict {
        case .complete: return .complete
        case .incomplete: return .incomplete(full: count == buffer.count)
        case .parametersTooLarge(let requestID): return .parametersTooLarge(requestID: requestID)
        case .malformed(let reason): return .malformed(reason)
        }
    }

    /// Answers `error` without reading the request, and closes the connection.
    static func refuse(_ fd: Int32, requestID: UInt16, with error: HTTPError) {
        let response = error.response
        let output = response.cgiHead(includeBody: true) + response.body
        let bytes = FastCGIRecords.response(requestID: requestID, stdout: output)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)) }
        _ = close(fd)
    }
}

extension HTTPError {
    /// 431 for FastCGI parameters (request headers) over the limit.
    static let parametersTooLarge = HTTPError(
        status: 431,
        code: "headers-too-large",
        message: "Request headers too large."
    )
}
