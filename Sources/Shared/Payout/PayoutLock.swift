@preconcurrency import Glibc

/// One payout run at a time: an exclusive `flock` on a file next to the database. The kernel drops
/// the lock when the process ends, however it ends, so a killed run never leaves a stale lock.
public final class PayoutLock {
    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// The lock file for a database: `<database>.payout-lock`.
    public static func path(forDatabase database: String) -> String { database + ".payout-lock" }

    /// Takes the lock without waiting.
    ///
    /// - Parameter path: the lock file (created when missing).
    /// - Returns: nil when another process holds it.
    /// - Throws: `LockError` when the file cannot be opened or locked for another reason.
    public static func acquire(path: String) throws -> PayoutLock? {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LockError(path: path, errno: errno) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            close(descriptor)
            if error == EWOULDBLOCK { return nil }
            throw LockError(path: path, errno: error)
        }
        return PayoutLock(path: path, descriptor: descriptor)
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the lock.
        close(descriptor)
    }
}

/// The lock file could not be opened or locked.
public struct LockError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot lock \(path): \(String(cString: strerror(errno)))" }
}
