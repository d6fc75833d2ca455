extension Application {
    /// Tries at generating a free code before giving up (16.7 million codes per prefix).
    static let generatedCodeAttempts = 16
    static let maxNicknameLength = 64
    static let maxNicknameBytes = 256
    static let maxDescriptionLength = 500
    static let maxDescriptionBytes = 2_000

    /// The public share link of a code.
    func shareLink(_ code: String) -> String { config.frontendBaseURL + "/r/" + code }

    /// `POST /api/referral/create` → 201 `{code, shareLink, qrSvg, referral}`.
    func createReferral(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSessionForChange(request, store: store)
        let body = try decodeBody(CreateReferralBody.self, from: request)
        var new = try validatedCode(body, wallet: session.wallet)
        let record: ReferralCodeRecord
        if body.code != nil {
            guard let inserted = try store.insertCode(new) else {
                throw HTTPError(status: 409, code: "code-taken", message: "The code \(new.code) is already taken.")
            }
            record = inserted
        } else {
            var inserted: ReferralCodeRecord?
            for _ in 0..<Self.generatedCodeAttempts where inserted == nil {
                new.code = config.codePrefix + Hex.encode(Sodium.randomBytes(3)).uppercased()
                inserted = try store.insertCode(new)
            }
            guard let inserted else {
                throw HTTPError(status: 503, code: "codes-exhausted", message: "No free code was found; try again.")
            }
            record = inserted
        }
        let link = shareLink(record.code)
        return try json(
            201,
            CreatedReferralJSON(
                code: record.code,
                shareLink: link,
                qrSvg: try QRCode(encoding: link).svgDataURL,
                referral: ReferralJSON(record, shareLink: link)
            )
        )
    }

    /// Checks every field of a create request, naming the first bad one.
    func validatedCode(_ body: CreateReferralBody, wallet: String) throws -> ReferralCodeRecord {
        if let code = body.code, !ReferralSyntax.isValidCode(code) {
            throw HTTPError.invalidField("code", "must be 3-32 characters of A-Z a-z 0-9 _ -.")
        }
        if let nickname = body.nickname,
            !Self.isPlainText(nickname, maxLength: Self.maxNicknameLength, maxBytes: Self.maxNicknameBytes)
        {
            throw HTTPError.invalidField(
                "nickname",
                "must be 1-\(Self.maxNicknameLength) characters (at most \(Self.maxNicknameBytes) bytes of UTF-8) "
                    + "without control characters."
            )
        }
        if let description = body.description,
            !Self.isPlainText(
                description,
                maxLength: Self.maxDescriptionLength,
                maxBytes: Self.maxDescriptionBytes,
                allowingLineBreaks: true
            )
        {
            throw HTTPError.invalidField(
                "description",
                "must be 1-\(Self.maxDescriptionLength) characters (at most \(Self.maxDescriptionBytes) bytes of "
                    + "UTF-8) without control characters but line breaks."
            )
        }
        guard let rewardType = RewardType(rawValue: body.rewardType ?? RewardType.token.rawValue) else {
            throw HTTPError.invalidField("rewardType", "must be token, percent or fixed.")
        }
        let value = body.rewardValue?.value ?? 5
        let range = rewardValueRange(rewardType)
        guard range.contains(value) else {
            throw HTTPError.invalidField(
                "rewardValue",
                "must be from \(range.lowerBound) to \(range.upperBound) for rewardType \(rewardType.rawValue)."
            )
        }
        if let vault = body.vaultAddress, !SolanaAddress.isValid(vault) {
            throw HTTPError.invalidField("vaultAddress", "must be a base58 Solana address of 32 bytes.")
        }
        return ReferralCodeRecord(
            code: body.code ?? "",
            wallet: wallet,
            nickname: body.nickname,
            description: body.description,
            rewardType: rewardType,
            rewardValue: value,
            vaultAddress: body.vaultAddress,
            createdAt: now()
        )
    }

    /// The allowed reward values of `type` under this MINT_DECIMALS.
    func rewardValueRange(_ type: RewardType) -> ClosedRange<UInt64> {
        RewardCalculator.valueRange(type, decimals: config.rewards.mintDecimals)
    }

    /// 1…`maxLength` characters and at most `maxBytes` bytes of UTF-8, without control characters
    /// (a description may have line breaks). Bytes are checked first: a character may carry any
    /// number of combining marks, so a character count alone bounds nothing.
    static func isPlainText(_ text: String, maxLength: Int, maxBytes: Int, allowingLineBreaks: Bool = false) -> Bool {
        text.utf8.count <= maxBytes && (1...maxLength).contains(text.count)
            && !text.unicodeScalars.contains { scalar in
                if allowingLineBreaks && (scalar == "\n" || scalar == "\r") { return false }
                return scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
            }
    }

    /// `GET /api/referral/mine` → the caller's codes, each with its stats and daily series: one
    /// call draws the whole panel (a call per code would meet nginx's per-address API rate limit
    /// past 20 codes).
    func myReferrals(_ request: Request, _ store: ReferralStore, _: [String]) throws -> Response {
        let session = try requireSession(request, store: store)
        let entries = try store.allCodes(wallet: session.wallet).map { code in
            MineJSON.Entry(
                referral: ReferralJSON(code, shareLink: shareLink(code.code)),
                stats: StatsJSON(
                    code: code,
                    stats: try store.stats(codeID: code.id, now: now(), withDaily: true),
                    decimals: config.rewards.mintDecimals
                )
            )
        }
        return try json(200, MineJSON(referrals: entries, decimals: config.rewards.mintDecimals))
    }

    /// `GET /api/referral/stats/{code}` → the owner's stats; 403 for others, 404 unknown.
    func referralStats(_ request: Request, _ store: ReferralStore, _ captured: [String]) throws -> Response {
        let session = try requireSession(request, store: store)
        let code = try ownedCode(captured[0], session: session, store: store)
        return try json(
            200,
            StatsJSON(
                code: code,
                stats: try store.stats(codeID: code.id, now: now(), withDaily: true),
                decimals: config.rewards.mintDecimals
            )
        )
    }

    /// `POST /api/referral/{code}/deactivate` (owner) → 200 `{referral}`.
    func deactivateReferral(_ request: Request, _ store: ReferralStore, _ captured: [String]) throws -> Response {
        let session = try requireSessionForChange(request, store: store)
        var code = try ownedCode(captured[0], session: session, store: store)
        _ = try store.setActive(code.code, false)
        code.active = false
        return try json(200, ReferralEnvelopeJSON(referral: ReferralJSON(code, shareLink: shareLink(code.code))))
    }

    /// `GET /api/referral/{code}/qr.svg` → the share link as an SVG QR code.
    func referralQRCode(_ request: Request, _ store: ReferralStore, _ captured: [String]) throws -> Response {
        let code = try existingCode(captured[0], store: store)
        let svg = try QRCode(encoding: shareLink(code.code)).svg
        return Response(
            status: 200,
            headers: [("Content-Type", "image/svg+xml"), ("Cache-Control", "public, max-age=3600")],
            body: Array(svg.utf8)
        )
    }

    /// The code named by a path segment, or 404.
    func existingCode(_ segment: String, store: ReferralStore) throws -> ReferralCodeRecord {
        guard let text = PercentDecoding.decodeString(segment), ReferralSyntax.isValidCode(text),
            let code = try store.findCode(text)
        else {
            throw HTTPError(status: 404, code: "unknown-code", message: "No such referral code.")
        }
        return code
    }

    /// The code named by a path segment when the session's wallet owns it: 404 unknown, 403 not theirs.
    func ownedCode(_ segment: String, session: Session, store: ReferralStore) throws -> ReferralCodeRecord {
        let code = try existingCode(segment, store: store)
        guard code.wallet == session.wallet else {
            throw HTTPError(status: 403, code: "not-owner", message: "This code belongs to another wallet.")
        }
        return code
    }
}
