import Testing

@testable import Shared

func hex(_ text: String) -> [UInt8] { Hex.decode(text)! }

struct Ed25519Tests {
    init() throws { try Sodium.initialize() }

    // RFC 8032 §7.1 TEST 1, TEST 2, TEST 3 (public key, message, signature).
    static let vectors: [(String, String, String)] = [
        (
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        (
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]

    @Test(arguments: vectors.indices)
    func acceptsRFC8032Vectors(_ index: Int) {
        let (key, message, signature) = Self.vectors[index]
        #expect(Sodium.verify(signature: hex(signature), message: hex(message), publicKey: hex(key)))
    }

    @Test func rejectsFlippedSignatureBit() {
        let (key, message, signature) = Self.vectors[1]
        for bit in [0, 7, 255, 256, 511] {
            var flipped = hex(signature)
            flipped[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!Sodium.verify(signature: flipped, message: hex(message), publicKey: hex(key)), "bit \(bit)")
        }
    }

    /// RFC 8032 TEST 1 with S replaced by S + L (L, the order of the base point): [S + L]B = [S]B,
    /// so the bare verification equation still holds, but RFC 8032 §5.1.7 requires S < L.
    /// S + L computed with Python integers from the vector.
    @Test func rejectsNonCanonicalS() {
        let (key, message, _) = Self.vectors[0]
        let malleated =
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901554c8c7872aa064e049dbb3013fbf29380d25bf5f0595bbe24655141438e7a101b"
        #expect(!Sodium.verify(signature: hex(malleated), message: hex(message), publicKey: hex(key)))
    }

    @Test func rejectsFlippedMessageBit() {
        let (key, _, signature) = Self.vectors[1]
        #expect(!Sodium.verify(signature: hex(signature), message: [0x73], publicKey: hex(key)))
    }

    @Test func rejectsAnotherKeysSignature() {
        let (_, message, signature) = Self.vectors[1]
        #expect(!Sodium.verify(signature: hex(signature), message: hex(message), publicKey: hex(Self.vectors[2].0)))
    }

    @Test func rejectsSignaturesOf63And65Bytes() {
        let (key, message, signature) = Self.vectors[1]
        let bytes = hex(signature)
        #expect(!Sodium.verify(signature: Array(bytes.dropLast()), message: hex(message), publicKey: hex(key)))
        #expect(!Sodium.verify(signature: bytes + [0], message: hex(message), publicKey: hex(key)))
        #expect(!Sodium.verify(signature: bytes, message: hex(message), publicKey: Array(hex(key).dropLast())))
    }

    /// With the identity as public key, R = identity and S = 0 satisfy the bare equation
    /// [S]B = R + [k]A for every message: a verifier that does not refuse small-order points
    /// accepts this forgery. The all-zero key (a point of order 4) must be refused as well.
    @Test func rejectsSmallOrderKeysAndTheTrivialForgery() {
        let identity = [1] + [UInt8](repeating: 0, count: 31)
        let forgery = identity + [UInt8](repeating: 0, count: 32)
        let zeroKey = [UInt8](repeating: 0, count: 32)
        for message in [[UInt8](), Array("Sign in".utf8)] {
            #expect(!Sodium.verify(signature: forgery, message: message, publicKey: identity))
            #expect(!Sodium.verify(signature: forgery, message: message, publicKey: zeroKey))
            #expect(!Sodium.verify(signature: [UInt8](repeating: 0, count: 64), message: message, publicKey: zeroKey))
        }
    }
}

struct HashTests {
    init() throws { try Sodium.initialize() }

    // FIPS 180-2 appendix B.1.
    @Test func sha256OfABC() {
        #expect(
            Hex.encode(Sodium.sha256(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
    }

    // RFC 4231 test case 2.
    @Test func hmacSHA256KnownAnswer() {
        let mac = Sodium.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Hex.encode(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEqualityComparesContentAndLength() {
        #expect(Sodium.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Sodium.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Sodium.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test func randomBytesDiffer() {
        #expect(Sodium.randomBytes(32) != Sodium.randomBytes(32))
        #expect(Sodium.randomBytes(16).count == 16)
    }
}
