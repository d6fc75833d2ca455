extension Application {
    /// The cookie that remembers the referral for `REFERRAL_COOKIE_DAYS`.
    static let referralCookieName = "referral_code"

    /// Follows a referral link: for an active code, stores the click (committed before the 302
    /// is returned) and sets the cookie unless the request is a subresource; for an unknown,
    /// inactive or malformed code, only redirects.
    ///
    /// - Parameters:
    ///   - link: the recognised link.
    ///   - request: the request.
    ///   - store: the calling thread's store.
    /// - Throws: `SQLiteError` when the click cannot be stored.
    func follow(_ link: ReferralLink, request: Request, store: ReferralStore) throws -> Response {
        let flag = ClickClassifier.flag(for: request)
        let wallet = QueryString.firstValue("wallet", in: request.query).flatMap {
            SolanaAddress.isValid($0) ? $0 : nil
        }
        let time = now()
        guard let code = link.code,
            let stored = try store.recordClick(
                forCode: code,
                limitPerHour: config.clickLimitPerHour,
                { record in
                    NewClick(
                        codeID: record.id,
                        ip: request.remoteAddress,
                        userAgent: request.header("user-agent"),
                        referer: request.header("referer"),
                        path: request.path,
                        wallet: wallet,
                        flag: flag,
                        createdAt: time
                    )
                }
            )
        else {
            return .redirect(to: link.location(code: link.code, frontendBaseURL: config.frontendBaseURL))
        }
        let record = stored.code
        metrics?.click(result: stored.flag?.rawValue ?? "counted")
        var response = Response.redirect(to: link.location(code: record.code, frontendBaseURL: config.frontendBaseURL))
        if flag != .subresource {
            try preferLinkedCode(record, request: request, store: store)
            // No cookie for images, frames and scripts: that would be cookie stuffing.
            response.headers.append(
                (
                    "Set-Cookie",
                    Cookies.setCookie(
                        name: Self.referralCookieName,
                        value: record.code,
                        maxAge: config.cookieDays * 86_400,
                        sameSite: .lax
                    )
                )
            )
        }
        return response
    }

    /// A signed-in visitor's click makes the code their preferred vault (a newer link replaces an
    /// older preference) and is logged as an analytics event. Their own code is not adopted: a
    /// wallet cannot refer itself. The session cookie is SameSite=Strict, so this happens for links
    /// followed within the site, never for a cross-site subresource.
    func preferLinkedCode(_ code: ReferralCodeRecord, request: Request, store: ReferralStore) throws {
        guard let session = try currentSession(request, store: store), session.wallet != code.wallet else { return }
        try store.setPreference(wallet: session.wallet, code: code, event: "preference-from-link", now: now())
    }

    /// `GET /healthz`: 200 when the database answers with the schema this binary expects.
    func health(store: ReferralStore) throws -> Response {
        let version = try SchemaMigrator.currentVersion(store.connection)
        guard version == Schema.steps.count else {
            return .json(status: 503, Array("{\"status\":\"schema-mismatch\",\"schemaVersion\":\(version)}".utf8))
        }
        return .json(status: 200, Array("{\"status\":\"ok\",\"schemaVersion\":\(version)}".utf8))
    }
}
