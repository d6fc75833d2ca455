extension Application {
    /// How long a sign-in message may be signed and sent back.
    static let nonceLifetime: Int64 = 300

    /// `GET /api/auth/nonce?wallet=` → `{nonce, message, expiresAt}`.
    func issueNonce(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        guard let wallet = QueryString.firstValue("wallet", in: request.query), SolanaAddress.isValid(wallet) else {
            throw HTTPError(status: 400, code: "invalid-wallet", message: "wallet must be a base58 Solana address.")
        }
        let issuedAt = now()
        let message = SignInMessage(
            domain: config.siteDomain,
            address: wallet,
            statement: SignInMessage.defaultStatement,
            uri: config.frontendBaseURL,
            nonce: Hex.encode(Sodium.randomBytes(16)),
            issuedAt: issuedAt,
            expiresAt: issuedAt + Self.nonceLifetime
        )
        try store.insertNonce(message, now: issuedAt)
        return try json(
            200,
            NonceJSON(nonce: message.nonce, message: message.text, expiresAt: Timestamp.iso8601(message.expiresAt))
        )
    }

    /// `POST /api/auth/verify {wallet, message, signature}` → `{wallet, preferredVault}` and the
    /// session cookie. A `referral_code` cookie becomes the preference if there is none, and is
    /// cleared.
    func verifySignIn(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        try requireSameOrigin(request, required: false)
        let body = try decodeBody(VerifyBody.self, from: request)
        guard let publicKey = SolanaAddress.publicKey(body.wallet) else {
            throw HTTPError(status: 400, code: "invalid-wallet", message: "wallet must be a base58 Solana address.")
        }
        guard let signature = Base58.decode(body.signature, maxBytes: Sodium.signatureBytes),
            signature.count == Sodium.signatureBytes
        else {
            throw HTTPError(status: 400, code: "invalid-signature", message: "signature must be base58 of 64 bytes.")
        }
        let message = try checkedMessage(body, store: store)
        guard Sodium.verify(signature: signature, message: Array(body.message.utf8), publicKey: publicKey) else {
            throw Self.signInRefused("The signature does not match the wallet and message.")
        }
        let token = Sodium.randomBytes(Self.sessionTokenBytes)
        let signedInAt = now()
        guard
            try store.signIn(
                nonce: message.nonce,
                wallet: body.wallet,
                tokenHash: Sodium.sha256(token),
                ip: request.remoteAddress,
                now: signedInAt,
                lifetime: Self.sessionLifetime
            )
        else {
            throw Self.signInRefused("This sign-in message was already used or has expired; ask for a new one.")
        }
        let cookieCode = request.cookie(Self.referralCookieName)
        if let cookieCode { try adoptReferralCookie(cookieCode, wallet: body.wallet, store: store, now: signedInAt) }
        var response = try json(
            200,
            WalletJSON(
                wallet: body.wallet,
                preferredVault: try store.preferredCode(wallet: body.wallet).map(VaultJSON.init)
            )
        )
        response.headers.append(("Set-Cookie", Self.sessionCookie(Hex.encode(token))))
        if cookieCode != nil {
            response.headers.append(("Set-Cookie", Self.expiredCookie(Self.referralCookieName, sameSite: .lax)))
        }
        return response
    }

    /// Parses the returned message and checks it is the one issued for this wallet, for this site,
    /// still unused and unexpired.
    func checkedMessage(_ body: VerifyBody, store: ReferralStore) throws -> SignInMessage {
        guard let message = SignInMessage.parse(body.message) else {
            throw Self.signInRefused("The message is not a sign-in message of this site.")
        }
        guard message.domain.utf8.elementsEqual(config.siteDomain.utf8),
            message.uri.utf8.elementsEqual(config.frontendBaseURL.utf8)
        else {
            throw Self.signInRefused("The message was issued for another site.")
        }
        guard message.address.utf8.elementsEqual(body.wallet.utf8) else {
            throw Self.signInRefused("The message names another wallet.")
        }
        let checkedAt = now()
        guard message.expiresAt > checkedAt else {
            throw Self.signInRefused("The sign-in message has expired; ask for a new one.")
        }
        // Bytes, not `String ==`: Swift compares strings by canonical equivalence, so a Kelvin sign
        // would equal a K. The message signed must be the one issued, byte for byte.
        guard let issued = try store.liveNonceMessage(message.nonce, now: checkedAt),
            issued.utf8.elementsEqual(body.message.utf8)
        else {
            throw Self.signInRefused("This sign-in message was not issued, was already used, or has expired.")
        }
        return message
    }

    /// The sign-in migration (SPEC §2): a valid, active code from the cookie becomes the wallet's
    /// preference when it has none. A wallet's own code is not adopted: it cannot refer itself.
    func adoptReferralCookie(_ cookieCode: String, wallet: String, store: ReferralStore, now: Int64) throws {
        guard let code = try store.activeCode(named: cookieCode), code.wallet != wallet else { return }
        try store.setPreference(wallet: wallet, code: code, onlyIfNone: true, event: "preference-from-cookie", now: now)
    }

    /// `POST /api/auth/logout` → 204; the session ends server-side and its cookie is removed.
    func logout(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        // Without a session there is nothing to change, so nothing to check.
        if let session = try currentSession(request, store: store) {
            try requireChangeFromSite(request)
            try store.deleteSession(tokenHash: session.tokenHash, now: now())
        }
        return Response(
            status: 204,
            headers: [
                ("Cache-Control", "no-store"),
                ("Set-Cookie", Self.expiredCookie(Self.sessionCookieName, sameSite: .strict)),
            ]
        )
    }

    /// `GET /api/me` → `{wallet, preferredVault}`; 401 without a session.
    func me(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSession(request, store: store)
        return try json(
            200,
            WalletJSON(
                wallet: session.wallet,
                preferredVault: try store.preferredCode(wallet: session.wallet).map(VaultJSON.init)
            )
        )
    }

    static func signInRefused(_ message: String) -> HTTPError {
        HTTPError(status: 401, code: "sign-in-refused", message: message)
    }
}
