import Testing

@testable import Shared

struct PercentDecodingTests {
    @Test func decodesEscapesInBothCases() {
        #expect(PercentDecoding.decodeString("a%2Fb%2fc") == "a/b/c")
    }

    @Test func decodesPlusOnlyWhenAsked() {
        #expect(PercentDecoding.decodeString("a+b") == "a+b")
        #expect(PercentDecoding.decodeString("a+b", plusAsSpace: true) == "a b")
    }

    @Test func refusesTruncatedOrNonHexEscapes() {
        #expect(PercentDecoding.decode("%") == nil)
        #expect(PercentDecoding.decode("%4") == nil)
        #expect(PercentDecoding.decode("%zz") == nil)
    }

    @Test func refusesInvalidUTF8AsString() {
        #expect(PercentDecoding.decode("%ff") == [0xff])
        #expect(PercentDecoding.decodeString("%ff") == nil)
    }
}
