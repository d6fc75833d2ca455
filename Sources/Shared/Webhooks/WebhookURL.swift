@preconcurrency import Glibc

/// An endpoint URL as `referral-admin webhooks add` accepts it: http or https, a host, at most
/// 2,048 bytes, nothing that could smuggle a second host (no user info, no spaces or controls).
public struct WebhookURL: Sendable, Equatable {
    public let text: String
    /// The host as written (brackets removed from an IPv6 literal).
    public let host: String

    /// Checks `text`; nil when it is not such a URL.
    public init?(_ text: String) {
        guard text.utf8.count <= 2_048, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        let rest: Substring
        if text.hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if text.hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains("\\") else { return nil }
        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        guard !host.isEmpty else { return nil }
        if host.hasSuffix(".") { host = host.dropLast() }
        self.text = text
        self.host = host.lowercased()
    }

    /// True when the host is a literal address (or `localhost`) on loopback, a private network or
    /// link-local: what SPEC §8 refuses unless WEBHOOK_ALLOW_PRIVATE=1. A name is judged again by
    /// the address it resolves to when a delivery connects.
    public var isPrivateLiteral: Bool {
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        return Self.isPrivate(address: host) ?? false
    }

    /// Whether an IPv4 or IPv6 address text is loopback, private, link-local, unspecified or
    /// carrier-grade NAT; nil when `text` is not an address.
    public static func isPrivate(address text: String) -> Bool? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return isPrivate(v4: UInt32(bigEndian: v4.s_addr)) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return isPrivate(v4: bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
        }
        let unspecifiedOrLoopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] <= 1
        let uniqueLocal = bytes[0] & 0xfe == 0xfc
        let linkLocal = bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80
        return unspecifiedOrLoopback || uniqueLocal || linkLocal
    }

    static func isPrivate(v4 address: UInt32) -> Bool {
        let ranges: [(UInt32, UInt32)] = [
            (0x0000_0000, 8), (0x0a00_0000, 8), (0x6440_0000, 10), (0x7f00_0000, 8), (0xa9fe_0000, 16),
            (0xac10_0000, 12), (0xc0a8_0000, 16),
        ]
        return ranges.contains { network, bits in address >> (32 - bits) == network >> (32 - bits) }
    }
}
