/// Checks on request text before any of it may appear in a `Location` header.
///
/// A page path is echoed back only if it is plain ASCII from RFC 3986's path characters, starts
/// with exactly one `/`, and no percent-escape — however many times it is decoded — turns into a
/// slash, a backslash or a control character. So `//host`, `/\host`, `/%2F%2Fhost`, `/%252F…` and
/// `%0d%0a` all fail, and the caller falls back to `/`.
public enum SafeRedirect {
    /// The longest Location (SPEC §1): past it the query goes, then the path.
    public static let maxLocationBytes = 2048
    /// The longest page path echoed into a Location.
    public static let maxPathBytes = maxLocationBytes
    /// Decoding rounds checked for double (triple, …) encoding.
    static let decodingRounds = 4

    /// True when `path` may be used as a same-origin Location as it is.
    ///
    /// - Parameter path: the raw (still encoded) request path.
    public static func isSafePath(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        guard (1...maxPathBytes).contains(bytes.count), bytes[0] == UInt8(ascii: "/") else { return false }
        if bytes.count > 1, bytes[1] == UInt8(ascii: "/") || bytes[1] == UInt8(ascii: "\\") { return false }
        guard bytes.allSatisfy({ isPathByte($0) }) else { return false }
        return escapesStaySafe(bytes, allowSlash: false)
    }

    /// True when one raw `name=value` pair of a query may be kept in a Location as it is.
    ///
    /// - Parameter pair: the raw pair, between two `&`.
    public static func isSafeQueryPair<S: StringProtocol>(_ pair: S) -> Bool {
        let bytes = Array(pair.utf8)
        guard bytes.count <= maxPathBytes, bytes.allSatisfy({ isPathByte($0) || $0 == UInt8(ascii: "?") }) else {
            return false
        }
        return escapesStaySafe(bytes, allowSlash: true)
    }

    /// The path with its dot segments removed (RFC 3986 §5.2.4), as a browser would resolve it:
    /// `/a/./b/../c` is `/a/c`, and `/.//evil.com` is `//evil.com` (which `isSafePath` then
    /// refuses). A segment counts as a dot segment in its encoded forms too (`%2e`, `.%2E`), as
    /// browsers read them (WHATWG URL "single-dot" and "double-dot" segments).
    ///
    /// - Parameter path: an absolute raw path.
    public static func removingDotSegments(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var output: [Substring] = []
        for (offset, segment) in segments.enumerated() {
            let isLast = offset == segments.count - 1
            switch dotKind(segment) {
            case 1:
                if isLast { output.append("") }
            case 2:
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default:
                output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }

    /// 1 for `.`, 2 for `..` (in any mix of `.` and `%2e`), 0 for any other segment.
    static func dotKind(_ segment: Substring) -> Int {
        guard segment.utf8.count <= 6 else { return 0 }
        let lowered = segment.lowercased()
        switch lowered {
        case ".", "%2e": return 1
        case "..", ".%2e", "%2e.", "%2e%2e": return 2
        default: return 0
        }
    }

    /// unreserved / sub-delims / ":" / "@" / "/" / "%" (RFC 3986 §3.3), no space, no backslash.
    static func isPathByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-._~!$&'()*+,;=:@/%".utf8.contains(byte)
        }
    }

    /// Decodes repeatedly and fails if any round yields a control character, a backslash, or
    /// (unless `allowSlash`) a slash that was not there literally.
    static func escapesStaySafe(_ raw: [UInt8], allowSlash: Bool) -> Bool {
        let literalSlashes = raw.count { $0 == UInt8(ascii: "/") }
        var current = raw
        for round in 0..<decodingRounds {
            guard current.contains(UInt8(ascii: "%")) else { return true }
            guard let decoded = PercentDecoding.decode(String(decoding: current, as: UTF8.self)) else {
                // A malformed escape in the request itself is refused; in a later round it is
                // only literal text that a browser will not decode again.
                return round > 0
            }
            if decoded.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\\") }) { return false }
            if !allowSlash, decoded.count(where: { $0 == UInt8(ascii: "/") }) != literalSlashes { return false }
            current = decoded
        }
        return false
    }
}
