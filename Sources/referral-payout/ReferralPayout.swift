import ArgumentParser
import Shared

/// The payout job, started by `referral-payout.timer`. Settings come from the environment.
@main
struct ReferralPayout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral-payout",
        abstract: "Pay due referral rewards exactly once (off-chain ledger, or SPL mints on Solana).",
        subcommands: [Run.self, Verify.self, Status.self, Export.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Settle earlier payouts, then pay up to PAYOUT_BATCH due rewards."
        )
        @Flag(name: .long, help: "Show what a run would pay, and change nothing.") var dryRun = false

        func run() throws { try PayoutCommands.run(dryRun: dryRun) }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Look up open purchase references on chain; record the proven purchases (before run)."
        )

        func run() throws { try PayoutCommands.verify() }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewards held, due, in review, in flight (with signatures), failed (with reasons), paid."
        )
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        func run() throws { try PayoutCommands.status(json: json) }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stream the payout ledger.")
        @Flag(name: .long, help: "CSV: rewardId, wallet, amount, mode, signature, ledgerEntry, paidAt.") var csv = false

        func validate() throws {
            guard csv else { throw ValidationError("choose a format: --csv") }
        }

        func run() throws { try PayoutCommands.exportCSV() }
    }
}
