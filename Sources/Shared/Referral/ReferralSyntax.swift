/// The syntax of referral codes and spells in links (SPEC §1).
public enum ReferralSyntax {
    /// Code length bounds: `[A-Za-z0-9_-]{3,32}`.
    public static let codeLength = 3...32
    /// Spell length bounds: `[A-Za-z0-9_-]{1,64}`.
    public static let spellLength = 1...64

    /// True when `text` is a well-formed referral code.
    public static func isValidCode<S: StringProtocol>(_ text: S) -> Bool {
        codeLength.contains(text.utf8.count) && isCodeText(text)
    }

    /// True when `text` is a well-formed spell (the first segment of `/{spell}/ref/{code}`).
    public static func isValidSpell<S: StringProtocol>(_ text: S) -> Bool {
        spellLength.contains(text.utf8.count) && isCodeText(text)
    }

    /// True when every byte of `text` is one of `A-Z a-z 0-9 _ -`.
    public static func isCodeText<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
    }
}
