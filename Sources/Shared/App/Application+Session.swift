extension Application {
    /// The session cookie: `__Host-` binds it to this origin, path `/`, Secure.
    static let sessionCookieName = "__Host-referral_session"
    /// How long a session lasts.
    static let sessionLifetime: Int64 = 7 * 86_400
    /// Bytes of randomness in a session token (sent hex-encoded).
    static let sessionTokenBytes = 32

    /// The live session named by the request's cookie, if any.
    ///
    /// - Throws: `SQLiteError`.
    func currentSession(_ request: Request, store: ReferralStore) throws -> Session? {
        guard let token = request.cookie(Self.sessionCookieName), token.utf8.count == 2 * Self.sessionTokenBytes,
            let bytes = Hex.decode(token)
        else { return nil }
        return try store.session(tokenHash: Sodium.sha256(bytes), now: now())
    }

    /// The caller's session.
    ///
    /// - Throws: `HTTPError` 401 without a live session.
    func requireSession(_ request: Request, store: ReferralStore) throws -> Session {
        guard let session = try currentSession(request, store: store) else {
            throw HTTPError(status: 401, code: "unauthorized", message: "Sign in with your wallet first.")
        }
        return session
    }

    /// The caller's session, for a state-changing request (SPEC §2): see `requireChangeFromSite`.
    ///
    /// - Throws: `HTTPError` 401, 403 or 415, in that order.
    func requireSessionForChange(_ request: Request, store: ReferralStore) throws -> Session {
        let session = try requireSession(request, store: store)
        try requireChangeFromSite(request)
        return session
    }

    /// What a change made with the session cookie must show: the site's own `Origin`, and a body,
    /// if any, declared JSON. A cross-site form can send neither.
    ///
    /// - Throws: `HTTPError` 403 or 415.
    func requireChangeFromSite(_ request: Request) throws {
        try requireSameOrigin(request, required: true)
        try requireJSONIfAny(request)
    }

    /// Checks the `Origin` header against `FRONTEND_BASE_URL`.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - required: refuse a request without `Origin` (cookie-authenticated changes); otherwise
    ///     only a present, foreign `Origin` is refused.
    /// - Throws: `HTTPError` 403.
    func requireSameOrigin(_ request: Request, required: Bool) throws {
        if let origin = request.header("origin") {
            guard origin.utf8.elementsEqual(config.frontendBaseURL.utf8) else { throw Self.badOrigin }
        } else if required {
            throw Self.badOrigin
        }
    }

    /// 403 for a change that does not come from the site's own pages.
    static let badOrigin = HTTPError(
        status: 403,
        code: "bad-origin",
        message: "This request must come from the site itself."
    )

    /// `Set-Cookie` for a new session token.
    static func sessionCookie(_ token: String) -> String {
        Cookies.setCookie(name: sessionCookieName, value: token, maxAge: Int(sessionLifetime), sameSite: .strict)
    }

    /// `Set-Cookie` that removes a cookie.
    static func expiredCookie(_ name: String, sameSite: SameSite) -> String {
        Cookies.setCookie(name: name, value: "", maxAge: 0, sameSite: sameSite)
    }
}
