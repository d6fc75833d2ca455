/// The few FastCGI records the acceptor writes itself, for a request it refuses before libfcgi
/// reads it (FastCGI 1.0 §5.3: STDOUT, then an empty STDOUT, then END_REQUEST).
enum FastCGIRecords {
    static let endRequest: UInt8 = 3
    static let stdout: UInt8 = 6

    /// A whole response: the CGI-style output in STDOUT records, the stream's end, END_REQUEST with
    /// protocol status REQUEST_COMPLETE.
    static func response(requestID: UInt16, stdout output: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        var start = 0
        while start < output.count {
            let end = min(start + 65_535, output.count)
            bytes += record(stdout, requestID: requestID, content: Array(output[start..<end]))
            start = end
        }
        bytes += record(stdout, requestID: requestID, content: [])
        bytes += record(endRequest, requestID: requestID, content: [0, 0, 0, 0, 0, 0, 0, 0])
        return bytes
    }

    static func record(_ type: UInt8, requestID: UInt16, content: [UInt8]) -> [UInt8] {
        let length = content.count
        return [
            1, type, UInt8(requestID >> 8), UInt8(requestID & 0xff), UInt8(length >> 8), UInt8(length & 0xff), 0, 0,
        ]
            + content
    }
}
