/// A signed-in wallet's session, found from its cookie.
public struct Session: Sendable, Equatable {
    public var wallet: String
    public var tokenHash: [UInt8]
    public var expiresAt: Int64
}

extension ReferralStore {
    // MARK: - Nonces

    /// Stores an issued sign-in message under its nonce, and forgets nonces expired for an hour.
    ///
    /// - Parameters:
    ///   - message: the message the wallet is asked to sign.
    ///   - now: unix seconds.
    /// - Throws: `SQLiteError`.
    public func insertNonce(_ message: SignInMessage, now: Int64) throws {
        try write {
            try connection.statement("DELETE FROM auth_nonces WHERE expires_at < ?").execute([.integer(now - 3600)])
            try connection.statement(
                "INSERT INTO auth_nonces (nonce, wallet, message, expires_at) VALUES (?, ?, ?, ?)"
            ).execute([.text(message.nonce), .text(message.address), .text(message.text), .integer(message.expiresAt)])
        }
    }

    /// The message issued with `nonce`, while it is unused and unexpired.
    ///
    /// - Throws: `SQLiteError`.
    public func liveNonceMessage(_ nonce: String, now: Int64) throws -> String? {
        try connection.statement(
            "SELECT message FROM auth_nonces WHERE nonce = ? AND used_at IS NULL AND expires_at > ?"
        ).firstRow([.text(nonce), .integer(now)]) { $0.text(0) } ?? nil
    }

    // MARK: - Sign-in

    /// Spends the nonce and opens a session in one transaction: of two requests racing with the
    /// same signed message, exactly one gets a session.
    ///
    /// - Parameters:
    ///   - nonce: the nonce of the verified message.
    ///   - wallet: the wallet that signed it.
    ///   - tokenHash: SHA-256 of the new session token.
    ///   - ip: the client address, remembered for the fraud rules.
    ///   - now: unix seconds.
    ///   - lifetime: seconds the session lasts.
    /// - Returns: false when the nonce was already spent or has expired.
    /// - Throws: `SQLiteError`.
    public func signIn(
        nonce: String,
        wallet: String,
        tokenHash: [UInt8],
        ip: String,
        now: Int64,
        lifetime: Int64
    ) throws -> Bool {
        try write {
            try connection.statement(
                "UPDATE auth_nonces SET used_at = ?1 WHERE nonce = ?2 AND wallet = ?3 AND used_at IS NULL AND expires_at > ?1"
            ).execute([.integer(now), .text(nonce), .text(wallet)])
            guard connection.changes == 1 else { return false }
            try connection.statement(
                "INSERT INTO sessions (token_hash, wallet, created_at, expires_at) VALUES (?, ?, ?, ?)"
            ).execute([.blob(tokenHash), .text(wallet), .integer(now), .integer(now + lifetime)])
            try connection.statement("INSERT INTO sign_ins (wallet, ip, created_at) VALUES (?, ?, ?)")
                .execute([.text(wallet), .text(ip), .integer(now)])
            return true
        }
    }

    // MARK: - Sessions

    /// The live session whose token hashes to `tokenHash`.
    ///
    /// - Throws: `SQLiteError`.
    public func session(tokenHash: [UInt8], now: Int64) throws -> Session? {
        try connection.statement("SELECT wallet, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?")
            .firstRow([.blob(tokenHash), .integer(now)]) {
                Session(wallet: $0.text(0) ?? "", tokenHash: tokenHash, expiresAt: $0.int64(1))
            }
    }

    /// Ends a session (logout), and forgets sessions that expired long ago.
    ///
    /// - Throws: `SQLiteError`.
    public func deleteSession(tokenHash: [UInt8], now: Int64) throws {
        try write {
            try connection.statement("DELETE FROM sessions WHERE token_hash = ? OR expires_at < ?")
                .execute([.blob(tokenHash), .integer(now - 86_400)])
        }
    }
}
