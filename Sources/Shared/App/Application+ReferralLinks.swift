extension Application {
    /// The cookie that remembers the referral for `REFERRAL_COOKIE_DAYS`.
    static let referralCookieName = "referral_code"

    /// Follows a referral link (see `follow(_:store:)`).
    ///
    /// - Throws: `SQLiteError` when the click cannot be stored.
    func follow(_ link: ReferralLink, request: Request, store: ReferralStore) throws -> Response {
        guard let outcome = follow([(link, request)], store: store).first else { throw HTTPError.internalFailure }
        return try outcome.get()
    }

    /// Follows referral links: for an active code, stores the click (committed before the 302 is
    /// returned) and sets the cookie unless the request is a subresource; for an unknown,
    /// inactive or malformed code, only redirects. The clicks of all the links share one commit.
    ///
    /// - Parameters:
    ///   - links: the recognised links and their requests.
    ///   - store: the calling thread's store.
    /// - Returns: each link's response, in order, or why it failed (`SQLiteError`).
    func follow(
        _ links: [(link: ReferralLink, request: Request)],
        store: ReferralStore
    ) -> [Result<Response, any Error>] {
        let time = now()
        let flags = links.map { ClickClassifier.flag(for: $0.request) }
        let clicks = zip(links, flags).map { followed, flag in
            let request = followed.request
            let wallet = QueryString.firstValue("wallet", in: request.query).flatMap {
                SolanaAddress.isValid($0) ? $0 : nil
            }
            return ReferralStore.LinkFollowed(code: followed.link.code) { record in
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
        }
        let stored: [Result<StoredClick?, any Error>]
        do {
            stored = try store.recordClicks(clicks, limitPerHour: config.clickLimitPerHour)
        } catch {
            return links.map { _ in .failure(error) }
        }
        return zip(zip(links, flags), stored).map { followed, outcome in
            let ((link, request), flag) = followed
            return Result {
                guard let stored = try outcome.get() else {
                    return .redirect(to: link.location(code: link.code, frontendBaseURL: config.frontendBaseURL))
                }
                return try self.clickRedirect(link, request: request, flag: flag, stored: stored, store: store)
            }
        }
    }

    /// The 302 for a click stored: the cookie, unless the request is a subresource, and a
    /// signed-in visitor's preference.
    private func clickRedirect(
        _ link: ReferralLink,
        request: Request,
        flag: ClickFlag?,
        stored: StoredClick,
        store: ReferralStore
    ) throws -> Response {
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
