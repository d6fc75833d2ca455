@preconcurrency import Glibc

/// The key that seals endpoint secrets in the database, kept in a file beside it (mode 0600,
/// `WEBHOOK_KEY_PATH`, default `<database folder>/webhook.key`): a copy of the database alone (a
/// backup, a leaked export) does not let anyone sign events as this service. Keep the key file out
/// of database backups, and back it up separately.
public struct WebhookKey: Sendable {
    let bytes: [UInt8]

    /// Why the key cannot be had.
    public struct KeyError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Seals an endpoint secret for the database.
    public func seal(_ secret: [UInt8]) -> [UInt8]? { Sodium.seal(secret, key: bytes) }

    /// Opens a sealed endpoint secret; nil when it was sealed with another key or changed.
    public func open(_ sealed: [UInt8]) -> [UInt8]? { Sodium.open(sealed, key: bytes) }

    /// The key file's path from the settings.
    public static func path(settings: SettingsReader) -> String {
        if let path = settings.text("WEBHOOK_KEY_PATH") { return path }
        let database = settings.databasePath
        guard let slash = database.lastIndex(of: "/") else { return "webhook.key" }
        return String(database[..<slash]) + "/webhook.key"
    }

    /// Reads the key, creating it (32 random bytes, mode 0600) when `create` and it is missing.
    ///
    /// - Throws: `KeyError` when the file is missing (and not to be created), unreadable, not 32
    ///   bytes, or readable by others.
    public init(path: String, create: Bool) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            guard create, errno == ENOENT else {
                throw KeyError(description: "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw KeyError(description: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            let key = Sodium.randomBytes(Sodium.secretBoxKeyBytes)
            let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
            guard written == key.count else { throw KeyError(description: "cannot write \(path)") }
            bytes = key
            return
        }
        guard info.st_mode & 0o077 == 0 else {
            throw KeyError(description: "\(path) is readable by others; run chmod 600 \(path)")
        }
        guard let file = fopen(path, "r") else { throw KeyError(description: "cannot open \(path)") }
        defer { fclose(file) }
        var key = [UInt8](repeating: 0, count: Sodium.secretBoxKeyBytes + 1)
        let count = fread(&key, 1, key.count, file)
        guard count == Sodium.secretBoxKeyBytes else {
            throw KeyError(description: "\(path) is not a \(Sodium.secretBoxKeyBytes)-byte key")
        }
        bytes = Array(key.prefix(count))
    }
}
