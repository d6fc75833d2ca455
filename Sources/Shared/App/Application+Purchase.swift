extension Application {
    /// `POST /api/purchase/recipient {wallet?, amount}` → `{from, to, referralCode, source, amount,
    /// reference, expiresAt, solanaPayUrl}`.
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
        // A fresh Solana Pay reference, stored with the route, so the chain can later prove the payment.
        let reference = Base58.encode(Sodium.randomBytes(32))
        let createdAt = now()
        let expiresAt = createdAt + Int64(config.purchases.referenceMinutes) * 60
        try store.insertPurchaseReference(
            reference,
            recipient: recipient,
            codeID: route.code?.id,
            source: route.source,
            buyer: buyer,
            amount: body.amount.value,
            mint: config.purchases.mint,
            expiresAt: expiresAt,
            now: createdAt
        )
        return try json(
            200,
            RecipientJSON(
                from: Nullable(buyer),
                to: recipient,
                referralCode: Nullable(route.code?.code),
                source: route.source,
                amount: String(body.amount.value),
                reference: reference,
                expiresAt: Timestamp.iso8601(expiresAt),
                solanaPayUrl: config.purchases.paymentURL(
                    to: recipient,
                    amount: body.amount.value,
                    reference: reference
                )
            )
        )
    }

    /// `GET /api/purchase/{reference}` → `{reference, status, signature?, reason?}`; 404 for a
    /// reference never handed out (or not one at all).
    func purchaseStatus(_ request: Request, _ store: ReferralStore, _ captures: [String]) throws -> Response {
        guard let reference = captures.first, SolanaAddress.isValid(reference),
            let state = try store.purchaseReference(reference)
        else {
            throw HTTPError(status: 404, code: "unknown-reference", message: "No purchase reference by that name.")
        }
        return try json(
            200,
            PurchaseStatusJSON(
                reference: state.reference,
                status: state.status,
                signature: Nullable(state.signature),
                reason: Nullable(state.reason)
            )
        )
    }
}
