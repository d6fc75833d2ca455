import ArgumentParser
@preconcurrency import Glibc
import Shared

struct Rewards: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List rewards and decide on those in review.",
        subcommands: [List.self, Approve.self, Reject.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List rewards, oldest first.")
        @Option(name: .long, help: "Only this status: pending, review, approved, rejected, in-flight, paid, failed.")
        var status: RewardStatus?
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        func run() throws {
            let store = try openStore()
            if json {
                var all: [RewardListing] = []
                try store.forEachReward(status: status) { all.append($0) }
                print(try JSONOutput.text(all))
                return
            }
            var table = TextTable(["id", "status", "amount", "wallet", "code", "holdUntil", "reason"])
            try store.forEachReward(status: status) {
                table.add([
                    String($0.id), $0.status.rawValue, $0.amount, $0.wallet, $0.code, $0.holdUntil, $0.reason ?? "",
                ])
            }
            print(table.text)
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a reward in review: it is paid once due.")
        @Argument(help: "The reward's id.") var id: Int64
        @Option(name: .long, help: "Why (kept with the decision).") var reason: String?

        func run() throws {
            try Rewards.report(RewardReview.approve(id, reason: reason, in: openStore(), now: Int64(time(nil))), id: id)
        }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a reward not yet in a payout: it is never paid."
        )
        @Argument(help: "The reward's id.") var id: Int64
        @Option(name: .long, help: "Why (required; kept with the decision).") var reason: String

        func validate() throws {
            guard !reason.isEmpty, reason.utf8.count <= 500 else { throw ValidationError("reason must be 1-500 bytes") }
        }

        func run() throws {
            try Rewards.report(RewardReview.reject(id, reason: reason, in: openStore(), now: Int64(time(nil))), id: id)
        }
    }

    /// Prints the decision, or exits 65 when the reward is unknown or its status forbids it.
    static func report(_ outcome: ReviewOutcome, id: Int64) throws {
        switch outcome {
        case .decided(let reward): print("reward \(reward.id) \(reward.status.rawValue)")
        case .notFound: throw badData("no reward \(id)")
        case .notAllowed(let status): throw badData("reward \(id) is \(status.rawValue): that decision does not apply")
        }
    }
}

extension RewardStatus: ExpressibleByArgument {}
