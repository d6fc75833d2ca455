@preconcurrency import Glibc

/// Textual IP addresses.
public enum IPAddress {
    /// True for an IPv4 dotted quad or an IPv6 address, as `inet_pton` reads them.
    ///
    /// - Parameter text: the candidate.
    public static func isValid(_ text: String) -> Bool {
        canonical(text) != nil
    }

    /// The one spelling of an address, so that addresses compare as addresses: `inet_ntop`'s form
    /// (lower-case, zeros compressed), and IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as plain IPv4.
    ///
    /// - Parameter text: an IPv4 or IPv6 address.
    /// - Returns: the canonical text, or nil when `text` is not an address.
    public static func canonical(_ text: String) -> String? {
        guard (2...45).contains(text.utf8.count) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &bytes) == 1 {
            return format(AF_INET, bytes)
        }
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return nil }
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
        if Array(bytes[0..<12]) == mappedPrefix {
            return format(AF_INET, Array(bytes[12..<16]))
        }
        return format(AF_INET6, bytes)
    }

    private static func format(_ family: Int32, _ bytes: [UInt8]) -> String? {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
