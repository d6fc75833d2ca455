@preconcurrency import Glibc
import Testing

@testable import Shared

/// Known answers computed by solders 0.29.0 (Solana's Rust SDK types), printed by
/// `Tests/e2e/tools/solana_vectors.py`. Keys come from seeds SHA-256("payer"), SHA-256("mint"),
/// SHA-256("owner-i"); the blockhash is SHA-256("blockhash").
struct SolanaVectorTests {
    static func seed(_ name: String) -> [UInt8] { Sodium.sha256(Array(name.utf8)) }
    static func keypair(_ name: String) throws -> Keypair { try #require(Keypair(seed: seed(name))) }
    static func key(_ text: String) throws -> PublicKey { try #require(PublicKey(base58: text)) }

    @Test func keypairsFromSeedsMatch() throws {
        #expect(try Self.keypair("payer").publicKey.base58 == "ECbPvoRPTunYYuu6iCP8gK4GzGX4nc5rPsUpAKoT6vV4")
        #expect(try Self.keypair("mint").publicKey.base58 == "Bqf1f4YEpkZM8AdqZnEjT1VPcnFGVKpzVoaQkJeP67Ky")
    }

    @Test(arguments: [
        ("Af8LkhPvuiiY4oVAUFJRoNe5hvegK2r2V2S1CRczHLbE", "ZoPBjnj4D9ADmPrR6ruhe3ApvdRGKyGkNqxvXWwMDkh"),
        ("GKNUFpf8QBu69ZCAkNoNPdbf1iv2tR21Lv1hhpjmyP4o", "CAQj6N5QELuukQdTQbB5qPhxE8yntmY3bPRFnemi2ffG"),
        ("FxRzYNxpfLPEgY52t7qJuYhWj1WZBVCRENLWJ11QbxH6", "BK1XMtbiyhYe4XJaqsrq8U94j7Br6ssLhGhrTEfzRU3H"),
    ])
    func associatedTokenAddresses(owner: String, expected: String) throws {
        let mint = try Self.key("Bqf1f4YEpkZM8AdqZnEjT1VPcnFGVKpzVoaQkJeP67Ky")
        #expect(PublicKey.associatedTokenAddress(owner: try Self.key(owner), mint: mint)?.base58 == expected)
    }

    @Test func programDerivedAddressWithItsBump() throws {
        let owner = try Self.key("Af8LkhPvuiiY4oVAUFJRoNe5hvegK2r2V2S1CRczHLbE")
        let found = try #require(
            PublicKey.findProgramAddress(seeds: [Array("vault".utf8), owner.bytes], programID: .tokenProgram)
        )
        #expect(found.0.base58 == "7LxPi3s8owW1Z9AvfvCbocRftfZRYRCLRkTMrwDczkYR")
        #expect(found.1 == 248)
    }

    /// Bit i says whether SHA-256("oncurve-i") is on the curve by Solana's rule. About half of all
    /// strings are; most of those are outside the prime-order subgroup, where a stricter check
    /// (libsodium's is_valid_point) would disagree.
    @Test func onCurveAgreesWithSolanaFor256Hashes() throws {
        let bits = try #require(Hex.decode("69f214f6a66cad055bb043ae1aaf03cfcbb7f3fbf438de35a89510fc7500c1eb"))
        var agreed = 0
        for index in 0..<256 {
            // The hex is a big-endian number: bit i lives in byte 31 - i/8.
            let expected = bits[31 - index / 8] >> (index % 8) & 1 == 1
            if Sodium.isOnCurve(Self.seed("oncurve-\(index)")) == expected { agreed += 1 }
        }
        #expect(agreed == 256)
    }

    @Test func programAddressesAreOffTheCurveAndWalletsOn() throws {
        #expect(try Self.keypair("owner-0").publicKey.isOnCurve)
        #expect(try !Self.key("ZoPBjnj4D9ADmPrR6ruhe3ApvdRGKyGkNqxvXWwMDkh").isOnCurve)
    }

    static func payoutMessage(rewards: [(String, UInt64)], limit: UInt32, price: UInt64?) throws -> Message {
        let payer = try keypair("payer").publicKey
        let mint = try keypair("mint").publicKey
        var instructions = [PayoutInstructions.setComputeUnitLimit(limit)]
        if let price { instructions.append(PayoutInstructions.setComputeUnitPrice(price)) }
        for (name, amount) in rewards {
            let owner = try keypair(name).publicKey
            let account = try #require(PublicKey.associatedTokenAddress(owner: owner, mint: mint))
            instructions.append(
                PayoutInstructions.createAssociatedTokenAccountIdempotent(
                    payer: payer,
                    associatedAccount: account,
                    owner: owner,
                    mint: mint
                )
            )
            instructions.append(
                PayoutInstructions.mintToChecked(
                    mint: mint,
                    destination: account,
                    authority: payer,
                    amount: amount,
                    decimals: 6
                )
            )
        }
        return try Message(instructions: instructions, payer: payer, recentBlockhash: seed("blockhash"))
    }

    @Test func oneRewardTransactionIsByteForByteSolanas() throws {
        let message = try Self.payoutMessage(rewards: [("owner-0", 5_000_000)], limit: 60_000, price: 1_000)
        let transaction = try #require(SignedTransaction(message: message, signer: try Self.keypair("payer")))
        #expect(
            Hex.encode(transaction.wireBytes)
                == "0176cf22208757c86706da6cbda5cf481141fa2647caa0ecf8a72025e3549f2b84efa07d84dc0f68050b99b1ad55e1be069b"
                + "2626417aec79227daf7892e37ea30f01000508c42035b7cd669852b51a4990cce096a0fc435230b7dff110d4da8f3abad63bf7"
                + "086707df6cd3e2a294875d440bb02087edc4d4d344d9d727a2a04dca72982236a10bba45e70638e3dd380c149cc2674ba21bae"
                + "f56ddbb70da2d4e083c6427c2c00000000000000000000000000000000000000000000000000000000000000000306466fe521"
                + "1732ffecadba72c39be7bc8ce5bbc5f7126b2c439b3a4000000006ddf6e1d765a193d9cbe146ceeb79ac1cb485ed5f5b37913a"
                + "8cf5857eff00a98c97258f4e2489f1bb3d1029148e0d830b5a1399daff1084048e7bd8dbe9f8598f7d8d97c9fb0e5ab8cd2ce7"
                + "339f0c03a54be9712572826010988a0a6b2d48dd395bf727f9aac5e80911591073fcf9c826f428804131ca089beba386942174"
                + "9a040400050260ea000004000903e8030000000000000606000107020305010105030201000a0e404b4c000000000006"
        )
    }

    @Test func tenRewardsFitInOnePacket() throws {
        let rewards = (0..<10).map { ("owner-\($0)", UInt64(1_000 + $0)) }
        let message = try Self.payoutMessage(rewards: rewards, limit: 400_000, price: nil)
        let transaction = try #require(SignedTransaction(message: message, signer: try Self.keypair("payer")))
        #expect(transaction.wireBytes.count == 1_202)
        #expect(
            Hex.encode(Sodium.sha256(transaction.wireBytes))
                == "a2e9ad6b0a9fc0f7feaaed6d5d81e7bbac2242352874f4bad9b0c0ac011ca609"
        )
    }

    @Test(
        arguments: [
            (0, [0x00]), (127, [0x7f]), (128, [0x80, 0x01]), (16_383, [0xff, 0x7f]), (16_384, [0x80, 0x80, 0x01]),
        ] as [(UInt16, [UInt8])]
    )
    func compactU16(value: UInt16, expected: [UInt8]) {
        #expect(CompactU16.encode(value) == expected)
    }
}

struct KeypairFileTests {
    let directory = TemporaryDirectory()

    func write(_ text: String, mode: mode_t) -> String {
        let path = directory.file("id.json")
        let file = fopen(path, "w")
        fputs(text, file)
        fclose(file)
        chmod(path, mode)
        return path
    }

    func solanaCLIText(_ seed: [UInt8]) throws -> String {
        let pair = try #require(Sodium.keyPair(seed: seed))
        return "[" + pair.secretKey.map(String.init).joined(separator: ",") + "]"
    }

    @Test func loadsAnOwnerOnlyFile() throws {
        let seed = Sodium.sha256(Array("payer".utf8))
        let loaded = try Keypair(path: write(try solanaCLIText(seed), mode: 0o600))
        #expect(loaded.publicKey.base58 == "ECbPvoRPTunYYuu6iCP8gK4GzGX4nc5rPsUpAKoT6vV4")
    }

    @Test(arguments: [0o644, 0o640, 0o604])
    func refusesAFileOthersCanRead(mode: Int) throws {
        let path = write(try solanaCLIText(Sodium.sha256([1])), mode: mode_t(mode))
        let error = #expect(throws: Keypair.LoadError.self) { try Keypair(path: path) }
        #expect(error?.description.contains("readable by others") == true)
    }

    @Test(arguments: ["", "[1,2,3]", "{\"a\":1}", "[" + String(repeating: "1,", count: 63) + "256]"])
    func refusesWhatIsNotAKeypair(text: String) {
        #expect(throws: Keypair.LoadError.self) { try Keypair(path: write(text, mode: 0o600)) }
    }

    @Test func refusesAPublicHalfThatDoesNotMatchTheSeed() throws {
        var bytes = try #require(Sodium.keyPair(seed: Sodium.sha256([2])))
        bytes.secretKey[63] ^= 1
        let text = "[" + bytes.secretKey.map(String.init).joined(separator: ", ") + "]"
        #expect(throws: Keypair.LoadError.self) { try Keypair(path: write(text, mode: 0o600)) }
    }
}
