import ArgumentParser
import Shared

/// The webhook sender: a long-running service (systemd, restarted on failure), or one pass.
@main
struct ReferralWebhooks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral-webhooks",
        abstract: "Deliver the referral events to the platform's endpoints (Standard Webhooks)."
    )
    @Flag(name: .long, help: "Send what is due now and exit 0 (failed attempts are recorded, not an exit status).")
    var once = false

    func run() throws { try WebhookCommands.run(once: once) }
}
