import Testing

@testable import Shared

struct QueryStringTests {
    @Test func keepsPairsInOrderWithRawText() {
        let items = QueryString.parse("a=1&ref=CODE&b=x%20y&c")
        #expect(items.map(\.name) == ["a", "ref", "b", "c"])
        #expect(items.map(\.value) == ["1", "CODE", "x y", ""])
        #expect(items.map { String($0.raw) } == ["a=1", "ref=CODE", "b=x%20y", "c"])
    }

    @Test func decodesPlusAsSpaceInQueries() {
        #expect(QueryString.firstValue("q", in: "q=a+b") == "a b")
    }

    @Test func skipsEmptyPairs() {
        #expect(QueryString.parse("&&a=1&").count == 1)
    }

    @Test func malformedEscapeYieldsNilValueNotACrash() {
        let items = QueryString.parse("ref=%zz")
        #expect(items.first?.name == "ref")
        #expect(items.first?.value == nil)
    }

    @Test func firstOccurrenceWins() {
        #expect(QueryString.firstValue("ref", in: "ref=A&ref=B") == "A")
    }
}

struct CookieTests {
    @Test func parsesPairsWithSpacesAndQuotes() {
        let cookies = Cookies.parse("a=1; referral_code=\"ABC\";b = 2")
        #expect(cookies == ["a": "1", "referral_code": "ABC", "b": "2"])
    }

    @Test func firstCookieOfANameWins() {
        #expect(Cookies.parse("x=first; x=second")["x"] == "first")
    }

    @Test func ignoresPiecesWithoutEquals() {
        #expect(Cookies.parse("junk; a=1; =nameless") == ["a": "1"])
    }

    @Test func buildsTheContractCookie() {
        #expect(
            Cookies.setCookie(name: "referral_code", value: "DEMO", maxAge: 7_776_000, sameSite: .lax)
                == "referral_code=DEMO; Max-Age=7776000; Path=/; HttpOnly; Secure; SameSite=Lax"
        )
    }
}
