/// Parsing of the `Cookie` request header and building of `Set-Cookie` values.
public enum Cookies {
    /// The value of the first cookie called `name`, or nil. Scans the header without building a
    /// table of every cookie, so a header of thousands of cookies costs one pass.
    ///
    /// - Parameters:
    ///   - name: the cookie's name.
    ///   - header: the Cookie header value.
    public static func value(named name: String, in header: String) -> String? {
        let bytes = Array(header.utf8)
        let wanted = Array(name.utf8)
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
            if let value = match(bytes, start..<end, wanted) { return value }
            start = end + 1
        }
        return nil
    }

    /// The value of the pair `bytes[range]` when its name is `wanted` (spaces around name and
    /// value ignored, one pair of double quotes around the value removed).
    static func match(_ bytes: [UInt8], _ range: Range<Int>, _ wanted: [UInt8]) -> String? {
        func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var nameStart = range.lowerBound
        while nameStart < range.upperBound && isSpace(bytes[nameStart]) { nameStart += 1 }
        guard range.upperBound - nameStart > wanted.count,
            bytes[nameStart..<nameStart + wanted.count].elementsEqual(wanted)
        else { return nil }
        var index = nameStart + wanted.count
        while index < range.upperBound && isSpace(bytes[index]) { index += 1 }
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "=") else { return nil }
        var valueStart = index + 1
        var valueEnd = range.upperBound
        while valueStart < valueEnd && isSpace(bytes[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && isSpace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        if valueEnd - valueStart >= 2, bytes[valueStart] == UInt8(ascii: "\""),
            bytes[valueEnd - 1] == UInt8(ascii: "\"")
        {
            valueStart += 1
            valueEnd -= 1
        }
        return String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
    }

    /// A `Set-Cookie` value. `name` and `value` must already be checked: they are not escaped.
    ///
    /// - Parameters:
    ///   - name: the cookie name.
    ///   - value: the cookie value.
    ///   - maxAge: seconds until expiry; 0 deletes the cookie.
    ///   - sameSite: when browsers send it on requests from other sites.
    public static func setCookie(name: String, value: String, maxAge: Int, sameSite: SameSite) -> String {
        "\(name)=\(value); Max-Age=\(maxAge); Path=/; HttpOnly; Secure; SameSite=\(sameSite.rawValue)"
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
