/// One /api/ route: a method and a path pattern whose `{}` segments are captured.
struct Route: Sendable {
    typealias Handler = @Sendable (Application) -> (Request, ReferralStore, [String]) throws -> Response

    let method: String
    /// The path segments after `/api/`; `{}` captures one segment.
    let pattern: [String]
    let handler: Handler

    init(_ method: String, _ path: String, _ handler: @escaping Handler) {
        self.method = method
        pattern = path.split(separator: "/").map(String.init)
        self.handler = handler
    }

    /// The captured segments (still percent-encoded) when `segments` fits the pattern.
    func captures(_ segments: [Substring]) -> [String]? {
        guard segments.count == pattern.count else { return nil }
        var captured: [String] = []
        for (part, segment) in zip(pattern, segments) {
            if part == "{}" {
                captured.append(String(segment))
            } else if part != segment {
                return nil
            }
        }
        return captured
    }

    /// The pattern as metrics name it: `/api/referral/stats/{}`.
    var label: String { "/api/" + pattern.joined(separator: "/") }

    /// True when the route serves `method` (HEAD is served wherever GET is).
    func serves(_ method: String) -> Bool {
        self.method == method || (self.method == "GET" && method == "HEAD")
    }
}

extension Application {
    /// Every /api/ route. Where two patterns fit one path, the first that serves the method wins.
    static let routes: [Route] = [
        Route("GET", "auth/nonce", { $0.issueNonce }),
        Route("POST", "auth/verify", { $0.verifySignIn }),
        Route("POST", "auth/logout", { $0.logout }),
        Route("GET", "me", { $0.me }),
        Route("POST", "referral/create", { $0.createReferral }),
        Route("GET", "referral/mine", { $0.myReferrals }),
        Route("GET", "referral/{}/qr.svg", { $0.referralQRCode }),
        Route("POST", "referral/{}/deactivate", { $0.deactivateReferral }),
        Route("GET", "referral/stats/{}", { $0.referralStats }),
        Route("POST", "referral/conversion", { $0.recordConversion }),
        Route("GET", "preferences/referral-vault", { $0.preferredVault }),
        Route("PUT", "preferences/referral-vault", { $0.setPreferredVault }),
        Route("DELETE", "preferences/referral-vault", { $0.deletePreferredVault }),
        Route("POST", "purchase/recipient", { $0.purchaseRecipient }),
        Route("GET", "purchase/{}", { $0.purchaseStatus }),
    ]

    /// Finds the route for an /api/ request: 404 when no pattern fits, 405 (with Allow) when
    /// patterns fit but none serves the method.
    ///
    /// - Throws: `HTTPError`, or what the handler throws.
    func routeAPI(_ request: Request, store: ReferralStore, label: inout String) throws -> Response {
        let segments = request.path.dropFirst("/api/".count).split(separator: "/", omittingEmptySubsequences: false)
        var allowed: [String] = []
        for route in Self.routes {
            guard let captured = route.captures(segments) else { continue }
            label = route.label
            if route.serves(request.method) {
                return try route.handler(self)(request, store, captured)
            }
            allowed.append(route.method)
            if route.method == "GET" { allowed.append("HEAD") }
        }
        guard allowed.isEmpty else { throw HTTPError.methodNotAllowed(allowed) }
        throw HTTPError.notFound
    }
}
