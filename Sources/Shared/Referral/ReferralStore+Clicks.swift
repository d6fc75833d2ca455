import CSQLite

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

/// A click stored by following a link: the code it was for, and its flag (nil: counted).
public struct StoredClick: Sendable {
    public let code: ReferralCodeRecord
    public let flag: ClickFlag?
}

extension ReferralStore {
    /// The longest User-Agent, Referer or path kept in a click row.
    static let maxStoredText = 1024

    /// The per-IP limit decision (`?1` ip, `?2` the flag the request earned itself, `?3` time, `?4`
    /// limit): the IP's latest counted-click number, and the flag the new click gets (NULL:
    /// counted). Kept here so a test can read its query plan.
    ///
    /// It runs inside the batch's write transaction, just before the INSERT, so no other writer
    /// comes between decision and row. A query of its own, not an `INSERT … SELECT … RETURNING`:
    /// that form made SQLite build four temporary tables per click (the CTEs, the rows read from
    /// the table being written, the RETURNING rows), each a B-tree with a zeroed page and its own
    /// transaction: a fifth of a click's instructions.
    static let clickDecisionSQL = """
        SELECT latest.seq, coalesce(?2, CASE
            WHEN ?4 = 0 THEN 'rate-limited'
            WHEN EXISTS (SELECT 1 FROM recent_counted_clicks WHERE ip = ?1
                AND seq = latest.seq - ?4 + 1 AND created_at > ?3 - 3600) THEN 'rate-limited'
        END)
        FROM (SELECT coalesce(max(seq), 0) AS seq FROM recent_counted_clicks WHERE ip = ?1) AS latest
        """

    /// How many rows of `recent_counted_clicks` one sweep looks at (see `sweepCountedClicks`).
    static let sweepRows = 16

    /// The `seq` of `?1` a sweep at `?2` starts from: 0 (the IP's first row) when that row has left
    /// the hour, the largest integer (after the IP's rows) when the next IP's first has; NULL: no
    /// sweep.
    static let sweepStartSQL = """
        SELECT CASE
            WHEN (SELECT created_at FROM recent_counted_clicks WHERE ip = ?1 ORDER BY seq LIMIT 1) <= ?2 - 3600 THEN 0
            WHEN (SELECT created_at FROM recent_counted_clicks WHERE ip > ?1 ORDER BY ip, seq LIMIT 1) <= ?2 - 3600
                THEN 9223372036854775807
        END
        """

    /// The rows a sweep looks at: `?3` of them from `(?1, ?2)` on.
    static let sweepRowsSQL = """
        SELECT ip, seq, created_at FROM recent_counted_clicks WHERE (ip, seq) >= (?1, ?2) ORDER BY ip, seq LIMIT ?3
        """

    static let deleteCountedClickSQL = "DELETE FROM recent_counted_clicks WHERE ip = ? AND seq = ?"

    static let insertClickSQL = """
        INSERT INTO clicks (code_id, ip, user_agent, referer, path, wallet, flag, counted_seq, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// A link being followed: the code as the link spelled it (nil when it is malformed), and the
    /// click to store for the active code of that name.
    public struct LinkFollowed {
        public var code: String?
        public var click: (ReferralCodeRecord) -> NewClick

        public init(code: String?, click: @escaping (ReferralCodeRecord) -> NewClick) {
            self.code = code
            self.click = click
        }
    }

    /// Follows links: looks up each active code and stores a click for it, all in one write
    /// committed together with the clicks other threads store at the same time (group commit,
    /// `WriteGate.commitTogether`); returns once that write is committed.
    ///
    /// One commit serves many clicks, and the lookups read from the batch connection's warm cache.
    /// Statements run one after another, in order, so each click's limit decision sees the clicks
    /// before it: exactly `limitPerHour` clicks per IP and hour are counted. Counted clicks are
    /// numbered per IP (`counted_seq`); a new click is over the limit when the counted click
    /// `limitPerHour - 1` places before the latest is less than an hour old. Two probes of the
    /// IP's last hour of counted clicks (`recent_counted_clicks`), whatever the limit (a count
    /// would walk up to `limitPerHour` rows) and however many clicks are stored.
    ///
    /// - Parameters:
    ///   - links: the links, in the order their clicks are stored.
    ///   - limitPerHour: counted clicks allowed per IP in the last 3600 s.
    /// - Returns: for each link, in order: the code and the flag stored (nil flag: counted), nil
    ///   when no active code has that name (malformed text is not looked up), or the error of that
    ///   click alone (SQLite undid its statement; the others are stored).
    /// - Throws: `SQLiteError` when nothing could be stored (the write rolled back or did not commit).
    public func recordClicks(
        _ links: [LinkFollowed],
        limitPerHour: Int
    ) throws -> [Result<StoredClick?, any Error>] {
        // Malformed text is never looked up.
        let codes = links.map { $0.code.flatMap { ReferralSyntax.isValidCode($0) ? $0 : nil } }
        let lookups = codes.count(where: { $0 != nil })
        guard lookups > 0 else { return links.map { _ in .success(nil) } }
        return try gate.commitTogether(on: connection, writes: lookups) { connection in
            // A code is looked up once per batch, however many of its links the batch holds: no
            // statement of the batch changes a code, so the row read first stays true to its end.
            var found: [String: ReferralCodeRecord?] = [:]
            var first: NewClick?
            let stored: [Result<StoredClick?, any Error>] = try zip(links, codes).map { link, text in
                guard let text else { return .success(nil) }
                do {
                    let record: ReferralCodeRecord?
                    if let known = found[text] {
                        record = known
                    } else {
                        record = try Self.findCode(text, on: connection)
                        found[text] = record
                    }
                    guard let code = record, code.active else { return .success(nil) }
                    let click = link.click(code)
                    let flag = try Self.insertClick(click, limitPerHour: limitPerHour, on: connection)
                    if first == nil { first = click }
                    return .success(StoredClick(code: code, flag: flag))
                } catch {
                    // SQLite undoes a failed statement alone, unless it rolled back the whole
                    // transaction: then none of these clicks is stored.
                    guard connection.isInTransaction else { throw error }
                    return .failure(error)
                }
            }
            if let first { Self.sweepCountedClicks(near: first.ip, at: first.createdAt, on: connection) }
            return stored
        }
    }

    /// Stores one click for a known code (see `recordClicks(_:limitPerHour:)`).
    ///
    /// - Returns: the flag stored (nil: counted).
    /// - Throws: `SQLiteError`.
    @discardableResult
    public func recordClick(_ click: NewClick, limitPerHour: Int) throws -> ClickFlag? {
        try gate.commitTogether(on: connection) {
            let flag = try Self.insertClick(click, limitPerHour: limitPerHour, on: $0)
            Self.sweepCountedClicks(near: click.ip, at: click.createdAt, on: $0)
            return flag
        }
    }

    /// Removes rows of `recent_counted_clicks` that have left the hour before `time` near `ip`, the
    /// address of a click just stored: no decision reads them again. When the IP's first row or
    /// the next IP's first has left the hour (an IP's rows are in time order by number), it looks
    /// at the `sweepRows` rows from there and deletes those that have.
    ///
    /// Once per set of clicks stored together, from the first one's address: on the pages that
    /// click has just read and written, so it writes no other page unless it removes rows there.
    /// Addresses arrive in no order, so sweeps land all over the table, as new rows do, and take
    /// old rows out about as fast as they come in: the table holds an hour or two of clicks, and
    /// the limit's pages stay few, however many clicks are stored. Best effort: a row left behind
    /// waits for a later sweep (no decision reads a row more than an hour old), so a failure here
    /// must not fail the clicks.
    static func sweepCountedClicks(near ip: String, at time: Int64, on connection: SQLiteConnection) {
        guard
            let found = try? connection.statement(sweepStartSQL).firstRow(
                [.text(ip), .integer(time)],
                { $0.isNull(0) ? nil : $0.int64(0) }
            ),
            let seq = found
        else { return }
        let from: [SQLiteValue?] = [.text(ip), .integer(seq), .integer(Int64(sweepRows))]
        guard
            let rows = try? connection.statement(sweepRowsSQL).rows(
                from,
                {
                    (ip: $0.text(0) ?? "", seq: $0.int64(1), createdAt: $0.int64(2))
                }
            )
        else { return }
        for row in rows where row.createdAt <= time - 3600 {
            try? connection.statement(deleteCountedClickSQL).execute([.text(row.ip), .integer(row.seq)])
        }
    }

    /// Decides the click's flag and stores it; must run inside a write transaction (the batch's).
    static func insertClick(
        _ click: NewClick,
        limitPerHour: Int,
        on connection: SQLiteConnection
    ) throws
        -> ClickFlag?
    {
        let decision: [SQLiteValue?] = [
            .text(click.ip), click.flag.map { .text($0.rawValue) }, .integer(click.createdAt),
            .integer(Int64(limitPerHour)),
        ]
        guard
            let (latest, flag) = try connection.statement(clickDecisionSQL).firstRow(
                decision,
                { row in
                    (row.int64(0), row.text(1).flatMap(ClickFlag.init(rawValue:)))
                }
            )
        else { throw SQLiteError(code: SQLITE_MISUSE, message: "the click decision returned no row") }
        try connection.statement(insertClickSQL).execute([
            .integer(click.codeID), .text(click.ip), click.userAgent.map { .text(Self.clipped($0)) },
            click.referer.map { .text(Self.clipped($0)) }, .text(Self.clipped(click.path)),
            click.wallet.map(SQLiteValue.text), flag.map { .text($0.rawValue) },
            flag == nil ? .integer(latest + 1) : nil, .integer(click.createdAt),
        ])
        return flag
    }

    static func clipped(_ text: String) -> String {
        text.utf8.count <= maxStoredText ? text : String(decoding: text.utf8.prefix(maxStoredText), as: UTF8.self)
    }
}
