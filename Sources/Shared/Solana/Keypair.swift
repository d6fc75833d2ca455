@preconcurrency import Glibc

/// An ed25519 key pair that signs transactions, loaded from a Solana CLI keypair file.
public struct Keypair: Sendable {
    public let publicKey: PublicKey
    // The secret key never leaves this type.
    private let secretKey: [UInt8]

    /// Why a keypair file is refused.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A key pair from a 32-byte seed.
    public init?(seed: [UInt8]) {
        guard let pair = Sodium.keyPair(seed: seed), let key = PublicKey(bytes: pair.publicKey) else { return nil }
        publicKey = key
        secretKey = pair.secretKey
    }

    /// Reads a Solana CLI keypair file: a JSON array of 64 numbers (seed, then public key).
    ///
    /// The file must be a regular file readable by its owner only (no group or other bits), as
    /// `ssh` insists for its keys; the public half must match the seed.
    ///
    /// - Parameter path: the file.
    /// - Throws: `LoadError` saying what is wrong (never the key itself).
    public init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LoadError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw LoadError(description: "\(path) is not a regular file") }
        guard info.st_mode & 0o077 == 0 else {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw LoadError(
                description: "\(path) is readable by others (mode \(mode)); run chmod 600 \(path)"
            )
        }
        guard info.st_size <= 4_096, let text = try? Self.read(path) else {
            throw LoadError(description: "\(path) is not a Solana CLI keypair file")
        }
        guard let bytes = Self.parseByteArray(text), bytes.count == Sodium.secretKeyBytes,
            let pair = Keypair(seed: Array(bytes.prefix(Sodium.seedBytes))),
            pair.publicKey.bytes == Array(bytes.suffix(PublicKey.byteCount))
        else {
            throw LoadError(description: "\(path) is not a Solana CLI keypair (a JSON array of 64 numbers)")
        }
        self = pair
    }

    /// A detached signature over `message`.
    public func sign(_ message: [UInt8]) -> [UInt8]? {
        Sodium.sign(message, secretKey: secretKey)
    }

    /// `[n, n, …]` with each n in 0…255, white space anywhere between tokens.
    static func parseByteArray(_ text: String) -> [UInt8]? {
        let tokens = text.utf8.filter {
            ![UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")].contains($0)
        }
        guard tokens.first == UInt8(ascii: "["), tokens.last == UInt8(ascii: "]") else { return nil }
        var bytes: [UInt8] = []
        for number in tokens.dropFirst().dropLast().split(
            separator: UInt8(ascii: ","),
            omittingEmptySubsequences: false
        ) {
            guard (1...3).contains(number.count),
                number.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = UInt8(String(decoding: number, as: UTF8.self))
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "r") else { throw LoadError(description: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer.prefix(count)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
