extension Application {
    /// `POST /api/purchase/recipient {wallet?, amount}` → `{from, to, referralCode, source, amount}`.
    ///
    /// `to` is the vault of the code in the `referral_code` cookie (`source: cookie`), else of the
    /// signed-in wallet's preference (`preference`), else FOUNDATION_ADDRESS (`default`). A code
    /// that is unknown, inactive, without a vault, or the buyer's own falls through quietly.
    /// Anonymous callers are served; `from` is the session's wallet, else the body's, else null.
    func purchaseRecipient(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        try requireSameOrigin(request, required: false)
        let body = try decodeBody(PurchaseBody.self, from: request)
        if let wallet = body.wallet, !SolanaAddress.isValid(wallet) {
            throw HTTPError.invalidField("wallet", "must be a base58 Solana address.")
        }
        let session = try currentSession(request, store: store)
        let buyer = session?.wallet ?? body.wallet
        func usable(_ code: ReferralCodeRecord?) -> ReferralCodeRecord? {
            guard let code, code.active, code.vaultAddress != nil, code.wallet != buyer else { return nil }
            return code
        }
        let route: (code: ReferralCodeRecord?, source: PurchaseSource)
        if let code = usable(try request.cookie(Self.referralCookieName).flatMap { try store.activeCode(named: $0) }) {
            route = (code, .cookie)
        } else if let session, let code = usable(try store.preferredCode(wallet: session.wallet)) {
            route = (code, .preference)
        } else {
            route = (nil, .default)
        }
        guard let recipient = route.code?.vaultAddress ?? config.foundationAddress else {
            throw HTTPError(
                status: 503,
                code: "no-recipient",
                message: "No referral vault applies and FOUNDATION_ADDRESS is not set."
            )
        }
        return try json(
            200,
            RecipientJSON(
                from: Nullable(buyer),
                to: recipient,
                referralCode: Nullable(route.code?.code),
                source: route.source,
                amount: String(body.amount.value)
            )
        )
    }
}
