import FoundationEssentials
import Testing

@testable import Shared

/// The checks of SPEC §9 on transactions in the shapes Agave's `getTransaction` gives (json
/// encoding), decoded by the same types the payout job decodes the node's answers with.
struct PaymentCheckTests {
    static func key() -> String { PublicKey(bytes: Sodium.randomBytes(32))!.base58 }

    let buyer = key()
    let recipient = key()
    let reference = key()
    let mint = key()
    let otherMint = key()
    let expiresAt: Int64 = 1_800_000_000

    var solCheck: PaymentCheck {
        PaymentCheck(recipient: recipient, amount: 1_000_000, mint: nil, expiresAt: expiresAt)
    }
    var tokenCheck: PaymentCheck {
        PaymentCheck(recipient: recipient, amount: 2_500_000, mint: mint, expiresAt: expiresAt)
    }
    var recipientTokenAccount: String {
        PublicKey.associatedTokenAddress(owner: PublicKey(base58: recipient)!, mint: PublicKey(base58: mint)!)!.base58
    }

    @Test func solTransferOfAtLeastTheAmountIsAcceptedWithTheFeePayerAsBuyer() throws {
        let paid = try TransactionFixture.make(
            keys: [buyer, recipient, reference, PublicKey.systemProgram.base58],
            lamports: [(9_000_000, 7_995_000), (0, 1_000_000), (0, 0), (1, 1)]
        )
        #expect(solCheck.verdict(on: paid) == .accepted(buyer: buyer, received: 1_000_000))
        let generous = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 5_000), (10, 8_995_010)]
        )
        #expect(solCheck.verdict(on: generous) == .accepted(buyer: buyer, received: 8_995_000))
    }

    @Test func solUnderpaymentOtherRecipientAndFailureAreRejected() throws {
        let short = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 8_000_001), (0, 999_999)]
        )
        #expect(solCheck.verdict(on: short) == .rejected(.underpaid))
        let elsewhere = try TransactionFixture.make(
            keys: [buyer, Self.key(), reference],
            lamports: [(9, 8), (0, 1_000_000), (0, 0)]
        )
        #expect(solCheck.verdict(on: elsewhere) == .rejected(.wrongRecipient))
        let mentionedOnly = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 8_995_000), (5, 5)]
        )
        #expect(solCheck.verdict(on: mentionedOnly) == .rejected(.wrongRecipient))
        let failed = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 8_995_000), (0, 0)],
            err: #"{"InstructionError":[0,{"Custom":1}]}"#
        )
        #expect(solCheck.verdict(on: failed) == .rejected(.transactionFailed))
    }

    @Test func aPaymentAfterTheExpiryIsLate() throws {
        let paid = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 7_995_000), (0, 1_000_000)],
            blockTime: expiresAt + 1
        )
        #expect(solCheck.verdict(on: paid) == .late)
        let onTheSecond = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 7_995_000), (0, 1_000_000)],
            blockTime: expiresAt
        )
        #expect(solCheck.verdict(on: onTheSecond) == .accepted(buyer: buyer, received: 1_000_000))
    }

    @Test func tokenTransferIntoTheRecipientsAssociatedAccountCountsRawUnits() throws {
        let source = Self.key()
        let paid = try TransactionFixture.make(
            keys: [buyer, source, recipientTokenAccount, mint, reference],
            lamports: [(9, 8), (2, 2), (2, 2), (1, 1), (0, 0)],
            tokens: [(1, mint, buyer, 10_000_000, 7_500_000), (2, mint, recipient, 1, 2_500_001)]
        )
        #expect(tokenCheck.verdict(on: paid) == .accepted(buyer: buyer, received: 2_500_000))
        // The account created by the same transaction has no balance before.
        let created = try TransactionFixture.make(
            keys: [buyer, source, recipientTokenAccount, mint],
            lamports: [(9, 8), (2, 2), (0, 2), (1, 1)],
            tokens: [(1, mint, buyer, 10_000_000, 7_000_000), (2, mint, recipient, nil, 3_000_000)]
        )
        #expect(tokenCheck.verdict(on: created) == .accepted(buyer: buyer, received: 3_000_000))
    }

    @Test func tokenAccountFromALookupTableIsFound() throws {
        let source = Self.key()
        let paid = try TransactionFixture.make(
            keys: [buyer, source],
            lamports: [(9, 8), (2, 2), (2, 2), (0, 0)],
            tokens: [(1, mint, buyer, 10_000_000, 7_500_000), (2, mint, recipient, 0, 2_500_000)],
            loaded: ([recipientTokenAccount], [reference])
        )
        #expect(tokenCheck.verdict(on: paid) == .accepted(buyer: buyer, received: 2_500_000))
    }

    @Test func tokenUnderpaymentWrongMintAndLamportsInsteadAreRejected() throws {
        let source = Self.key()
        let short = try TransactionFixture.make(
            keys: [buyer, source, recipientTokenAccount],
            lamports: [(9, 8), (2, 2), (2, 2)],
            tokens: [(1, mint, buyer, 10_000_000, 7_500_001), (2, mint, recipient, 0, 2_499_999)]
        )
        #expect(tokenCheck.verdict(on: short) == .rejected(.underpaid))
        let otherAccount = PublicKey.associatedTokenAddress(
            owner: PublicKey(base58: recipient)!,
            mint: PublicKey(base58: otherMint)!
        )!.base58
        let wrongMint = try TransactionFixture.make(
            keys: [buyer, source, otherAccount],
            lamports: [(9, 8), (2, 2), (2, 2)],
            tokens: [(1, otherMint, buyer, 10_000_000, 7_000_000), (2, otherMint, recipient, 0, 3_000_000)]
        )
        #expect(tokenCheck.verdict(on: wrongMint) == .rejected(.wrongMint))
        let lamportsInstead = try TransactionFixture.make(
            keys: [buyer, recipient],
            lamports: [(9_000_000, 5_000), (0, 8_995_000)]
        )
        #expect(tokenCheck.verdict(on: lamportsInstead) == .rejected(.wrongRecipient))
    }

    @Test func hostileAmountsNeverTrap() throws {
        let huge = try TransactionFixture.make(
            keys: [buyer, Self.key(), recipientTokenAccount],
            lamports: [(9, 8), (2, 2), (2, 2)],
            tokens: [(2, mint, recipient, UInt64.max, 0)]
        )
        #expect(tokenCheck.verdict(on: huge) == .rejected(.wrongRecipient))
        let badJSON = #"{"accountIndex":2,"mint":"m","uiTokenAmount":{"amount":"123456789012345678901234567890"}}"#
        let balance = try JSONDecoder().decode(TokenBalance.self, from: Data(badJSON.utf8))
        #expect(balance.units == nil)
    }
}
