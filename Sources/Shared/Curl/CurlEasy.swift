import CCurl

/// An HTTP exchange as libcurl performs it: one request, its response, no redirects followed.
public struct HTTPExchange: Sendable {
    /// `http://` or `https://` URL.
    public var url: String
    /// Request headers as `Name: value` lines.
    public var headers: [String]
    /// The request body; sent as a POST.
    public var body: [UInt8]
    /// The whole transfer's limit, connection included.
    public var timeoutMilliseconds: Int
    /// `host:port:address` entries that pin a name to an address already checked (CURLOPT_RESOLVE).
    public var resolve: [String]

    /// Creates a POST.
    public init(url: String, headers: [String], body: [UInt8], timeoutMilliseconds: Int, resolve: [String] = []) {
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.resolve = resolve
    }
}

/// An HTTP response as received.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    /// Header lines as `(lowercased name, value)`, in order, of the final response.
    public var headers: [(String, String)]
    public var body: [UInt8]

    /// The first value of a header, by lowercase name.
    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }

    public static func == (lhs: HTTPReply, rhs: HTTPReply) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }
}

/// The one owner of libcurl: global initialisation and one easy handle, confined to one thread.
/// Every outbound HTTP request of the product goes through `perform`.
///
/// Related libcurl documentation: <https://curl.se/libcurl/c/libcurl-easy.html>
public final class CurlEasy {
    /// Responses larger than this are cut off with an error: a peer cannot make us buffer without end.
    public static let maximumResponseBytes = 16 << 20

    private let handle: UnsafeMutableRawPointer

    /// Initialises libcurl's global state; call once in `main`, before any thread starts.
    ///
    /// - Throws: `CurlError` when libcurl cannot initialise.
    ///
    /// Related libcurl documentation: <https://curl.se/libcurl/c/curl_global_init.html>
    public static func initialize() throws {
        let rc = curl_global_init(Int(CURL_GLOBAL_ALL))
        guard rc == CURLE_OK else {
            throw CurlError(code: Int32(rc.rawValue), message: String(cString: curl_easy_strerror(rc)))
        }
    }

    /// Creates an easy handle.
    ///
    /// - Throws: `CurlError` when libcurl cannot allocate one.
    public init() throws {
        guard let handle = curl_easy_init() else {
            throw CurlError(code: Int32(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init returned NULL")
        }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Sends one POST and reads the whole response.
    ///
    /// - Parameter exchange: the request.
    /// - Returns: the response, whatever its status.
    /// - Throws: `CurlError` for a transport failure: no connection, a timeout, a response too large.
    ///
    /// Related libcurl documentation: <https://curl.se/libcurl/c/curl_easy_perform.html>
    public func perform(_ exchange: HTTPExchange) throws -> HTTPReply {
        curl_easy_reset(handle)
        let sink = ResponseSink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for header in exchange.headers { headerList = curl_slist_append(headerList, header) }
        var resolveList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(resolveList) }
        for entry in exchange.resolve { resolveList = curl_slist_append(resolveList, entry) }

        let rc = errorBuffer.withUnsafeMutableBufferPointer { errors in
            exchange.body.withUnsafeBufferPointer { body -> CURLcode in
                let options: [CURLcode] = [
                    ccurl_setopt_string(handle, CURLOPT_URL, exchange.url),
                    // Only http(s): a URL from configuration must not reach file:// or other schemes.
                    ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
                    ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
                    ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
                    ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, exchange.timeoutMilliseconds),
                    ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(exchange.timeoutMilliseconds, 10_000)),
                    ccurl_setopt_long(handle, CURLOPT_POST, 1),
                    ccurl_setopt_pointer(
                        handle,
                        CURLOPT_POSTFIELDS,
                        UnsafeMutableRawPointer(mutating: body.baseAddress)
                    ),
                    ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count),
                    ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList),
                    ccurl_setopt_slist(handle, CURLOPT_RESOLVE, resolveList),
                    ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody),
                    ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, context.toOpaque()),
                    ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader),
                    ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, context.toOpaque()),
                    ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress),
                ]
                if let failed = options.first(where: { $0 != CURLE_OK }) { return failed }
                return curl_easy_perform(handle)
            }
        }
        guard rc == CURLE_OK else {
            let buffered = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let message = buffered.isEmpty ? String(cString: curl_easy_strerror(rc)) : buffered
            throw CurlError(code: Int32(rc.rawValue), message: message, url: exchange.url)
        }
        var status = 0
        guard ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK else {
            throw CurlError(code: Int32(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: "no response code")
        }
        return HTTPReply(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Collects one response; reached from libcurl's callbacks through an unmanaged pointer.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(String, String)] = []

    /// Takes one header line. A new status line (after a 100 Continue) starts the headers over.
    func takeHeader(_ line: String) {
        let trimmed = line.trimmingCharacters(in: "\r\n")
        if trimmed.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = String(trimmed[trimmed.index(after: colon)...].trimmingSpaces)
        headers.append((name, value))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let last = result.last, set.contains(last) { result.removeLast() }
        return String(result)
    }
}

/// CURLOPT_WRITEFUNCTION: "Return the number of bytes actually taken care of. If that amount
/// differs from the amount passed to your callback function, it signals an error condition."
/// Global functions, because a closure formed in an isolated context must not be handed to C.
private func curlWriteBody(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    withSink(data, size * count, context) { sink, bytes in
        guard sink.body.count + bytes.count <= CurlEasy.maximumResponseBytes else { return false }
        sink.body.append(contentsOf: bytes)
        return true
    }
}

/// CURLOPT_HEADERFUNCTION: called once per header line, status line included.
private func curlWriteHeader(
    _ data: UnsafeMutablePointer<CChar>?,
    _ size: Int,
    _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    withSink(data, size * count, context) { sink, bytes in
        guard sink.headers.count < 200 else { return false }
        sink.takeHeader(String(decoding: bytes, as: UTF8.self))
        return true
    }
}

/// Hands a callback's bytes to the sink behind `context`; answers libcurl with the length taken,
/// or 0 (abort the transfer) when `take` refuses them.
private func withSink(
    _ data: UnsafeMutablePointer<CChar>?,
    _ length: Int,
    _ context: UnsafeMutableRawPointer?,
    _ take: (ResponseSink, UnsafeRawBufferPointer) -> Bool
) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    return take(sink, UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}
