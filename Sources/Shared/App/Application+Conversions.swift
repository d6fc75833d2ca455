extension Application {
    /// Seconds a signed conversion request stays acceptable either side of now.
    static let signatureTolerance: Int64 = 300
    /// 404 for a code that is malformed, unknown or inactive.
    static let invalidCode = HTTPError(ConversionRefusal.invalidCode)

    /// `POST /api/referral/conversion`, signed by the platform's backend (SPEC §4).
    func recordConversion(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        guard let response = recordConversions([request], store: store).first else { throw HTTPError.internalFailure }
        return response
    }

    /// Signed conversion reports taken together: each signature is checked over the raw body
    /// before anything is parsed, and the reports that pass are recorded by the reward service in
    /// one durable commit (one fsync for all, each report in a savepoint of its own, each judged
    /// after the ones before it); each outcome becomes its status. A repeat renders the same rows
    /// as the first answer did, so it gets the same bytes back.
    ///
    /// - Returns: each request's response, in order.
    func recordConversions(_ requests: [Request], store: ReferralStore) -> [Response] {
        var responses = [Response?](repeating: nil, count: requests.count)
        var checked: [(index: Int, input: ConversionInput)] = []
        for (index, request) in requests.enumerated() {
            do {
                try verifyConversionSignature(request)
                checked.append((index, try conversionInput(from: request)))
            } catch {
                responses[index] = errorResponse(error, request: requests[index])
            }
        }
        if !checked.isEmpty {
            let outcomes: [Result<ConversionOutcome, any Error>]
            do {
                outcomes = try ConversionRecorder(policy: config.rewards).record(
                    checked.map(\.input),
                    in: store,
                    now: now()
                )
            } catch {
                outcomes = checked.map { _ in .failure(error) }
            }
            for ((index, _), outcome) in zip(checked, outcomes) {
                do {
                    responses[index] = try conversionResponse(try outcome.get())
                } catch {
                    responses[index] = errorResponse(error, request: requests[index])
                }
            }
        }
        return responses.map { $0 ?? HTTPError.internalFailure.response }
    }

    /// The status and body for an outcome of the reward rules (a refusal is thrown as its error).
    func conversionResponse(_ outcome: ConversionOutcome) throws -> Response {
        switch outcome {
        case .recorded(let conversion):
            metrics?.conversion(result: "recorded")
            metrics?.reward(status: conversion.reward.status)
            logger.info(
                "reward \(conversion.reward.id) decided: \(conversion.reward.amount) units \(conversion.reward.status.rawValue) for \(conversion.referrer) (conversion \(conversion.id), code \(conversion.code))"
            )
            return try json(201, ConversionResultJSON(conversion))
        case .repeated(let conversion):
            metrics?.conversion(result: "repeated")
            return try json(201, ConversionResultJSON(conversion))
        case .notAttributed:
            metrics?.conversion(result: "not-attributed")
            return try json(200, ["attributed": false])
        case .refused(let refusal):
            metrics?.conversion(result: refusal.rawValue)
            throw HTTPError(refusal)
        }
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
            header.utf8.count == 3 + 2 * Sodium.sha256Bytes, let provided = Hex.decode(String(header.dropFirst(3)))
        else { throw refused }
        let signed = Array(timestampText.utf8) + [UInt8(ascii: ".")] + request.body
        // During a rotation the previous key is accepted too; every key is compared, in constant time.
        let keys = [secret] + (config.previousConversionSecret.map { [$0] } ?? [])
        let matches = keys.map {
            Sodium.constantTimeEqual(provided, Sodium.hmacSHA256(key: Array($0.utf8), message: signed))
        }
        guard matches.contains(true) else { throw refused }
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
        guard let action = ConversionAction(rawValue: body.action) else {
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
            action: action,
            amount: body.amount.value,
            paymentTx: body.paymentTx,
            mintLogId: body.mintLogId,
            ip: ip
        )
    }

    /// `[A-Za-z0-9_-]{1,128}`: transaction signatures and log ids.
    static func isIdentifier(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && ReferralSyntax.isCodeText(text)
    }
}

extension HTTPError {
    /// The status and message the contract gives each refusal of the reward rules.
    init(_ refusal: ConversionRefusal) {
        switch refusal {
        case .invalidCode:
            self.init(status: 404, code: refusal.rawValue, message: "No active referral code by that name.")
        case .selfReferral:
            self.init(status: 422, code: refusal.rawValue, message: "A wallet cannot be referred by its own code.")
        case .alreadyConverted:
            self.init(status: 409, code: refusal.rawValue, message: "This wallet already converted through this code.")
        case .paymentReused:
            self.init(
                status: 409,
                code: refusal.rawValue,
                message: "This paymentTx was already used for another conversion."
            )
        case .rewardOverflow:
            self.init(status: 422, code: refusal.rawValue, message: "The reward does not fit in 64 bits.")
        }
    }
}
