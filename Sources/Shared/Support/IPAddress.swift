@preconcurrency import Glibc

/// Textual IP addresses.
public enum IPAddress {
    /// True for an IPv4 dotted quad or an IPv6 address, as `inet_pton` reads them.
    ///
    /// - Parameter text: the candidate.
    public static func isValid(_ text: String) -> Bool {
        guard (2...45).contains(text.utf8.count) else { return false }
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }
}
