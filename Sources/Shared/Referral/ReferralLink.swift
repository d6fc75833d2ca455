/// A referral link recognised in a request path or query (SPEC §1), and where it redirects.
public struct ReferralLink: Equatable, Sendable {
    /// The shape of the link, which decides the redirect target.
    public enum Kind: Equatable, Sendable {
        /// `/r/{code}` → `{FRONTEND_BASE_URL}/onboard?ref={code}`.
        case onboard
        /// `/ref/{code}` → `/`; also the safe default of the spell and query shapes.
        case home
        /// `/{spell}/ref/{code}` → `/{spell}`.
        case spell(String)
        /// `{path}?…ref={code}…` → the same path and the other query pairs, in order.
        case page(path: String, query: String)
    }

    public var kind: Kind
    /// The code, decoded and well-formed; nil when it is malformed, which means: redirect to the
    /// safe default and record nothing.
    public var code: String?

    /// Recognises a referral link, or returns nil when the request is not one.
    ///
    /// - Parameters:
    ///   - path: the raw request path.
    ///   - query: the raw query string.
    public static func parse(path: String, query: String) -> ReferralLink? {
        guard path.utf8.first == UInt8(ascii: "/") else { return nil }
        // nginx merges slashes before it picks a location, so `//x/ref/C` reaches the responder
        // too: the shape is judged without empty segments, and an empty segment makes it malformed.
        let (parts, exact) = segments(of: path)
        if let first = parts.first, first == "r" || first == "ref" {
            let code = exact && parts.count == 2 ? decodedCode(parts[1]) : nil
            return ReferralLink(kind: first == "r" ? .onboard : .home, code: code)
        }
        if parts.count >= 2, parts[1] == "ref" {
            guard exact, parts.count == 3, let spell = decodedSpell(parts[0]), let code = decodedCode(parts[2]) else {
                return ReferralLink(kind: .home, code: nil)
            }
            return ReferralLink(kind: .spell(spell), code: code)
        }
        return parseQueryLink(path: path, query: query)
    }

    /// The non-empty segments of `path` (which starts with `/`), at most five (a link has at most
    /// three; a longer path only needs to be told apart), and whether none was empty. Split on the
    /// byte `/`, as nginx reads the path, in one pass: this runs for every link, and splitting the
    /// `String` (by characters, twice) cost a tenth of a lone click's instructions.
    static func segments(of path: String) -> (parts: [Substring], exact: Bool) {
        var parts: [Substring] = []
        parts.reserveCapacity(4)
        var exact = true
        let bytes = path.utf8
        var start = bytes.index(after: bytes.startIndex)
        var index = start
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == UInt8(ascii: "/") {
                if index == start {
                    exact = false
                } else if parts.count < 5 {
                    parts.append(path[start..<index])
                }
                if atEnd { break }
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        return (parts, exact)
    }

    /// `?ref=` on any other path: the first `ref` names the code; every `ref` pair is dropped and
    /// the other pairs are kept in order when they are safe to echo. The name matches in any case,
    /// as nginx's `$arg_ref` (which routes these requests here) does. When the other pairs could not
    /// fit in the Location with the path, the redirect goes to the path alone, and they are not
    /// examined: a query of thousands of pairs costs one pass.
    static func parseQueryLink(path: String, query: String) -> ReferralLink? {
        // One pass over the raw bytes: where the first `ref` is, and how long the other pairs are.
        let bytes = Array(query.utf8)
        var reference: Range<Int>?
        var othersBytes = 0
        _ = QueryString.firstPair(in: bytes) { range in
            if isReferenceName(bytes, range) {
                if reference == nil { reference = range }
            } else {
                othersBytes += range.count + 1
            }
            return false
        }
        guard let reference = reference.map({ QueryString.pair(query, bytes, $0) }) else { return nil }
        // An escape takes three bytes: anything longer cannot decode into a valid code.
        let code = reference.value(maxBytes: 3 * ReferralSyntax.codeLength.upperBound)
            .flatMap { ReferralSyntax.isValidCode($0) ? $0 : nil }
        // Judged as the browser will resolve it: `/.//evil.com` is `//evil.com`.
        let path = path.utf8.count <= SafeRedirect.maxPathBytes ? SafeRedirect.removingDotSegments(path) : path
        guard SafeRedirect.isSafePath(path) else { return ReferralLink(kind: .home, code: code) }
        guard path.utf8.count + othersBytes <= SafeRedirect.maxLocationBytes else {
            return ReferralLink(kind: .page(path: path, query: ""), code: code)
        }
        let kept = QueryString.pairs(query).filter {
            !$0.hasName("ref", ignoringCase: true) && SafeRedirect.isSafeQueryPair($0.raw)
        }
        return ReferralLink(kind: .page(path: path, query: kept.map(\.raw).joined(separator: "&")), code: code)
    }

    /// True when the pair at `range` is named `ref` in any case, also percent-encoded (as nginx's
    /// `$arg_ref` matches it); a name too long to encode `ref` is not decoded.
    static func isReferenceName(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        var end = range.lowerBound
        while end < range.upperBound && bytes[end] != UInt8(ascii: "=") { end += 1 }
        let length = end - range.lowerBound
        if length == 3 {
            return bytes[range.lowerBound] | 0x20 == UInt8(ascii: "r")
                && bytes[range.lowerBound + 1] | 0x20 == UInt8(ascii: "e")
                && bytes[range.lowerBound + 2] | 0x20 == UInt8(ascii: "f")
        }
        guard length > 3, length <= 9, bytes[range.lowerBound..<end].contains(UInt8(ascii: "%")) else { return false }
        let name = String(decoding: bytes[range.lowerBound..<end], as: UTF8.self)
        return PercentDecoding.decodeString(name, plusAsSpace: true)?.lowercased() == "ref"
    }

    /// The link's shape as metrics name it (never the raw path).
    public var routeLabel: String {
        switch kind {
        case .onboard: "/r/{code}"
        case .home: "/ref/{code}"
        case .spell: "/{spell}/ref/{code}"
        case .page: "?ref={code}"
        }
    }

    /// The Location for this link, at most 2,048 bytes: a page keeps its other query pairs only
    /// while they fit (its path alone is at most that long).
    ///
    /// - Parameters:
    ///   - code: the code to name in the target (the stored spelling for a known code); only the
    ///     onboard target carries it.
    ///   - frontendBaseURL: the configured site origin.
    public func location(code: String?, frontendBaseURL: String) -> String {
        switch kind {
        case .onboard: frontendBaseURL + "/onboard" + (code.map { "?ref=" + $0 } ?? "")
        case .home: "/"
        case .spell(let spell): "/" + spell
        case .page(let path, let query):
            query.isEmpty || path.utf8.count + 1 + query.utf8.count > SafeRedirect.maxLocationBytes
                ? path : path + "?" + query
        }
    }

    static func decodedCode(_ segment: Substring) -> String? {
        // An escape takes three bytes: anything longer cannot decode into a valid code.
        guard segment.utf8.count <= 3 * ReferralSyntax.codeLength.upperBound,
            let text = PercentDecoding.decodeString(segment), ReferralSyntax.isValidCode(text)
        else { return nil }
        return text
    }

    static func decodedSpell(_ segment: Substring) -> String? {
        guard segment.utf8.count <= 3 * ReferralSyntax.spellLength.upperBound,
            let text = PercentDecoding.decodeString(segment), ReferralSyntax.isValidSpell(text)
        else { return nil }
        return text
    }
}
