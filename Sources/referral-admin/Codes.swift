import ArgumentParser
@preconcurrency import Glibc
import Shared

struct Codes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list, deactivate and reactivate referral codes.",
        subcommands: [Create.self, List.self, Deactivate.self, Activate.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a code owned by a wallet.")

        @Option(name: .long, help: "The owner's Solana wallet address.") var wallet: String
        @Option(name: .long, help: "The code, 3-32 of A-Z a-z 0-9 _ -.") var code: String
        @Option(name: .long, help: "The vault that receives purchases made through this code.") var vault: String?
        @Option(name: .long, help: "token (whole tokens), percent (basis points) or fixed (smallest units).")
        var rewardType: RewardType = .token
        @Option(name: .long, help: "The reward value in the type's unit (default 5).") var rewardValue: UInt64 = 5
        @Flag(name: .long, help: "Succeed quietly when the code already exists for this wallet.") var ifMissing = false

        func validate() throws {
            guard ReferralSyntax.isValidCode(code) else {
                throw ValidationError("code must be 3-32 of A-Z a-z 0-9 _ -")
            }
            guard SolanaAddress.isValid(wallet) else { throw ValidationError("wallet must be a base58 Solana address") }
            if let vault, !SolanaAddress.isValid(vault) {
                throw ValidationError("vault must be a base58 Solana address")
            }
            let decimals = try RewardPolicy(settings: SettingsReader(Environment.current())).mintDecimals
            let range = RewardCalculator.valueRange(rewardType, decimals: decimals)
            guard range.contains(rewardValue) else {
                throw ValidationError(
                    "reward-value must be in \(range.lowerBound)...\(range.upperBound) for \(rewardType)"
                )
            }
        }

        func run() throws {
            let store = try openStore()
            let new = ReferralCodeRecord(
                code: code,
                wallet: wallet,
                rewardType: rewardType,
                rewardValue: rewardValue,
                vaultAddress: vault,
                createdAt: Int64(time(nil))
            )
            if let created = try store.insertCode(new) {
                print("created \(created.code) for \(created.wallet)")
                return
            }
            if ifMissing, let existing = try store.findCode(code), existing.wallet == wallet {
                print("exists \(existing.code) for \(existing.wallet)")
                return
            }
            throw badData("code \(code) is taken")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every code.")
        @Flag(name: .long, help: "Print JSON for scripts.") var json = false

        func run() throws {
            try printListing(
                try openStore().allCodes().map(CodeListing.init),
                json: json,
                columns: ["code", "wallet", "rewardType", "rewardValue", "vault", "active"]
            ) { code in
                [
                    code.code, code.wallet, code.rewardType, code.rewardValue, code.vaultAddress ?? "-",
                    code.active ? "yes" : "no",
                ]
            }
        }
    }

    /// A code in `codes list --json`, with the API's field names.
    struct CodeListing: Encodable {
        var code: String
        var wallet: String
        var rewardType: String
        var rewardValue: String
        var vaultAddress: String?
        var active: Bool

        init(_ record: ReferralCodeRecord) {
            code = record.code
            wallet = record.wallet
            rewardType = record.rewardType.rawValue
            rewardValue = String(record.rewardValue)
            vaultAddress = record.vaultAddress
            active = record.active
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a code: its links redirect without a cookie.")
        @Argument(help: "The code.") var code: String

        func run() throws {
            guard try openStore().setActive(code, false) else { throw badData("no such code: \(code)") }
            print("deactivated \(code)")
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reactivate a deactivated code.")
        @Argument(help: "The code.") var code: String

        func run() throws {
            guard try openStore().setActive(code, true) else { throw badData("no such code: \(code)") }
            print("activated \(code)")
        }
    }
}
extension RewardType: ExpressibleByArgument {}
