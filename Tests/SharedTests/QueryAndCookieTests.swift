import Testing

@testable import Shared

struct QueryStringTests {
    @Test func keepsPairsInOrderWithRawText() {
        let pairs = QueryString.pairs("a=1&ref=CODE&b=x%20y&c")
        #expect(pairs.map { String($0.rawName) } == ["a", "ref", "b", "c"])
        #expect(pairs.map { $0.value(maxBytes: 100) } == ["1", "CODE", "x y", ""])
        #expect(pairs.map { String($0.raw) } == ["a=1", "ref=CODE", "b=x%20y", "c"])
    }

    @Test func decodesPlusAsSpaceInQueries() {
        #expect(QueryString.firstValue("q", in: "q=a+b") == "a b")
    }

    @Test func skipsEmptyPairs() {
        #expect(QueryString.pairs("&&a=1&").count == 1)
    }

    @Test func malformedEscapeYieldsNilValueNotACrash() {
        let pairs = QueryString.pairs("ref=%zz")
        #expect(pairs.first?.hasName("ref") == true)
        #expect(pairs.first?.value(maxBytes: 100) == nil)
    }

    @Test func firstOccurrenceWins() {
        #expect(QueryString.firstValue("ref", in: "ref=A&ref=B") == "A")
    }

    @Test func namesMatchEncodedAndInAnyCaseWhenAsked() {
        #expect(QueryString.pairs("r%65f=A")[0].hasName("ref"))
        #expect(QueryString.pairs("REF=A")[0].hasName("ref", ignoringCase: true))
        #expect(!QueryString.pairs("REF=A")[0].hasName("ref"))
        #expect(!QueryString.pairs(String(repeating: "%72", count: 5) + "=A")[0].hasName("ref"))
    }

    @Test func aValueLongerThanTheBoundIsNotDecoded() {
        #expect(QueryString.firstValue("w", in: "w=" + String(repeating: "a", count: 2_000)) == nil)
        #expect(QueryString.firstValue("w", in: "w=abc", maxBytes: 3) == "abc")
    }
}

struct CookieTests {
    @Test func findsPairsWithSpacesAndQuotes() {
        let header = "a=1; referral_code=\"ABC\";b = 2"
        #expect(Cookies.value(named: "a", in: header) == "1")
        #expect(Cookies.value(named: "referral_code", in: header) == "ABC")
        #expect(Cookies.value(named: "b", in: header) == "2")
        #expect(Cookies.value(named: "c", in: header) == nil)
    }

    @Test func firstCookieOfANameWins() {
        #expect(Cookies.value(named: "x", in: "x=first; x=second") == "first")
    }

    @Test func ignoresPiecesWithoutEquals() {
        #expect(Cookies.value(named: "a", in: "junk; a=1; =nameless") == "1")
        #expect(Cookies.value(named: "", in: "junk; a=1; =nameless") == "nameless")
    }

    @Test func buildsTheContractCookie() {
        #expect(
            Cookies.setCookie(name: "referral_code", value: "DEMO", maxAge: 7_776_000, sameSite: .lax)
                == "referral_code=DEMO; Max-Age=7776000; Path=/; HttpOnly; Secure; SameSite=Lax"
        )
    }
}
