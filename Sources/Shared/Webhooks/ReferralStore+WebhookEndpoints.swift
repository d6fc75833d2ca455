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
    public func webhookEndpoints() throws -> [WebhookEndpointListing] {
        try connection.statement(
            """
            SELECT e.id, e.url, e.events, e.enabled, e.disabled_reason,
                   count(CASE WHEN d.state = 'pending' THEN 1 END), count(CASE WHEN d.state = 'delivered' THEN 1 END),
                   count(CASE WHEN d.state = 'failed' THEN 1 END)
            FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
            GROUP BY e.id ORDER BY e.id
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
                failed: row.int(7)
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
