import Glibc
import Logging
import Testing

@testable import Shared

/// The handlers in-process, without libfcgi: a `Request` value in, a `Response` value out.
struct ApplicationTests {
    let directory = TemporaryDirectory()
    let wallet = "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG"

    func makeApplication(_ settings: [String: String] = [:]) throws -> (Application, ReferralStore) {
        var environment = ["REFERRAL_DB": directory.file("db.sqlite"), "FRONTEND_BASE_URL": "https://site.example/"]
        environment.merge(settings) { $1 }
        let application = Application(
            config: try ResponderConfig(environment: environment),
            logger: Logger(label: "test"),
            now: { 1_000_000 }
        )
        let store = try ReferralStore(path: application.config.databasePath, gate: application.gate)
        try SchemaMigrator.migrate(store.connection)
        _ = try store.insertCode(ReferralCodeRecord(code: "Demo", wallet: wallet, createdAt: 1))
        return (application, store)
    }

    @Test func aReadOnlyDatabaseAnswers503AndStoresNothing() throws {
        let (application, store) = try makeApplication()
        let readOnly = try ReferralStore(path: application.config.databasePath, gate: application.gate, readOnly: true)
        let response = application.respond(to: Request(method: "GET", uri: "/r/demo"), store: readOnly)
        #expect(response.status == 503)
        #expect(String(decoding: response.body, as: UTF8.self).contains("storage-unavailable"))
        #expect(response.header("Location") == nil && response.header("Set-Cookie") == nil)
        #expect(try clickFlags(store).isEmpty)
        // Reads still answer.
        #expect(application.respond(to: Request(method: "GET", uri: "/healthz"), store: readOnly).status == 200)
    }

    func clickFlags(_ store: ReferralStore) throws -> [String?] {
        try store.connection.statement("SELECT flag FROM clicks ORDER BY id").rows { $0.text(0) }
    }

    @Test func activeCodeRedirectsWithCookieAndOneStoredClick() throws {
        let (application, store) = try makeApplication()
        let response = application.respond(to: Request(method: "GET", uri: "/r/demo"), store: store)
        #expect(response.status == 302)
        #expect(response.header("Location") == "https://site.example/onboard?ref=Demo")
        #expect(response.header("Cache-Control") == "no-store")
        #expect(
            response.header("Set-Cookie")
                == "referral_code=Demo; Max-Age=7776000; Path=/; HttpOnly; Secure; SameSite=Lax"
        )
        #expect(try clickFlags(store) == [nil])
    }

    @Test func cookieWindowFollowsTheSetting() throws {
        let (application, store) = try makeApplication(["REFERRAL_COOKIE_DAYS": "1"])
        let response = application.respond(to: Request(method: "GET", uri: "/ref/Demo"), store: store)
        #expect(response.header("Set-Cookie")?.contains("Max-Age=86400;") == true)
    }

    @Test func subresourcesAreStoredFlaggedWithoutACookie() throws {
        let (application, store) = try makeApplication()
        let request = Request(method: "GET", uri: "/r/Demo", headers: ["sec-fetch-dest": "image"])
        let response = application.respond(to: request, store: store)
        #expect(response.status == 302)
        #expect(response.header("Set-Cookie") == nil)
        #expect(try clickFlags(store) == ["subresource"])
    }

    @Test func headAndCrawlersAreStoredFlagged() throws {
        let (application, store) = try makeApplication()
        _ = application.respond(to: Request(method: "HEAD", uri: "/r/Demo"), store: store)
        _ = application.respond(
            to: Request(method: "GET", uri: "/r/Demo", headers: ["user-agent": "facebookexternalhit/1.1"]),
            store: store
        )
        _ = application.respond(
            to: Request(method: "GET", uri: "/r/Demo", headers: ["sec-fetch-dest": "document"]),
            store: store
        )
        #expect(try clickFlags(store) == ["head", "bot", nil])
    }

    @Test func unknownAndInactiveCodesRedirectWithoutTrace() throws {
        let (application, store) = try makeApplication()
        let unknown = application.respond(to: Request(method: "GET", uri: "/r/Nobody"), store: store)
        #expect(unknown.header("Location") == "https://site.example/onboard?ref=Nobody")
        #expect(unknown.header("Set-Cookie") == nil)
        _ = try store.setActive("Demo", false)
        let inactive = application.respond(to: Request(method: "GET", uri: "/x/ref/Demo"), store: store)
        #expect(inactive.header("Location") == "/x")
        #expect(inactive.header("Set-Cookie") == nil)
        #expect(try clickFlags(store).isEmpty)
    }

    @Test func otherMethodsGet405WithAllow() throws {
        let (application, store) = try makeApplication()
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let response = application.respond(to: Request(method: method, uri: "/r/Demo"), store: store)
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
            #expect(String(decoding: response.body, as: UTF8.self).contains("\"error\":\"method-not-allowed\""))
        }
        #expect(try clickFlags(store).isEmpty)
    }

    @Test func storesOnlyValidWalletParameters() throws {
        let (application, store) = try makeApplication()
        _ = application.respond(to: Request(method: "GET", uri: "/r/Demo?wallet=\(wallet)"), store: store)
        _ = application.respond(to: Request(method: "GET", uri: "/r/Demo?wallet=nope"), store: store)
        let wallets = try store.connection.statement("SELECT wallet FROM clicks ORDER BY id").rows { $0.text(0) }
        #expect(wallets == [wallet, nil])
    }

    @Test func healthAndNotFound() throws {
        let (application, store) = try makeApplication()
        #expect(application.respond(to: Request(method: "GET", uri: "/healthz"), store: store).status == 200)
        let missing = application.respond(to: Request(method: "GET", uri: "/api/nothing"), store: store)
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/json")
    }
}

struct ConfigTests {
    @Test func appliesDefaults() throws {
        let config = try ResponderConfig(environment: [:])
        #expect(config.databasePath == "var/referral.db")
        #expect(config.frontendBaseURL == "http://127.0.0.1:8080")
        #expect(config.cookieDays == 90)
        #expect(config.codePrefix == "WFG")
        #expect(config.clickLimitPerHour == 100)
        #expect(config.rewards == RewardPolicy(mintDecimals: 6, holdDays: 7, reviewAbove: nil))
        #expect(config.fcgiThreads == max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    @Test func ignoresThePayoutJobsVariables() throws {
        // Each executable reads only its own settings: a payout typo must not stop the responder.
        let config = try ResponderConfig(environment: ["PAYOUT_MODE": "bogus", "PAYOUT_BATCH": "many"])
        #expect(config.clickLimitPerHour == 100)
    }

    @Test func requiresTheConversionSecret() throws {
        let error = #expect(throws: ConfigError.self) {
            try ResponderConfig(environment: [:]).requireConversionSecret()
        }
        #expect(error?.description.contains("CONVERSION_SECRET") == true)
    }

    @Test(arguments: ["ftp://x", "https://site.example/path", "https://a b", "https://evil.com\\@x", "https://"])
    func refusesBaseURLsThatAreNotOrigins(_ url: String) {
        #expect(throws: ConfigError.self) { try ResponderConfig(environment: ["FRONTEND_BASE_URL": url]) }
    }

    @Test func namesTheBadVariable() {
        let error = #expect(throws: ConfigError.self) {
            try ResponderConfig(environment: ["CLICK_LIMIT_PER_HOUR": "lots"])
        }
        #expect(error?.description.contains("CLICK_LIMIT_PER_HOUR") == true)
    }
}
