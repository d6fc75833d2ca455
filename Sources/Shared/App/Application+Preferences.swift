extension Application {
    /// `GET /api/preferences/referral-vault` → `{vaultName, vaultAddress}`, or 404 when unset.
    func preferredVault(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSession(request, store: store)
        guard let code = try store.preferredCode(wallet: session.wallet) else {
            throw HTTPError(status: 404, code: "no-preference", message: "No preferred vault is set.")
        }
        return try json(200, VaultJSON(code))
    }

    /// `PUT /api/preferences/referral-vault {code}` → the new `{vaultName, vaultAddress}`.
    func setPreferredVault(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSessionForChange(request, store: store)
        let body = try decodeBody(PreferenceBody.self, from: request)
        guard let code = try store.activeCode(named: body.code) else { throw Self.invalidCode }
        guard code.wallet != session.wallet else {
            throw HTTPError(status: 422, code: "self-referral", message: "A wallet cannot prefer its own code.")
        }
        try store.setPreference(wallet: session.wallet, code: code, event: "preference-set", now: now())
        return try json(200, VaultJSON(code))
    }

    /// `DELETE /api/preferences/referral-vault` → 204, whether or not one was set.
    func deletePreferredVault(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSessionForChange(request, store: store)
        _ = try store.deletePreference(wallet: session.wallet, now: now())
        return Response(status: 204, headers: [("Cache-Control", "no-store")])
    }
}
