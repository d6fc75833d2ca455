/// Reads the records a FastCGI connection has sent so far and decides whether its request is
/// complete, before libfcgi reads a byte of it.
///
/// libfcgi trusts what it reads: it allocates each parameter from the lengths a peer declares (a
/// name and a value of 2^30 bytes each abort the process in its allocation assertion), buffers
/// parameters without limit, and blocks a worker thread on a peer that stops sending. So the
/// acceptor hands a connection to a worker only once this scan says the whole request is in the
/// socket's receive buffer and every length in it is sane; libfcgi's reads then never block and
/// never allocate more than the limits allow. Pure and linear in the bytes.
///
/// Related specification: FastCGI 1.0, §3 (records), §3.4 (name-value pairs), §5.1 (Responder).
public enum FastCGIRecordScanner {
    /// What the bytes so far come to.
    public enum Verdict: Sendable, Equatable {
        /// More bytes are needed.
        case incomplete
        /// One whole request: BEGIN_REQUEST, the parameters and the body (through the empty STDIN
        /// record, or as much as CONTENT_LENGTH asks when that is over the body limit, which the
        /// worker answers 413 without reading).
        case complete(requestID: UInt16)
        /// The parameters pass `maxParamBytes`: answer 431 without reading them.
        case parametersTooLarge(requestID: UInt16)
        /// Not a FastCGI responder request: close the connection.
        case malformed(String)
    }

    /// Record types (FastCGI 1.0 §8).
    static let beginRequest: UInt8 = 1
    static let abortRequest: UInt8 = 2
    static let params: UInt8 = 4
    static let stdin: UInt8 = 5
    static let getValues: UInt8 = 9
    /// The Responder role.
    static let responder: UInt16 = 1
    /// Bytes in a record header.
    static let headerBytes = 8

    /// Scans `bytes`, the connection's input from its first byte.
    ///
    /// - Parameters:
    ///   - bytes: what has arrived so far.
    ///   - maxParamBytes: the most parameter bytes accepted.
    ///   - maxBodyBytes: the largest body read.
    public static func scan(_ bytes: UnsafeRawBufferPointer, maxParamBytes: Int, maxBodyBytes: Int) -> Verdict {
        var offset = 0
        var requestID: UInt16?
        var parameters: [UInt8] = []
        var parametersDone = false
        var contentLength = 0
        var bodyBytes = 0
        while offset + headerBytes <= bytes.count {
            let version = bytes[offset]
            let type = bytes[offset + 1]
            let id = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
            let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            let padding = Int(bytes[offset + 6])
            guard version == 1 else { return .malformed("record version \(version)") }
            let contentStart = offset + headerBytes
            // A parameters record is judged by its declared length before its content arrives.
            if let requestID, type == params, id == requestID, !parametersDone,
                parameters.count + length > maxParamBytes
            {
                return .parametersTooLarge(requestID: requestID)
            }
            guard contentStart + length + padding <= bytes.count else { return .incomplete }
            let content = UnsafeRawBufferPointer(rebasing: bytes[contentStart..<contentStart + length])
            offset = contentStart + length + padding
            guard let current = requestID else {
                // Management records (request id 0) may come first; libfcgi answers them.
                if id == 0 && type == getValues { continue }
                guard type == beginRequest, id != 0, length == 8 else {
                    return .malformed("the first record is not BEGIN_REQUEST")
                }
                guard UInt16(content[0]) << 8 | UInt16(content[1]) == responder else {
                    return .malformed("role other than Responder")
                }
                requestID = id
                continue
            }
            guard id == current else { return .malformed("a record of another request (\(id))") }
            switch type {
            case params where !parametersDone:
                if length == 0 {
                    guard let declared = checkedContentLength(parameters) else {
                        return .malformed("parameter lengths run past the parameters")
                    }
                    parametersDone = true
                    contentLength = declared
                    // Over the limit: the worker answers 413 without reading the body.
                    if contentLength > maxBodyBytes { return .complete(requestID: current) }
                } else {
                    parameters.append(contentsOf: content)
                }
            case stdin where parametersDone:
                if length == 0 { return .complete(requestID: current) }
                bodyBytes += length
                // More than declared: the worker reads what was declared, and the connection is not
                // reused. Otherwise the request ends with the empty STDIN record, so a worker that
                // reads to the end never waits (and never reads into a kept connection's next request).
                if bodyBytes > contentLength { return .complete(requestID: current) }
                guard bodyBytes <= maxBodyBytes else { return .complete(requestID: current) }
            case abortRequest: return .malformed("aborted")
            default: return .malformed("record type \(type) out of place")
            }
        }
        return .incomplete
    }

    /// Walks the name-value pairs: every declared length must fit in what is left, so nothing can
    /// make libfcgi allocate more than the parameters' own size. Returns CONTENT_LENGTH (0 when
    /// absent or empty; past the body limit when not a number, so the worker answers it), or nil
    /// when a length runs past the end.
    static func checkedContentLength(_ pairs: [UInt8]) -> Int? {
        var index = 0
        var contentLength = 0
        func length() -> Int? {
            guard index < pairs.count else { return nil }
            if pairs[index] & 0x80 == 0 {
                defer { index += 1 }
                return Int(pairs[index])
            }
            guard index + 4 <= pairs.count else { return nil }
            defer { index += 4 }
            return Int(pairs[index] & 0x7f) << 24 | Int(pairs[index + 1]) << 16 | Int(pairs[index + 2]) << 8
                | Int(pairs[index + 3])
        }
        while index < pairs.count {
            guard let nameLength = length(), let valueLength = length(),
                nameLength <= pairs.count - index, valueLength <= pairs.count - index - nameLength
            else { return nil }
            let name = pairs[index..<index + nameLength]
            let value = pairs[index + nameLength..<index + nameLength + valueLength]
            index += nameLength + valueLength
            // Lengths first: the byte comparison is generic, and this runs for every parameter.
            if nameLength == 14, name.elementsEqual("CONTENT_LENGTH".utf8) {
                contentLength = value.isEmpty ? 0 : Int(String(decoding: value.prefix(20), as: UTF8.self)) ?? Int.max
            }
        }
        return contentLength
    }
}
