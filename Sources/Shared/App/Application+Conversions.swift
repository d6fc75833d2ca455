extension Application {
    /// Seconds a signed conversion request stays acceptable either side of now.
    static let signatureTolerance: Int64 = 300
    /// Actions the platform reports.
    static let conversionActions: Set<String> = ["mint", "purchase"]
    /// More conversions than this of one code from one IP within 24 h go to review.
    static let conversionsPerIPPerDay = 3

    /// `POST /api/referral/conversion`, signed by the platform's backend (SPEC §4).
    ///
    /// The signature is checked over the raw body before anything is parsed. Then, in one durable
    /// transaction: a known `paymentTx` with the same fields gets its first answer back (same
    /// status, same bytes) and nothing is created; otherwise the code is resolved, the rules are
    /// applied and the conversion and its reward are stored together with the answer.
    func recordConversion(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        try verifyConversionSignature(request)
        let input = try conversionInput(from: request)
        let answer = try store.write(durable: true) { () throws -> StoredAnswer? in
            if let paymentTx = input.paymentTx, let stored = try store.storedAnswer(paymentTx: paymentTx) {
                guard Sodium.constantTimeEqual(stored.fingerprint, input.fingerprint) else {
                    throw HTTPError(
                        status: 409,
                        code: "payment-reused",
                        message: "This paymentTx was already used for another conversion."
                    )
                }
                return stored
            }
            guard let code = try attributedCode(input, store: store) else { return nil }
            return try storeConversion(input, code: code, store: store)
        }
        guard let answer else {
            return try json(200, ["attributed": false])
        }
        return .json(status: answer.status, answer.body)
    }

    /// Checks `X-Referral-Timestamp` and `X-Referral-Signature: v1={hex HMAC-SHA256}` over
    /// `"{timestamp}.{raw body}"`, in constant time.
    ///
    /// - Throws: `HTTPError` 401 for anything but a valid, fresh signature; 503 without a secret.
    func verifyConversionSignature(_ request: Request) throws {
        guard let secret = config.conversionSecret else {
            throw HTTPError(status: 503, code: "not-configured", message: "CONVERSION_SECRET is not set.")
        }
        let refused = HTTPError(
            status: 401,
            code: "invalid-signature",
            message: "The request signature or timestamp is missing or wrong."
        )
        guard let timestampText = request.header("x-referral-timestamp"), (1...12).contains(timestampText.utf8.count),
            timestampText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let timestamp = Int64(timestampText), abs(now() - timestamp) <= Self.signatureTolerance
        else { throw refused }
        guard let header = request.header("x-referral-signature"), header.hasPrefix("v1="),
            let provided = Hex.decode(String(header.dropFirst(3)))
        else { throw refused }
        let expected = Sodium.hmacSHA256(
            key: Array(secret.utf8),
            message: Array(timestampText.utf8) + [UInt8(ascii: ".")] + request.body
        )
        guard Sodium.constantTimeEqual(provided, expected) else { throw refused }
    }

    /// Parses and checks the body fields.
    ///
    /// - Throws: `HTTPError` 400/415 naming the bad field; 404 `invalid-code` for a code that
    ///   cannot exist.
    func conversionInput(from request: Request) throws -> ConversionInput {
        let body = try decodeBody(ConversionBody.self, from: request)
        guard SolanaAddress.isValid(body.referredWallet) else {
            throw HTTPError.invalidField("referredWallet", "must be a base58 Solana address.")
        }
        guard Self.conversionActions.contains(body.action) else {
            throw HTTPError.invalidField("action", "must be mint or purchase.")
        }
        if let paymentTx = body.paymentTx, !Self.isIdentifier(paymentTx) {
            throw HTTPError.invalidField("paymentTx", "must be 1-128 characters of A-Z a-z 0-9 _ -.")
        }
        if let mintLogId = body.mintLogId, !Self.isIdentifier(mintLogId) {
            throw HTTPError.invalidField("mintLogId", "must be 1-128 characters of A-Z a-z 0-9 _ -.")
        }
        // Stored canonical, so the fraud rules compare addresses, not spellings.
        let ip = try body.ip.map { text in
            guard let canonical = IPAddress.canonical(text) else {
                throw HTTPError.invalidField("ip", "must be an IPv4 or IPv6 address.")
            }
            return canonical
        }
        if let code = body.code, !ReferralSyntax.isValidCode(code) { throw Self.invalidCode }
        return ConversionInput(
            code: body.code,
            referredWallet: body.referredWallet,
            action: body.action,
            amount: body.amount.value,
            paymentTx: body.paymentTx,
            mintLogId: body.mintLogId,
            ip: ip
        )
    }

    /// The code the conversion belongs to: the one named, else the referred wallet's preference;
    /// nil when there is neither (not attributed).
    ///
    /// - Throws: `HTTPError` 404 for an unknown or inactive named code, 422 for self-referral,
    ///   409 for a second conversion of the same wallet through the same code.
    func attributedCode(_ input: ConversionInput, store: ReferralStore) throws -> ReferralCodeRecord? {
        let code: ReferralCodeRecord
        if let named = input.code {
            guard let found = try store.activeCode(named: named) else { throw Self.invalidCode }
            code = found
        } else {
            // A preference that points at a deactivated code attributes nothing.
            guard let preferred = try store.preferredCode(wallet: input.referredWallet), preferred.active else {
                return nil
            }
            code = preferred
        }
        guard code.wallet != input.referredWallet else {
            throw HTTPError(status: 422, code: "self-referral", message: "A wallet cannot be referred by its own code.")
        }
        guard try !store.hasConversion(codeID: code.id, referredWallet: input.referredWallet) else {
            throw HTTPError(
                status: 409,
                code: "already-converted",
                message: "This wallet already converted through this code."
            )
        }
        return code
    }

    /// Computes the reward, applies the fraud rules, stores conversion, reward and answer.
    func storeConversion(
        _ input: ConversionInput,
        code: ReferralCodeRecord,
        store: ReferralStore
    ) throws -> StoredAnswer {
        let createdAt = now()
        let amount: UInt64
        do {
            amount = try RewardCalculator.reward(
                type: code.rewardType,
                value: UInt64(code.rewardValue),
                amount: input.amount,
                decimals: config.mintDecimals
            )
        } catch {
            throw HTTPError(status: 422, code: "reward-overflow", message: "The reward does not fit in 64 bits.")
        }
        let reasons = try reviewReasons(input, code: code, reward: amount, store: store, now: createdAt)
        let reward = NewReward(
            wallet: code.wallet,
            amount: amount,
            status: reasons.isEmpty ? "pending" : "review",
            holdUntil: createdAt + Int64(config.rewardHoldDays) * 86_400,
            reason: reasons.isEmpty ? nil : reasons.joined(separator: ",")
        )
        let ids = try store.insertConversion(input, code: code, reward: reward, now: createdAt)
        let response = try json(
            201,
            ConversionResultJSON(
                conversion: ConversionJSON(id: ids.conversionID, code: code, input: input, createdAt: createdAt),
                reward: RewardJSON(id: ids.rewardID, reward: reward)
            )
        )
        try store.storeAnswer(conversionID: ids.conversionID, status: response.status, body: response.body)
        return StoredAnswer(fingerprint: input.fingerprint, status: response.status, body: response.body)
    }

    /// The fraud rules that fire (SPEC §4): the buyer's IP is one the referrer signed in from;
    /// more than 3 conversions of the code from that IP within 24 h; a reward above REVIEW_ABOVE.
    func reviewReasons(
        _ input: ConversionInput,
        code: ReferralCodeRecord,
        reward: UInt64,
        store: ReferralStore,
        now: Int64
    ) throws -> [String] {
        var reasons: [String] = []
        if let ip = input.ip {
            if try store.hasSignedIn(wallet: code.wallet, ip: ip) { reasons.append("referrer-ip") }
            if try store.conversionCount(codeID: code.id, ip: ip, since: now - 86_400) >= Self.conversionsPerIPPerDay {
                reasons.append("ip-velocity")
            }
        }
        if let limit = config.reviewAbove, reward > limit { reasons.append("high-value") }
        return reasons
    }

    static let invalidCode = HTTPError(
        status: 404,
        code: "invalid-code",
        message: "No active referral code by that name."
    )

    /// `[A-Za-z0-9_-]{1,128}`: transaction signatures and log ids.
    static func isIdentifier(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && ReferralSyntax.isCodeText(text)
    }
}
