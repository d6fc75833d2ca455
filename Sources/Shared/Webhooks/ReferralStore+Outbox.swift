import FoundationEssentials

/// The outbox: an event is stored inside the transaction that makes the change it reports, with a
/// delivery for every enabled endpoint subscribed to its type. No change without its event, no
/// event without its change; `referral-webhooks` sends what is stored.
extension ReferralStore {
    /// Stores an event and its deliveries; call inside the write transaction of the change.
    ///
    /// - Parameters:
    ///   - type: the event type.
    ///   - data: the event's data.
    ///   - now: unix seconds: the event's timestamp and its deliveries' first attempt.
    /// - Returns: the event's public id (the `webhook-id` header).
    /// - Throws: `SQLiteError`, `EncodingError`.
    @discardableResult
    func recordEvent(_ type: WebhookEventType, _ data: some Encodable, now: Int64) throws -> String {
        let eventID = "msg_" + Hex.encode(Sodium.randomBytes(16))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(WebhookBody(type: type, timestamp: Timestamp.iso8601(now), data: data))
        try connection.statement("INSERT INTO webhook_events (event_id, type, body, created_at) VALUES (?, ?, ?, ?)")
            .execute([.text(eventID), SQLiteValue(type), .blob(Array(body)), .integer(now)])
        let id = connection.lastInsertRowID
        try connection.statement(
            """
            INSERT INTO webhook_deliveries (event_id, endpoint_id, state, next_attempt_at)
            SELECT ?, id, 'pending', ? FROM webhook_endpoints
            WHERE enabled = 1 AND (events = '*' OR ',' || events || ',' LIKE '%,' || ? || ',%')
            """
        ).execute([.integer(id), .integer(now), SQLiteValue(type)])
        return eventID
    }
}
