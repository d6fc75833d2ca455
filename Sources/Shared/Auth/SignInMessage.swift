/// The message a wallet signs to sign in, in the Sign-In With Solana shape (after EIP-4361):
///
/// ```
/// example.com wants you to sign in with your Solana account:
/// <base58 address>
///
/// <statement>
///
/// URI: https://example.com
/// Version: 1
/// Nonce: <nonce>
/// Issued At: 2026-11-21T12:00:00Z
/// Expiration Time: 2026-11-21T12:05:00Z
/// ```
public struct SignInMessage: Equatable, Sendable {
    /// The site's host (and port), from `FRONTEND_BASE_URL`.
    public var domain: String
    /// The wallet signing in.
    public var address: String
    public var statement: String
    /// The site's origin.
    public var uri: String
    public var nonce: String
    public var issuedAt: Int64
    public var expiresAt: Int64

    /// The sentence shown to the wallet owner.
    public static let defaultStatement = "Sign in to the referral program."
    static let header = " wants you to sign in with your Solana account:"

    /// The exact text to sign (lines joined by `\n`, no trailing newline).
    public var text: String {
        [
            domain + Self.header, address, "", statement, "", "URI: " + uri, "Version: 1", "Nonce: " + nonce,
            "Issued At: " + Timestamp.iso8601(issuedAt), "Expiration Time: " + Timestamp.iso8601(expiresAt),
        ].joined(separator: "\n")
    }

    /// Parses a message strictly: exactly the ten lines of `text`, each field well-formed.
    ///
    /// - Parameter text: the message as the client sent it back.
    /// - Returns: the fields, or nil when anything differs from the shape.
    public static func parse(_ text: String) -> SignInMessage? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count == 10, lines[2].isEmpty, lines[4].isEmpty, lines[6] == "Version: 1",
            lines[0].hasSuffix(header), !lines.contains(where: { $0.contains("\r") }),
            let uri = value(lines[5], "URI: "), let nonce = value(lines[7], "Nonce: "),
            let issued = value(lines[8], "Issued At: ").flatMap(Timestamp.parse),
            let expires = value(lines[9], "Expiration Time: ").flatMap(Timestamp.parse),
            SolanaAddress.isValid(lines[1]), isNonce(nonce)
        else { return nil }
        return SignInMessage(
            domain: String(lines[0].dropLast(header.count)),
            address: lines[1],
            statement: lines[3],
            uri: uri,
            nonce: nonce,
            issuedAt: issued,
            expiresAt: expires
        )
    }

    /// True for the nonces this service issues: 32 lower-case hex digits.
    public static func isNonce(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f"))
            }
    }

    private static func value(_ line: String, _ prefix: String) -> String? {
        line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : nil
    }
}
