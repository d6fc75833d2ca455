import Testing

@testable import Shared

/// Property: whatever path and query a client sends, the Location names no other host and holds
/// nothing that could split a header.
struct RedirectPropertyTests {
    static let base = "https://site.example"

    /// Building blocks of hostile request targets.
    static let pieces = [
        "/", "//", "\\", "/\\", "%2F", "%2f", "%5C", "%5c", "%252F", "%25252F", "%0d%0a", "%0D%0A", "%00", "%09",
        "\r\n",
        "\u{0}", "evil.com", "@evil.com", ":443", "ref", "r", "=", "&", "?", "#", "..", ".", "%2e%2e", "DEMO", "x", "%",
        "%zz", "Ａ", "／", "%EF%BC%8F", "http://evil.com", "https:", "javascript:", " ", "+", "%20", "\u{7f}", "ref=DEMO",
        "/./", "/../", "/.", "%2E", ".%2e", "%2e.", "/%2e/",
    ]

    /// A small deterministic generator (SplitMix64), so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func isSafeLocation(_ location: String) -> Bool {
        guard Response.isSafe(location), !location.contains("\\"), location.utf8.count <= 2_048 else { return false }
        if location.hasPrefix(base + "/") { return true }
        guard location.hasPrefix("/") else { return false }
        // As a browser resolves it: dot segments (also encoded) removed first.
        let path = String(location.prefix { $0 != "?" })
        let decodedDots = path.replacing("%2e", with: ".").replacing("%2E", with: ".")
        return !resolved(decodedDots).hasPrefix("//")
    }

    /// RFC 3986 §5.2.4 `remove_dot_segments`, written as the RFC spells it (independent of the code
    /// under test).
    static func resolved(_ path: String) -> String {
        var input = path
        var output = ""
        while !input.isEmpty {
            if input.hasPrefix("../") {
                input.removeFirst(3)
            } else if input.hasPrefix("./") {
                input.removeFirst(2)
            } else if input.hasPrefix("/./") {
                input.removeFirst(2)
            } else if input == "/." {
                input = "/"
            } else if input.hasPrefix("/../") || input == "/.." {
                input = "/" + input.dropFirst(input == "/.." ? 3 : 4)
                if let slash = output.lastIndex(of: "/") { output = String(output[..<slash]) } else { output = "" }
            } else if input == "." || input == ".." {
                input = ""
            } else {
                let start = input.hasPrefix("/") ? input.index(after: input.startIndex) : input.startIndex
                let end = input[start...].firstIndex(of: "/") ?? input.endIndex
                output += input[..<end]
                input = String(input[end...])
            }
        }
        return output
    }

    @Test(arguments: [
        ("/.//evil.com", "/"), ("/a/./b/../c", "/a/c"), ("/a/%2e%2e/b", "/b"), ("/a/b/", "/a/b/"),
        ("/%2E/x", "/x"), ("/a/..", "/"),
    ])
    func pageLinksRedirectToTheResolvedPath(_ path: String, _ expected: String) {
        let link = ReferralLink.parse(path: path, query: "ref=DEMO")
        #expect(link?.location(code: "DEMO", frontendBaseURL: Self.base) == expected)
    }

    @Test func aLongQueryFallsBackToThePathAndALongPathToTheRoot() {
        let path = "/p/" + String(repeating: "a", count: 1_000)
        let fits = "x=" + String(repeating: "b", count: 2_048 - path.utf8.count - 3)
        let link = ReferralLink.parse(path: path, query: "ref=DEMO&" + fits)
        #expect(link?.location(code: "DEMO", frontendBaseURL: Self.base) == path + "?" + fits)
        let tooLong = ReferralLink.parse(path: path, query: "ref=DEMO&" + fits + "b")
        #expect(tooLong?.location(code: "DEMO", frontendBaseURL: Self.base) == path)
        let longPath = "/" + String(repeating: "c", count: 2_048)
        #expect(
            ReferralLink.parse(path: longPath, query: "ref=DEMO")?.location(code: "DEMO", frontendBaseURL: Self.base)
                == "/"
        )
    }

    @Test func generatedHostileTargetsNeverLeaveTheOrigin() {
        var random = SplitMix(state: 20_261_121)
        var checked = 0
        for _ in 0..<20_000 {
            var path = Bool.random(using: &random) ? "/" : ""
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                path += Self.pieces.randomElement(using: &random)!
            }
            var query = ""
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                query += Self.pieces.randomElement(using: &random)!
            }
            if Bool.random(using: &random) { query += "&ref=DEMO" }
            guard let link = ReferralLink.parse(path: path, query: query) else { continue }
            let location = link.location(code: link.code, frontendBaseURL: Self.base)
            #expect(
                Self.isSafeLocation(location),
                "path \(path.debugDescription) query \(query.debugDescription) → \(location.debugDescription)"
            )
            checked += 1
        }
        // The generator must actually reach the redirect builder, or this test proves nothing.
        #expect(checked > 5_000)
    }

    @Test func responseHeadersWithControlCharactersBecomeA500() {
        let response = Response(status: 302, headers: [("Location", "/a\r\nSet-Cookie: x=1")])
        let head = String(decoding: response.cgiHead(includeBody: true), as: UTF8.self)
        #expect(head.hasPrefix("Status: 500 "))
        #expect(!head.contains("Set-Cookie"))
    }
}
