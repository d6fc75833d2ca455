/// An endpoint as `webhooks list` shows it (never its secret).
public struct WebhookEndpointListing: Sendable, Equatable, Encodable {
    public var id: Int64
    public var url: String
    /// Event types, or `["*"]` for all.
    public var events: [String]
    public var enabled: Bool
    public var disabledReason: String?
    public var pending: Int
    public var delivered: Int
    public var failed: Int
    /// Seconds since the oldest pending delivery's event was stored (0 when none is pending).
    public var oldestPendingSeconds: Int64
}

extension ReferralStore {
    /// Stores a new endpoint with its sealed secret.
    ///
    /// - Returns: the endpoint's id.
    /// - Throws: `SQLiteError`.
    public func addWebhookEndpoint(
        url: WebhookURL,
        events: [WebhookEventType]?,
        sealedSecret: [UInt8],
        now: Int64
    ) throws
        -> Int64
    {
        try write(durable: true) {
            try connection.statement(
                "INSERT INTO webhook_endpoints (url, events, sealed_secret, created_at) VALUES (?, ?, ?, ?)"
            ).execute([
                .text(url.text), .text(events.map { $0.map(\.rawValue).joined(separator: ",") } ?? "*"),
                .blob(sealedSecret), .integer(now),
            ])
            return connection.lastInsertRowID
        }
    }

    /// Every endpoint with its delivery counts, oldest first.
    ///
    /// - Throws: `SQLiteError`.
    public func webhookEndpoints(now: Int64) throws -> [WebhookEndpointListing] {
        try connection.statement(
            """
            SELECT p.id, p.url, p.events, p.enabled, p.disabled_reason,
                   count(CASE WHEN d.state = 'pending' THEN 1 END), count(CASE WHEN d.state = 'delivered' THEN 1 END),
                   count(CASE WHEN d.state = 'failed' THEN 1 END), min(CASE WHEN d.state = 'pending' THEN v.created_at END)
            FROM webhook_endpoints p LEFT JOIN webhook_deliveries d ON d.endpoint_id = p.id
            LEFT JOIN webhook_events v ON v.id = d.event_id
            GROUP BY p.id ORDER BY p.id
            """
        ).rows { row in
            WebhookEndpointListing(
                id: row.int64(0),
                url: row.text(1) ?? "",
                events: (row.text(2) ?? "*").split(separator: ",").map(String.init),
                enabled: row.int64(3) == 1,
                disabledReason: row.text(4),
                pending: row.int(5),
                delivered: row.int(6),
                failed: row.int(7),
                oldestPendingSeconds: row.isNull(8) ? 0 : max(0, now - row.int64(8))
            )
        }
    }

    /// Disables an endpoint for good (`removed`); its pending deliveries fail. History is kept.
    ///
    /// - Returns: false when there is no such endpoint.
    /// - Throws: `SQLiteError`.
    public func removeWebhookEndpoint(_ id: Int64, now: Int64) throws -> Bool {
        try write(durable: true) {
            try connection.statement(
                "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'removed' WHERE id = ?"
            )
            .execute([.integer(id)])
            guard connection.changes == 1 else { return false }
            try connection.statement(
                "UPDATE webhook_deliveries SET state = 'failed', last_error = 'endpoint removed' WHERE endpoint_id = ? AND state = 'pending'"
            ).execute([.integer(id)])
            return true
        }
    }
}

/// A delivery as `webhooks deliveries` shows it.
public struct WebhookDeliveryListing: Sendable, Equatable, Encodable {
    public var id: Int64
    public var eventId: String
    public var type: String
    public var endpointId: Int64
    public var state: String
    public var attempts: Int
    /// RFC 3339: the next attempt of a pending delivery, else the last planned one.
    public var nextAttemptAt: String
    public var lastStatus: Int?
    public var lastError: String?
    public var deliveredAt: String?
}

extension ReferralStore {
    /// Deliveries, newest first, of one endpoint or all, only failed ones when asked.
    ///
    /// - Throws: `SQLiteError`.
    public func webhookDeliveries(endpoint: Int64?, failedOnly: Bool, limit: Int) throws -> [WebhookDeliveryListing] {
        var conditions: [String] = []
        var values: [SQLiteValue?] = []
        if let endpoint {
            conditions.append("d.endpoint_id = ?")
            values.append(.integer(endpoint))
        }
        if failedOnly { conditions.append("d.state = 'failed'") }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try connection.statement(
            """
            SELECT d.id, e.event_id, e.type, d.endpoint_id, d.state, d.attempts, d.next_attempt_at, d.last_status,
                   d.last_error, d.delivered_at
            FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id \(filter)
            ORDER BY d.id DESC LIMIT ?
            """
        ).rows(values + [.integer(Int64(limit))]) { row in
            WebhookDeliveryListing(
                id: row.int64(0),
                eventId: row.text(1) ?? "",
                type: row.text(2) ?? "",
                endpointId: row.int64(3),
                state: row.text(4) ?? "",
                attempts: row.int(5),
                nextAttemptAt: Timestamp.iso8601(row.int64(6)),
                lastStatus: row.isNull(7) ? nil : row.int(7),
                lastError: row.text(8),
                deliveredAt: row.isNull(9) ? nil : Timestamp.iso8601(row.int64(9))
            )
        }
    }

    /// Sends an event again (SPEC §8 `webhooks replay`): a fresh pending delivery to every enabled
    /// endpoint subscribed to its type, under the same `webhook-id`.
    ///
    /// - Returns: the endpoints it goes to, or nil when there is no such event.
    /// - Throws: `SQLiteError`.
    public func replayWebhookEvent(_ eventID: String, now: Int64) throws -> Int? {
        try write(durable: true) {
            guard
                let (id, type) = try connection.statement("SELECT id, type FROM webhook_events WHERE event_id = ?")
                    .firstRow([.text(eventID)], { ($0.int64(0), $0.text(1) ?? "") })
            else { return nil }
            try connection.statement(
                """
                INSERT INTO webhook_deliveries (event_id, endpoint_id, state, next_attempt_at)
                SELECT ?, id, 'pending', ? FROM webhook_endpoints
                WHERE enabled = 1 AND (events = '*' OR ',' || events || ',' LIKE '%,' || ? || ',%')
                ON CONFLICT (event_id, endpoint_id) DO UPDATE SET state = 'pending', attempts = 0,
                    next_attempt_at = excluded.next_attempt_at, last_status = NULL, last_error = NULL, delivered_at = NULL
                """
            ).execute([.integer(id), .integer(now), .text(type)])
            return connection.changes
        }
    }
}
