import Testing

@testable import Shared

/// Requests a worker took together (`Application.respond(to:store:answer:)`): each answered once,
/// the clicks of the links among them stored in one commit, in order.
extension ApplicationTests {
    func request(_ method: String, _ uri: String, from ip: String = "192.0.2.1") -> Request {
        Request(method: method, uri: uri, remoteAddress: ip)
    }

    /// The answers by index; a request answered twice, or not at all, fails the test.
    func respond(_ application: Application, _ store: ReferralStore, _ requests: [Request]) -> [Response] {
        var answers = [Response?](repeating: nil, count: requests.count)
        application.respond(to: requests, store: store) { index, response in
            #expect(answers[index] == nil, "request \(index) answered twice")
            answers[index] = response
        }
        #expect(answers.allSatisfy { $0 != nil }, "a request was not answered")
        return answers.compactMap { $0 }
    }

    func clicks(_ store: ReferralStore) throws -> [[String?]] {
        try store.connection.statement("SELECT ip, path, flag FROM clicks ORDER BY id").rows {
            [$0.text(0), $0.text(1), $0.text(2)]
        }
    }

    @Test func linksAndOtherRequestsTakenTogetherAreEachAnsweredAndTheClicksShareOneCommit() throws {
        let (application, store) = try makeApplication()
        let requests = [
            request("GET", "/r/demo", from: "192.0.2.1"),
            request("GET", "/healthz"),
            request("GET", "/r/Nobody"),
            request("POST", "/r/demo"),
            request("GET", "/x/ref/%ZZ"),
            request("HEAD", "/ref/Demo", from: "192.0.2.2"),
            request("GET", "/api/nothing"),
            request("GET", "/shop?ref=Demo&x=1", from: "192.0.2.3"),
        ]
        let commits = application.gate.group.commits.load(ordering: .relaxed)
        let answers = respond(application, store, requests)
        #expect(answers.map(\.status) == [302, 200, 302, 405, 302, 302, 404, 302])
        #expect(answers[0].header("Location") == "https://site.example/onboard?ref=Demo")
        #expect(answers[0].header("Set-Cookie")?.hasPrefix("referral_code=Demo;") == true)
        #expect(answers[2].header("Set-Cookie") == nil)
        #expect(answers[4].header("Location") == "/" && answers[4].header("Set-Cookie") == nil)
        #expect(answers[7].header("Location") == "/shop?x=1")
        #expect(application.gate.group.commits.load(ordering: .relaxed) - commits == 1)
        #expect(
            try clicks(store) == [
                ["192.0.2.1", "/r/demo", nil], ["192.0.2.2", "/ref/Demo", "head"], ["192.0.2.3", "/shop", nil],
            ]
        )
    }

    /// A batch and a lone request agree on which requests are links: the service's own paths stay
    /// theirs even with a `ref` query, and a link with another method is 405 either way.
    @Test func aBatchTakesTheSameRequestsForLinksAsTheRouteDoes() throws {
        let (application, store) = try makeApplication()
        let requests = [
            request("GET", "/healthz?ref=Demo"), request("GET", "/metrics?ref=Demo"),
            request("GET", "/api/referral/mine?ref=Demo"), request("POST", "/r/Demo"),
            request("DELETE", "/shop?ref=Demo"), request("GET", "/shop?ref=Demo"),
        ]
        let alone = requests.map { application.respond(to: $0, store: store).status }
        #expect(alone == [200, 200, 401, 405, 405, 302])
        #expect(respond(application, store, requests).map(\.status) == alone)
        // Only the two GET /shop?ref= were clicks.
        #expect(try clicks(store).map { $0[1] } == ["/shop", "/shop"])
    }

    /// Each click of a batch decides its limit after the clicks before it: exactly the limit counted.
    @Test func theLimitIsExactWithinOneBatch() throws {
        let (application, store) = try makeApplication(["CLICK_LIMIT_PER_HOUR": "2"])
        let answers = respond(application, store, (0..<5).map { _ in request("GET", "/r/Demo") })
        #expect(answers.allSatisfy { $0.status == 302 })
        #expect(try clicks(store).map { $0[2] } == [nil, nil, "rate-limited", "rate-limited", "rate-limited"])
    }

    /// A batch whose write cannot be stored answers 503 for each of its links, and the other
    /// requests as usual.
    @Test func aBatchThatCannotBeStoredAnswers503ForEachLink() throws {
        let (application, store) = try makeApplication()
        let readOnly = try ReferralStore(path: application.config.databasePath, gate: application.gate, readOnly: true)
        let answers = respond(
            application,
            readOnly,
            [request("GET", "/r/Demo"), request("GET", "/healthz"), request("GET", "/ref/Demo")]
        )
        #expect(answers.map(\.status) == [503, 200, 503])
        #expect(answers[0].header("Location") == nil && answers[0].header("Set-Cookie") == nil)
        #expect(try clicks(store).isEmpty)
    }
}
