/// Standard Webhooks 1.0 signing: `v1,<base64 of HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`.
///
/// Related specification: <https://www.standardwebhooks.com/> (signature scheme `v1`).
public enum WebhookSignature {
    /// The `webhook-signature` header value.
    ///
    /// - Parameters:
    ///   - secret: the endpoint secret's bytes (the base64 after `whsec_`, decoded).
    ///   - id: the `webhook-id`.
    ///   - timestamp: the `webhook-timestamp`, unix seconds.
    ///   - body: the exact bytes sent.
    public static func header(secret: [UInt8], id: String, timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        return "v1," + Sodium.base64(Sodium.hmacSHA256(key: secret, message: signed))
    }
}
