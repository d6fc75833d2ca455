/// The database as one worker thread (or one CLI run) sees it: its own connection, the process's
/// write gate, and the queries of every area, in `ReferralStore+<Area>.swift` files.
public final class ReferralStore {
    /// The thread's connection.
    public let connection: SQLiteConnection
    let gate: WriteGate

    /// Opens a connection to the database at `path`.
    ///
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - gate: the process's write gate.
    ///   - readOnly: open without write access (reports, and tests of a read-only database).
    /// - Throws: `SQLiteError` when the file cannot be opened.
    public init(path: String, gate: WriteGate, readOnly: Bool = false) throws {
        connection = try gate.connection(path: path, readOnly: readOnly)
        self.gate = gate
    }

    /// Runs `body` as one `BEGIN IMMEDIATE` transaction, holding the write gate.
    ///
    /// - Parameters:
    ///   - durable: commit with `synchronous=FULL` (money).
    ///   - body: the work.
    /// - Throws: what `body` throws, or `SQLiteError`.
    public func write<T: Sendable>(durable: Bool = false, _ body: () throws -> T) throws -> T {
        try gate.run { try connection.writeTransaction(durable: durable, body) }
    }

    // MARK: - Codes

    static let codeColumns =
        "id, code, wallet, nickname, description, reward_type, reward_value, vault_address, active, created_at"

    /// Finds a code, case-insensitively.
    ///
    /// - Parameter code: a well-formed code.
    /// - Throws: `SQLiteError`.
    public func findCode(_ code: String) throws -> ReferralCodeRecord? {
        try Self.findCode(code, on: connection)
    }

    static func findCode(_ code: String, on connection: SQLiteConnection) throws -> ReferralCodeRecord? {
        try connection.statement(findCodeSQL).firstRow([.text(code)], codeRecord)
    }

    /// Built once: every link looks a code up, and interpolating the text per call cost an
    /// allocation and a longer hash each time.
    static let findCodeSQL = "SELECT \(codeColumns) FROM referral_codes WHERE code = ?"

    /// The code named by untrusted text, when that text is a well-formed code and the code is
    /// active: what links, cookies, preferences and conversions may use. Malformed text is not
    /// looked up.
    ///
    /// - Parameter text: a code as a client sent it.
    /// - Throws: `SQLiteError`.
    public func activeCode(named text: String) throws -> ReferralCodeRecord? {
        guard ReferralSyntax.isValidCode(text), let code = try findCode(text), code.active else { return nil }
        return code
    }

    /// Every code, oldest first; only `wallet`'s when given.
    ///
    /// - Throws: `SQLiteError`.
    public func allCodes(wallet: String? = nil) throws -> [ReferralCodeRecord] {
        if let wallet {
            return try connection.statement(
                "SELECT \(Self.codeColumns) FROM referral_codes WHERE wallet = ? ORDER BY id"
            )
            .rows([.text(wallet)], Self.codeRecord)
        }
        return try connection.statement("SELECT \(Self.codeColumns) FROM referral_codes ORDER BY id")
            .rows([], Self.codeRecord)
    }

    /// Stores a new, active code.
    ///
    /// - Parameter new: the checked fields; its `id` and `active` are ignored.
    /// - Returns: the stored record with its id, or nil when the code is taken (in any case).
    /// - Throws: `SQLiteError` for any other failure.
    public func insertCode(_ new: ReferralCodeRecord) throws -> ReferralCodeRecord? {
        try gate.run {
            do {
                try connection.statement(
                    """
                    INSERT INTO referral_codes
                        (code, wallet, nickname, description, reward_type, reward_value, vault_address, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
                ).execute([
                    .text(new.code), .text(new.wallet), new.nickname.map(SQLiteValue.text),
                    new.description.map(SQLiteValue.text), .text(new.rewardType.rawValue),
                    .text(String(new.rewardValue)),
                    new.vaultAddress.map(SQLiteValue.text), .integer(new.createdAt),
                ])
            } catch let error as SQLiteError where error.isUniqueViolation {
                return nil
            }
            var stored = new
            stored.id = connection.lastInsertRowID
            stored.active = true
            return stored
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

    static func codeRecord(_ row: SQLiteRow) -> ReferralCodeRecord {
        ReferralCodeRecord(
            id: row.int64(0),
            code: row.text(1) ?? "",
            wallet: row.text(2) ?? "",
            nickname: row.text(3),
            description: row.text(4),
            rewardType: row.text(5).flatMap(RewardType.init(rawValue:)) ?? .token,
            rewardValue: row.text(6).flatMap { UInt64($0) } ?? 0,
            vaultAddress: row.text(7),
            active: row.int64(8) == 1,
            createdAt: row.int64(9)
        )
    }
}
