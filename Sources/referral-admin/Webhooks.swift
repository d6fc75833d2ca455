import ArgumentParser
@preconcurrency import Glibc
import Shared

struct Webhooks: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the endpoints that hear about conversions, reviews and payouts.",
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self, Replay.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an endpoint; prints its id and its secret (shown this once)."
        )
        @Argument(help: "The endpoint's http(s) URL.") var url: String
        @Option(name: .long, help: "Event types, comma-separated (default: all).") var events: String?

        func validate() throws {
            guard let parsed = WebhookURL(url) else { throw ValidationError("url must be an http(s) URL") }
            let allowPrivate = SettingsReader(Environment.current()).text("WEBHOOK_ALLOW_PRIVATE") == "1"
            guard allowPrivate || !parsed.isPrivateLiteral else {
                throw ValidationError(
                    "\(parsed.host) is a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE=1 allows it)"
                )
            }
            _ = try eventTypes()
        }

        func eventTypes() throws -> [WebhookEventType]? {
            guard let events else { return nil }
            return try events.split(separator: ",").map { name in
                guard let type = WebhookEventType(rawValue: String(name)) else {
                    let known = WebhookEventType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ValidationError("unknown event \(name) (known: \(known))")
                }
                return type
            }
        }

        func run() throws {
            let settings = SettingsReader(Environment.current())
            let store = try openStore()
            try Sodium.initialize()
            let key = try WebhookKey(path: WebhookKey.path(settings: settings), create: true)
            let secret = Sodium.randomBytes(32)
            guard let sealed = key.seal(secret), let parsed = WebhookURL(url) else {
                throw ValidationError("cannot seal the secret")
            }
            let id = try store.addWebhookEndpoint(
                url: parsed,
                events: try eventTypes(),
                sealedSecret: sealed,
                now: Int64(time(nil))
            )
            print("endpoint \(id)")
            print("secret whsec_\(Sodium.base64(secret))")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the endpoints (never their secrets).")
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        func run() throws {
            try printListing(
                try openStore().webhookEndpoints(now: Int64(time(nil))),
                json: json,
                columns: ["id", "url", "events", "enabled", "pending", "delivered", "failed", "oldestPending"]
            ) { endpoint in
                [
                    String(endpoint.id), endpoint.url, endpoint.events.joined(separator: ","),
                    endpoint.enabled ? "yes" : "no (\(endpoint.disabledReason ?? ""))", String(endpoint.pending),
                    String(endpoint.delivered), String(endpoint.failed), "\(endpoint.oldestPendingSeconds)s",
                ]
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop sending to an endpoint (its history is kept).")
        @Argument(help: "The endpoint's id.") var id: Int64

        func run() throws {
            guard try openStore().removeWebhookEndpoint(id, now: Int64(time(nil))) else {
                throw badData("no endpoint \(id)")
            }
            print("removed endpoint \(id)")
        }
    }

    struct Deliveries: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")
        @Option(name: .long, help: "Only this endpoint's.") var endpoint: Int64?
        @Flag(name: .long, help: "Only those that failed for good (replayable).") var failed = false
        @Option(name: .long, help: "At most this many.") var limit = 100
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        func run() throws {
            try printListing(
                try openStore().webhookDeliveries(endpoint: endpoint, failedOnly: failed, limit: limit),
                json: json,
                columns: ["id", "event", "type", "endpoint", "state", "attempts", "next", "last"]
            ) { delivery in
                [
                    String(delivery.id), delivery.eventId, delivery.type, String(delivery.endpointId), delivery.state,
                    String(delivery.attempts), delivery.nextAttemptAt,
                    delivery.lastError ?? delivery.lastStatus.map { "HTTP \($0)" } ?? "",
                ]
            }
        }
    }

    struct Replay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send an event again to every enabled endpoint subscribed to its type."
        )
        @Argument(help: "The event's id (webhook-id).") var event: String

        func run() throws {
            guard let count = try openStore().replayWebhookEvent(event, now: Int64(time(nil))) else {
                throw badData("no event \(event)")
            }
            print("event \(event) queued for \(count) endpoints")
        }
    }
}
