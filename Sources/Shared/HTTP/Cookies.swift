/// Parsing of the `Cookie` request header and building of `Set-Cookie` values.
public enum Cookies {
    /// Parses `name=value; name2=value2`; the first occurrence of a name wins, as browsers send
    /// the most specific cookie first. Values are not decoded.
    ///
    /// - Parameter header: the Cookie header value.
    public static func parse(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in header.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = pair[..<equals].trimmingSpaces
            var value = pair[pair.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            if !name.isEmpty, result[String(name)] == nil {
                result[String(name)] = String(value)
            }
        }
        return result
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
