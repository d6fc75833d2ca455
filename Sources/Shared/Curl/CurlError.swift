import CCurl

/// A failed libcurl call: the `CURLcode`, libcurl's message, and the URL it was fetching.
///
/// Related libcurl documentation: <https://curl.se/libcurl/c/libcurl-errors.html>
public struct CurlError: Error, CustomStringConvertible, Sendable {
    /// The `CURLcode` (`CURLE_OPERATION_TIMEDOUT` is 28, `CURLE_COULDNT_CONNECT` 7).
    public let code: Int32
    /// libcurl's error buffer, or `curl_easy_strerror` when the buffer is empty.
    public let message: String
    /// The URL being fetched, when there was one.
    public let url: String?

    /// Creates an error from a result code and libcurl's message.
    public init(code: Int32, message: String, url: String? = nil) {
        self.code = code
        self.message = message
        self.url = url
    }

    /// True when the transfer ran out of time (`CURLE_OPERATION_TIMEDOUT`).
    public var isTimeout: Bool { code == Int32(CURLE_OPERATION_TIMEDOUT.rawValue) }

    public var description: String {
        var text = "libcurl error \(code): \(message)"
        if let url { text += " (\(url))" }
        return text
    }
}
