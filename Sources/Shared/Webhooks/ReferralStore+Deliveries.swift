/// A delivery that is due: the event's bytes and where they go.
public struct DueDelivery: Sendable, Equatable {
    public var id: Int64
    public var eventID: String
    public var body: [UInt8]
    public var endpointID: Int64
    public var url: String
    public var sealedSecret: [UInt8]
    /// Attempts made before this one.
    public var attempts: Int
}

extension ReferralStore {
    /// Deliveries due at `now` to enabled endpoints, oldest first.
    ///
    /// - Throws: `SQLiteError`.
    public func dueDeliveries(now: Int64, limit: Int) throws -> [DueDelivery] {
        try connection.statement(
            """
            SELECT d.id, e.event_id, e.body, p.id, p.url, p.sealed_secret, d.attempts
            FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
            JOIN webhook_endpoints p ON p.id = d.endpoint_id
            WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND p.enabled = 1
            ORDER BY d.next_attempt_at, d.id LIMIT ?
            """
        ).rows([.integer(now), .integer(Int64(limit))]) { row in
            DueDelivery(
                id: row.int64(0),
                eventID: row.text(1) ?? "",
                body: row.blob(2) ?? [],
                endpointID: row.int64(3),
                url: row.text(4) ?? "",
                sealedSecret: row.blob(5) ?? [],
                attempts: row.int(6)
            )
        }
    }

    /// The earliest time a pending delivery to an enabled endpoint is due, if any.
    ///
    /// - Throws: `SQLiteError`.
    public func nextDeliveryTime() throws -> Int64? {
        try connection.statement(
            """
            SELECT min(d.next_attempt_at) FROM webhook_deliveries d JOIN webhook_endpoints p ON p.id = d.endpoint_id
            WHERE d.state = 'pending' AND p.enabled = 1
            """
        ).firstRow { $0.isNull(0) ? nil : $0.int64(0) } ?? nil
    }

    /// Records an attempt's outcome: delivered; retried at `retryAt`; failed for good (no
    /// `retryAt`); and, for a 410, the endpoint disabled.
    ///
    /// - Throws: `SQLiteError`.
    public func recordAttempt(
        _ delivery: DueDelivery,
        status: Int?,
        error: String?,
        delivered: Bool,
        retryAt: Int64?,
        disableEndpoint: Bool,
        now: Int64
    ) throws {
        try write {
            let state = delivered ? "delivered" : (retryAt == nil ? "failed" : "pending")
            try connection.statement(
                """
                UPDATE webhook_deliveries SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_status = ?,
                    last_error = ?, delivered_at = CASE WHEN ? THEN ? END
                WHERE id = ? AND state = 'pending'
                """
            ).execute([
                .text(state), .integer(retryAt ?? now), status.map { .integer(Int64($0)) }, error.map(SQLiteValue.text),
                .integer(delivered ? 1 : 0), .integer(now), .integer(delivery.id),
            ])
            if disableEndpoint {
                try connection.statement(
                    "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone (410)' WHERE id = ?"
                ).execute([.integer(delivery.endpointID)])
            }
        }
    }
}
