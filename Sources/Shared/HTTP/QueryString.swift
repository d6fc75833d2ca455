/// One `name=value` pair of a query string as it appeared between two `&`, not decoded: decoding
/// happens only for the pairs a caller asks about, so a query of thousands of pairs costs one pass.
public struct QueryPair: Sendable, Equatable {
    /// The pair exactly as it appeared.
    public var raw: Substring
    /// The raw name (before the first `=`).
    public var rawName: Substring
    /// The raw value (after the first `=`; empty without one).
    public var rawValue: Substring

    /// True when the name, decoded, is `name` (ASCII letters compared in any case when
    /// `ignoringCase`). A raw name longer than any encoding of `name` is not decoded at all.
    public func hasName(_ name: String, ignoringCase: Bool = false) -> Bool {
        func same<T: StringProtocol>(_ text: T) -> Bool {
            guard ignoringCase else { return text.utf8.elementsEqual(name.utf8) }
            return text.utf8.elementsEqual(name.utf8) { Self.lowercase($0) == Self.lowercase($1) }
        }
        guard rawName.utf8.count <= 3 * name.utf8.count else { return false }
        // Most names carry no escape: compared as they are, without decoding.
        guard rawName.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return same(rawName)
        }
        return PercentDecoding.decodeString(rawName, plusAsSpace: true).map(same) ?? false
    }

    static func lowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// The decoded value (`+` as a space), or nil when its escapes are malformed, it is not UTF-8,
    /// or it is longer than `maxBytes` before decoding.
    public func value(maxBytes: Int) -> String? {
        guard rawValue.utf8.count <= maxBytes else { return nil }
        return PercentDecoding.decodeString(rawValue, plusAsSpace: true)
    }
}

/// Parsing of `application/x-www-form-urlencoded` query strings.
public enum QueryString {
    /// The pairs of `query`, in order; empty pairs are skipped. Nothing is decoded.
    ///
    /// - Parameter query: the raw query string, without `?`.
    public static func pairs(_ query: String) -> [QueryPair] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let equals = pair.firstIndex(of: "=") else {
                return QueryPair(raw: pair, rawName: pair, rawValue: "")
            }
            return QueryPair(raw: pair, rawName: pair[..<equals], rawValue: pair[pair.index(after: equals)...])
        }
    }

    /// The pair at `range` of `bytes` (the UTF-8 of `query`).
    static func pair(_ query: String, _ bytes: [UInt8], _ range: Range<Int>) -> QueryPair {
        let utf8 = query.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return pairs(String(query[lower..<upper]))[0]
    }

    /// Calls `body` with the byte range of each non-empty pair, in order, until it returns true;
    /// returns that pair's range. One pass, nothing allocated per pair.
    static func firstPair(in bytes: [UInt8], where body: (Range<Int>) -> Bool) -> Range<Int>? {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start, body(start..<end) { return start..<end }
            start = end + 1
        }
        return nil
    }

    /// The first decoded value of `name`, if present and at most `maxBytes` long before decoding.
    ///
    /// - Parameters:
    ///   - name: the parameter name.
    ///   - query: the raw query string.
    ///   - maxBytes: the longest raw value the caller accepts.
    public static func firstValue(_ name: String, in query: String, maxBytes: Int = 1_024) -> String? {
        let bytes = Array(query.utf8)
        let wanted = Array(name.utf8)
        let found = firstPair(in: bytes) { range in
            var end = range.lowerBound
            while end < range.upperBound && bytes[end] != UInt8(ascii: "=") { end += 1 }
            let rawName = bytes[range.lowerBound..<end]
            if rawName.elementsEqual(wanted) { return true }
            // An encoded name is decoded only when it could encode `name`.
            guard rawName.count <= 3 * wanted.count,
                rawName.contains(UInt8(ascii: "%")) || rawName.contains(UInt8(ascii: "+"))
            else { return false }
            return PercentDecoding.decodeString(String(decoding: rawName, as: UTF8.self), plusAsSpace: true) == name
        }
        return found.map { pair(query, bytes, $0) }?.value(maxBytes: maxBytes)
    }
}
