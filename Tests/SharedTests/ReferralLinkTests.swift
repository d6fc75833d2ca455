import Testing

@testable import Shared

struct ReferralLinkTests {
    let base = "https://example.com"

    func location(_ uri: String, code: String? = nil) -> String? {
        let request = Request(method: "GET", uri: uri)
        guard let link = ReferralLink.parse(path: request.path, query: request.query) else { return nil }
        return link.location(code: code ?? link.code, frontendBaseURL: base)
    }

    @Test func routesEachShapeOfTheContract() {
        #expect(location("/r/DEMO") == "https://example.com/onboard?ref=DEMO")
        #expect(location("/ref/DEMO") == "/")
        #expect(location("/spell_1/ref/DEMO") == "/spell_1")
        #expect(location("/page/x?a=1&ref=DEMO&b=2") == "/page/x?a=1&b=2")
        #expect(location("/p?ref=DEMO") == "/p")
    }

    @Test func carriesTheStoredSpellingOfAKnownCode() {
        #expect(location("/r/demo", code: "Demo") == "https://example.com/onboard?ref=Demo")
    }

    @Test func decodesEscapedCodesBeforeCheckingThem() {
        let link = ReferralLink.parse(path: "/r/%44EMO", query: "")
        #expect(link?.code == "DEMO")
    }

    @Test(arguments: ["/r/", "/r/ab", "/r/a%2Fb", "/r/DEMO/extra", "/r/DE%0d%0aMO", "/r/%zz", "//r/DEMO", "/r//DEMO"])
    func malformedOnboardCodesGoToTheBareOnboardPage(_ uri: String) {
        #expect(location(uri) == "https://example.com/onboard")
        #expect(ReferralLink.parse(path: Request(method: "GET", uri: uri).path, query: "")?.code == nil)
    }

    @Test(arguments: [
        "/ref/", "/ref/a.b", "/bad.spell/ref/DEMO", "/sp/ref/x", "/sp/ref/DEMO/more", "/%2F/ref/DEMO",
        "//evil.com/ref/DEMO", "/sp//ref/DEMO", "/ref//DEMO",
    ])
    func malformedHomeAndSpellLinksGoToRoot(_ uri: String) {
        #expect(location(uri) == "/")
    }

    @Test func dropsEveryRefPairAnyCaseAndKeepsOthersInOrder() {
        #expect(location("/p?z=9&REF=DEMO&a=1&ref=OTHER&m=2") == "/p?z=9&a=1&m=2")
    }

    @Test func dropsQueryPairsThatWouldDecodeIntoControlCharacters() {
        #expect(location("/p?ref=DEMO&x=%0d%0aSet-Cookie:y&keep=1") == "/p?keep=1")
        #expect(location("/p?ref=DEMO&x=%250d") == "/p")
    }

    @Test(arguments: [
        "//evil.com", "/\\evil.com", "/%2F%2Fevil.com", "/a%5Cb", "/%252F%252Fevil.com", "/a%00b", "/caf\u{e9}",
    ])
    func unsafePagePathsFallBackToRoot(_ path: String) {
        #expect(location(path + "?ref=DEMO") == "/")
    }

    @Test func rootPathWithRefIsAQueryLink() {
        #expect(location("/?ref=DEMO&x=1") == "/?x=1")
    }

    /// Paths are split on the byte `/`, as nginx (which routed them here) reads them: a `/` followed
    /// by a combining mark still ends a segment, and long paths are still told apart.
    @Test func segmentsAreSplitOnTheSlashByte() {
        #expect(location("/r/\u{301}DEMO") == "https://example.com/onboard")
        #expect(location("/sp\u{301}/ref/DEMO") == "/")
        #expect(location("/a/b/c/d/e/f/ref/DEMO") == nil)
        #expect(location("/a/b/c/d/e/f?ref=DEMO") == "/a/b/c/d/e/f")
        #expect(ReferralLink.segments(of: "/").parts.isEmpty)
        #expect(ReferralLink.segments(of: "/").exact == false)
        #expect(ReferralLink.segments(of: "/sp/ref/DEMO") == (["sp", "ref", "DEMO"], true))
    }

    @Test func pathsWithoutARefAreNotLinks() {
        #expect(ReferralLink.parse(path: "/about", query: "x=1") == nil)
        #expect(ReferralLink.parse(path: "/about", query: "") == nil)
    }
}
