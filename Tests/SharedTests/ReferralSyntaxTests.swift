import Testing

@testable import Shared

struct ReferralSyntaxTests {
    @Test(arguments: ["abc", "DEMO", "WFG1A2B3C", "a_b-c", String(repeating: "x", count: 32)])
    func acceptsWellFormedCodes(_ code: String) {
        #expect(ReferralSyntax.isValidCode(code))
    }

    @Test(arguments: [
        "", "ab", String(repeating: "x", count: 33), "a b", "a/b", "a.b", "a%2F", "АБВ", "abc\u{0}", "abc\r\n", "ａｂｃ",
    ])
    func refusesMalformedCodes(_ code: String) {
        #expect(!ReferralSyntax.isValidCode(code))
    }

    @Test func spellsAllowOneToSixtyFourCharacters() {
        #expect(ReferralSyntax.isValidSpell("x"))
        #expect(ReferralSyntax.isValidSpell(String(repeating: "s", count: 64)))
        #expect(!ReferralSyntax.isValidSpell(String(repeating: "s", count: 65)))
        #expect(!ReferralSyntax.isValidSpell(""))
        #expect(!ReferralSyntax.isValidSpell(".."))
    }
}

struct Base58Tests {
    // Vectors from the Bitcoin Core base58 test data (src/test/data/base58_encode_decode.json).
    @Test(arguments: [
        ("", ""), ("61", "2g"), ("626262", "a3gV"), ("636363", "aPEr"),
        ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
        ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
        ("516b6fcd0f", "ABnLTmg"), ("bf4f89001e670274dd", "3SEo3LWLoPntC"), ("572e4794", "3EFU7m"),
        ("ecac89cad93923c02321", "EJDM8drfXA6uyA"), ("10c8511e", "Rt5zm"), ("00000000000000000000", "1111111111"),
    ])
    func matchesPublishedVectors(_ hex: String, _ text: String) {
        let bytes = stride(from: 0, to: hex.count, by: 2).map {
            UInt8(hex.dropFirst($0).prefix(2), radix: 16)!
        }
        #expect(Base58.encode(bytes) == text)
        #expect(Base58.decode(text, maxBytes: 64) == bytes)
    }

    @Test func refusesCharactersOutsideTheAlphabet() {
        #expect(Base58.decode("0OIl", maxBytes: 64) == nil)
        #expect(Base58.decode("abc!", maxBytes: 64) == nil)
    }

    @Test func theLengthBoundFitsTheLongestEncodingsExactly() {
        #expect(Base58.maxEncodedLength(byteCount: 32) == 44)
        #expect(Base58.maxEncodedLength(byteCount: 64) == 88)
        let longest32 = Base58.encode([UInt8](repeating: 0xff, count: 32))
        let longest64 = Base58.encode([UInt8](repeating: 0xff, count: 64))
        #expect(longest32.utf8.count == 44 && longest64.utf8.count == 88)
        #expect(Base58.decode(longest64, maxBytes: 64)?.count == 64)
        #expect(Base58.decode(longest64, maxBytes: 32) == nil)
    }

    @Test func refusesTextLongerThanTheBoundBeforeDecoding() {
        // 65,000 characters: the defect's input, which cost ~0.8 s of CPU to decode.
        #expect(Base58.decode(String(repeating: "z", count: 65_000), maxBytes: 64) == nil)
        #expect(Base58.decode(String(repeating: "1", count: 89), maxBytes: 64) == nil)
    }

    @Test func solanaAddressesAreThirtyTwoBytes() {
        #expect(SolanaAddress.isValid("H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"))
        #expect(SolanaAddress.isValid("11111111111111111111111111111111"))
        #expect(!SolanaAddress.isValid("1111111111111111111111111111111"))
        #expect(!SolanaAddress.isValid("H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeGG"))
        #expect(!SolanaAddress.isValid("not-an-address"))
    }
}
