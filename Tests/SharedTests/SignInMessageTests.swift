import Testing

@testable import Shared

struct SignInMessageTests {
    let message = SignInMessage(
        domain: "site.example:8443",
        address: "H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG",
        statement: SignInMessage.defaultStatement,
        uri: "https://site.example:8443",
        nonce: "0123456789abcdef0123456789abcdef",
        issuedAt: 1_795_262_400,
        expiresAt: 1_795_262_700
    )

    @Test func rendersTheSignInWithSolanaShape() {
        #expect(
            message.text == """
                site.example:8443 wants you to sign in with your Solana account:
                H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG

                Sign in to the referral program.

                URI: https://site.example:8443
                Version: 1
                Nonce: 0123456789abcdef0123456789abcdef
                Issued At: 2026-11-21T12:00:00Z
                Expiration Time: 2026-11-21T12:05:00Z
                """
        )
    }

    @Test func parsesWhatItRenders() {
        #expect(SignInMessage.parse(message.text) == message)
    }

    @Test(arguments: [
        ("\n", "\r\n"), ("Version: 1", "Version: 2"), ("Nonce: 0123", "Nonce: 0123X"),
        ("2026-11-21T12:05:00Z", "2026-11-21 12:05"),
        ("H6EQhxQkUkBG1LutaRF3k9uxeVN3VLcaVNKFTJbEkCeG", "not-a-wallet"), ("URI: ", "Uri: "),
        (" wants you", " would like you"), ("2026-11-21T12:00:00Z", "2026-02-31T12:00:00Z"),
    ])
    func refusesAnyDeviation(_ change: (String, String)) {
        let text = message.text.replacing(change.0, with: change.1)
        #expect(text != message.text)
        #expect(SignInMessage.parse(text) == nil)
    }

    @Test func refusesExtraOrMissingLines() {
        #expect(SignInMessage.parse(message.text + "\n") == nil)
        #expect(SignInMessage.parse(message.text + "\nResources:") == nil)
        #expect(
            SignInMessage.parse(String(message.text.split(separator: "\n").dropLast().joined(separator: "\n"))) == nil
        )
    }
}

struct TimestampTests {
    @Test func formatsAndParsesUTC() {
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.iso8601(1_795_262_400) == "2026-11-21T12:00:00Z")
        #expect(Timestamp.parse("2026-11-21T12:00:00Z") == 1_795_262_400)
        #expect(Timestamp.day(1_795_262_400) == "2026-11-21")
    }

    @Test(arguments: [
        "2026-11-21T12:00:00", "2026-11-21T12:00:00+00:00", "2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z", "",
    ])
    func refusesOtherForms(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
