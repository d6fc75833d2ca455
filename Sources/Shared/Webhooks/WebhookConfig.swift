/// The webhook sender's settings (`referral-webhooks`).
public struct WebhookConfig: Sendable {
    public var databasePath: String
    /// `WEBHOOK_TIMEOUT_SECONDS`: one delivery attempt's limit.
    public var timeoutSeconds: Int
    /// `WEBHOOK_RETRY_SCHEDULE`: seconds before each retry; after the last the delivery fails.
    public var retrySchedule: [Int]
    /// `WEBHOOK_ALLOW_PRIVATE`: deliver to loopback and private addresses too.
    public var allowPrivate: Bool
    /// Where the key that seals endpoint secrets is.
    public var keyPath: String

    /// The schedule SPEC §8 gives.
    public static let defaultSchedule = [5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400]

    /// Reads the settings.
    ///
    /// - Throws: `ConfigError` naming a bad variable.
    public init(environment: [String: String]) throws {
        let settings = SettingsReader(environment)
        databasePath = settings.databasePath
        timeoutSeconds = try settings.integer("WEBHOOK_TIMEOUT_SECONDS", default: 10, range: 1...300)
        if let text = settings.text("WEBHOOK_RETRY_SCHEDULE") {
            let steps = text.split(separator: ",").map { Int($0.trimmingSpaces) }
            guard !steps.isEmpty, steps.count <= 64, steps.allSatisfy({ ($0 ?? -1) >= 0 && ($0 ?? 0) <= 7 * 86_400 })
            else {
                throw ConfigError("WEBHOOK_RETRY_SCHEDULE must be seconds separated by commas, got \(text)")
            }
            retrySchedule = steps.compactMap { $0 }
        } else {
            retrySchedule = Self.defaultSchedule
        }
        allowPrivate = settings.text("WEBHOOK_ALLOW_PRIVATE") == "1"
        keyPath = WebhookKey.path(settings: settings)
    }
}
