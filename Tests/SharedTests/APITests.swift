import FoundationEssentials
import Logging
import Testing

@testable import Shared

struct AmountInputTests {
    func decode(_ json: String) -> UInt64? {
        try? JSONDecoder().decode([String: AmountInput].self, from: Data(json.utf8))["a"]?.value
    }

    @Test func acceptsIntegersAndDecimalStringsUpTo2To64Minus1() {
        #expect(decode(#"{"a": 0}"#) == 0)
        #expect(decode(#"{"a": "0"}"#) == 0)
        #expect(decode(#"{"a": "250"}"#) == 250)
        #expect(decode(#"{"a": "18446744073709551615"}"#) == UInt64.max)
        #expect(decode(#"{"a": 18446744073709551615}"#) == UInt64.max)
    }

    @Test(arguments: [
        #""-1""#, "-1", "1.5", #""1.5""#, #""1e3""#, "1e309", #""18446744073709551616""#, "18446744073709551616",
        #""abc""#,
        #""""#, #"" 1""#, #""+1""#, "null", "true", "[1]", #""0500""#, #""00""#, #""-0""#,
    ])
    func refusesEverythingElse(_ value: String) {
        #expect(decode(#"{"a": \#(value)}"#) == nil)
    }
}

struct QRCodeTests {
    @Test func drawsTheMatrixWithAQuietZone() throws {
        let code = try QRCode(encoding: "https://site.example/r/DEMO")
        // Version 2 at level M holds 26 bytes and the link has 27: version 3, 29 modules a side.
        #expect(code.width == 29)
        // Finder pattern: the top-left 7×7 has a dark border and a light ring.
        #expect((0..<7).allSatisfy { code.modules[$0] && code.modules[6 * code.width + $0] })
        #expect(!code.modules[1 * code.width + 1])
        #expect(code.svg.contains(#"viewBox="0 0 37 37""#))
        // The first dark run starts at the quiet zone's edge.
        #expect(code.svg.contains(#"d="M4,4h7v1h-7z"#))
        #expect(code.svgDataURL.hasPrefix("data:image/svg+xml;base64,PHN2Zy"))
    }
}

struct RouteTests {
    let directory = TemporaryDirectory()

    func respond(_ method: String, _ uri: String) throws -> Response {
        let config = try ResponderConfig(environment: ["REFERRAL_DB": directory.file("db.sqlite")])
        let application = Application(config: config, logger: Logger(label: "test"))
        let store = try ReferralStore(path: config.databasePath, gate: application.gate)
        try SchemaMigrator.migrate(store.connection)
        return application.respond(to: Request(method: method, uri: uri), store: store)
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() throws {
        #expect(try respond("GET", "/api/nope").status == 404)
        #expect(try respond("GET", "/api/referral/a/b/c").status == 404)
        let wrong = try respond("DELETE", "/api/auth/nonce")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD")
        #expect(try respond("GET", "/api/referral/ABC/deactivate").header("Allow") == "POST")
    }

    @Test func protectedRoutesNeedASession() throws {
        for (method, uri) in [
            ("GET", "/api/me"), ("GET", "/api/referral/mine"), ("GET", "/api/referral/stats/ABC"),
            ("POST", "/api/referral/create"), ("POST", "/api/referral/ABC/deactivate"),
        ] {
            #expect(try respond(method, uri).status == 401, "\(method) \(uri)")
        }
    }

    @Test func nonceNeedsAValidWallet() throws {
        #expect(try respond("GET", "/api/auth/nonce").status == 400)
        #expect(try respond("GET", "/api/auth/nonce?wallet=abc").status == 400)
        let issued = try respond("GET", "/api/auth/nonce?wallet=H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG")
        #expect(issued.status == 200)
        #expect(String(decoding: issued.body, as: UTF8.self).contains(#""nonce":""#))
    }

    @Test func qrCodeOfAnUnknownCodeIs404() throws {
        #expect(try respond("GET", "/api/referral/NOPE/qr.svg").status == 404)
    }
}

struct StrictJSONTests {
    @Test(arguments: [
        #"{}"#, #"[]"#, #"{"a": [1, 20, true, false, null, "x\u00e9\n\ud83d\ude00"]}"#, #" "s" "#, "0",
        #"{"a":{"b":{}}}"#, #"{"a": 1, "b": {"a": 2}}"#,
    ])
    func acceptsValidJSON(_ text: String) {
        #expect(StrictJSON.isValid(Array(text.utf8)))
    }

    @Test(arguments: [
        (#"{"amount": -0}"#, "amount"), (#"{"amount": 0.0}"#, "amount"), (#"{"amount": 1E2}"#, "amount"),
        (#"{"a": {"b": [1, 2.5]}}"#, "a.b.1"),
    ])
    func namesANumberThatIsNotWhole(_ text: String, _ path: String) {
        #expect(StrictJSON.check(Array(text.utf8)) == .notAWholeNumber(path))
    }

    @Test(arguments: [
        (#"{"code": "A", "code": "B"}"#, "code"), (#"{"a": 1, "\u0061": 2}"#, "a"),
        (#"{"x": {"b": 1, "b": 1}}"#, "x.b"),
    ])
    func namesARepeatedKey(_ text: String, _ path: String) {
        #expect(StrictJSON.check(Array(text.utf8)) == .duplicateKey(path))
    }

    @Test(arguments: [
        #"{"a": 1,}"#, #"[1,]"#, #"{"a" 1}"#, #"{'a': 1}"#, #"{"a": 01}"#, #"{"a": NaN}"#, #"{"a": 1} x"#, "",
        #"{"a": "\x"}"#,
        "{\"a\": \"tab\there\"}", #"[1.]"#, #"{"a": .5}"#, #"// c"#, #"{"a": +1}"#, String(repeating: "[", count: 40),
        #"["\ud83d"]"#, #"["\ude00"]"#, "{" + (0..<65).map { "\"k\($0)\":1" }.joined(separator: ",") + "}",
        "[" + Array(repeating: "1", count: 65).joined(separator: ",") + "]",
    ])
    func refusesInvalidJSON(_ text: String) {
        #expect(!StrictJSON.isValid(Array(text.utf8)))
    }
}
