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

extension ReferralStore {
    /// The longest User-Agent, Referer or path kept in a click row.
    static let maxStoredText = 1024

    /// Stores one click, deciding the per-IP hourly limit in the same statement, and commits it.
    ///
    /// One INSERT … SELECT in autocommit mode is atomic: the count and the insert cannot interleave
    /// with another writer, so exactly `limitPerHour` clicks per IP and hour are counted. The count
    /// stops at the limit (`LIMIT ?9`), so a busy IP costs at most `limitPerHour` index steps.
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
                (SELECT count(*) FROM (SELECT 1 FROM clicks
                    WHERE ip = ?2 AND flag IS NULL AND created_at > ?8 - 3600 LIMIT ?9)) >= ?9
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
}
