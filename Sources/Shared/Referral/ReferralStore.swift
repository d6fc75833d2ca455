/// A referral code as stored.
public struct ReferralCodeRecord: Sendable, Equatable {
    public var id: Int64
    /// The code as its owner spelled it.
    public var code: String
    /// The owner's wallet address.
    public var wallet: String
    public var vaultAddress: String?
    public var active: Bool
    public var createdAt: Int64
}

/// A click about to be stored.
public struct NewClick: Sendable {
    public var codeID: Int64
    public var ip: String
    public var userAgent: String?
    public var referer: String?
    public var path: String
    /// The `wallet` query parameter, only when it is a valid Solana address.
    public var wallet: String?
    /// The flag the request earned by itself (see `ClickClassifier`).
    public var flag: ClickFlag?
    public var createdAt: Int64
}

/// Referral codes and clicks in the database, for one thread's connection.
public final class ReferralStore {
    /// The thread's connection.
    public let connection: SQLiteConnection
    let gate: WriteGate

    /// The longest User-Agent, Referer or path kept in a click row.
    static let maxStoredText = 1024

    /// Opens a connection to the database at `path`.
    ///
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - gate: the process's write gate.
    /// - Throws: `SQLiteError` when the file cannot be opened.
    public init(path: String, gate: WriteGate) throws {
        connection = try SQLiteConnection(path: path)
        self.gate = gate
    }

    // MARK: - Codes

    /// Finds a code, case-insensitively.
    ///
    /// - Parameter code: a well-formed code.
    /// - Throws: `SQLiteError`.
    public func findCode(_ code: String) throws -> ReferralCodeRecord? {
        try connection.statement(
            "SELECT id, code, wallet, vault_address, active, created_at FROM referral_codes WHERE code = ?"
        ).firstRow([.text(code)], Self.codeRecord)
    }

    /// Every code, oldest first.
    ///
    /// - Throws: `SQLiteError`.
    public func allCodes() throws -> [ReferralCodeRecord] {
        try connection.statement(
            "SELECT id, code, wallet, vault_address, active, created_at FROM referral_codes ORDER BY id"
        ).rows([], Self.codeRecord)
    }

    /// Stores a new code.
    ///
    /// - Parameters:
    ///   - code: a well-formed code, unique case-insensitively.
    ///   - wallet: the owner's address.
    ///   - vaultAddress: where purchases through this code go, if any.
    ///   - createdAt: unix seconds.
    /// - Returns: the stored record, or nil when the code is taken.
    /// - Throws: `SQLiteError` for any other failure.
    public func insertCode(
        _ code: String,
        wallet: String,
        vaultAddress: String?,
        createdAt: Int64
    ) throws
        -> ReferralCodeRecord?
    {
        try gate.run {
            do {
                try connection.statement(
                    "INSERT INTO referral_codes (code, wallet, vault_address, created_at) VALUES (?, ?, ?, ?)"
                ).execute([.text(code), .text(wallet), vaultAddress.map(SQLiteValue.text), .integer(createdAt)])
            } catch let error as SQLiteError where error.isUniqueViolation {
                return nil
            }
            return ReferralCodeRecord(
                id: connection.lastInsertRowID,
                code: code,
                wallet: wallet,
                vaultAddress: vaultAddress,
                active: true,
                createdAt: createdAt
            )
        }
    }

    /// Turns a code on or off.
    ///
    /// - Parameters:
    ///   - code: the code, any case.
    ///   - active: the new state.
    /// - Returns: false when there is no such code.
    /// - Throws: `SQLiteError`.
    public func setActive(_ code: String, _ active: Bool) throws -> Bool {
        try gate.run {
            try connection.statement("UPDATE referral_codes SET active = ? WHERE code = ?")
                .execute([.integer(active ? 1 : 0), .text(code)])
            return connection.changes == 1
        }
    }

    // MARK: - Clicks

    /// Stores one click, deciding the per-IP hourly limit in the same statement, and commits it.
    ///
    /// One INSERT … SELECT in autocommit mode is atomic: the count and the insert cannot interleave
    /// with another writer, so exactly `limitPerHour` clicks per IP and hour are counted.
    ///
    /// - Parameters:
    ///   - click: the click.
    ///   - limitPerHour: counted clicks allowed per IP in the last 3600 s.
    /// - Returns: the flag stored (nil: counted).
    /// - Throws: `SQLiteError`.
    @discardableResult
    public func recordClick(_ click: NewClick, limitPerHour: Int) throws -> ClickFlag? {
        let statement = try connection.statement(
            """
            INSERT INTO clicks (code_id, ip, user_agent, referer, path, wallet, flag, created_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(?7, CASE WHEN
                (SELECT count(*) FROM clicks WHERE ip = ?2 AND flag IS NULL AND created_at > ?8 - 3600) >= ?9
                THEN 'rate-limited' END), ?8)
            RETURNING flag
            """
        )
        let values: [SQLiteValue?] = [
            .integer(click.codeID), .text(click.ip), click.userAgent.map { .text(Self.clipped($0)) },
            click.referer.map { .text(Self.clipped($0)) }, .text(Self.clipped(click.path)),
            click.wallet.map(SQLiteValue.text), click.flag.map { .text($0.rawValue) }, .integer(click.createdAt),
            .integer(Int64(limitPerHour)),
        ]
        // Step to the end rather than stopping at the RETURNING row: the implicit transaction
        // commits when the statement completes, and a failed commit must surface here.
        return try gate.run {
            var stored: ClickFlag?
            try statement.forEachRow(values) { row in stored = row.text(0).flatMap(ClickFlag.init(rawValue:)) }
            return stored
        }
    }

    static func clipped(_ text: String) -> String {
        text.utf8.count <= maxStoredText ? text : String(decoding: text.utf8.prefix(maxStoredText), as: UTF8.self)
    }

    static func codeRecord(_ row: SQLiteRow) -> ReferralCodeRecord {
        ReferralCodeRecord(
            id: row.int64(0),
            code: row.text(1) ?? "",
            wallet: row.text(2) ?? "",
            vaultAddress: row.text(3),
            active: row.int64(4) == 1,
            createdAt: row.int64(5)
        )
    }
}
