/// One `name=value` pair of a query string, with its raw text kept for faithful re-emission.
public struct QueryItem: Sendable, Equatable {
    /// The decoded name (nil when its escapes are malformed or not UTF-8).
    public var name: String?
    /// The decoded value (nil when its escapes are malformed or not UTF-8).
    public var value: String?
    /// The pair exactly as it appeared between `&`s.
    public var raw: Substring
}

/// Parsing of `application/x-www-form-urlencoded` query strings.
public enum QueryString {
    /// Splits `query` on `&` and decodes each pair; empty pairs are skipped.
    ///
    /// - Parameter query: the raw query string, without `?`.
    /// - Returns: the pairs in their original order.
    public static func parse(_ query: String) -> [QueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let name: Substring
            let value: Substring
            if let equals = pair.firstIndex(of: "=") {
                name = pair[..<equals]
                value = pair[pair.index(after: equals)...]
            } else {
                name = pair
                value = ""
            }
            return QueryItem(
                name: PercentDecoding.decodeString(name, plusAsSpace: true),
                value: PercentDecoding.decodeString(value, plusAsSpace: true),
                raw: pair
            )
        }
    }

    /// The first decoded value of `name`, if present.
    ///
    /// - Parameters:
    ///   - name: the parameter name.
    ///   - query: the raw query string.
    public static func firstValue(_ name: String, in query: String) -> String? {
        parse(query).first { $0.name == name }?.value
    }
}
