@preconcurrency import Glibc

/// The socket the responder accepts FastCGI connections on.
public struct FastCGIListener: Sendable {
    /// The listening file descriptor.
    public let fd: Int32
    /// The unix socket path this process created (and removes at exit), if any.
    public let ownedPath: String?
    /// Where it came from, for the start-up log line.
    public let origin: String
    /// `FCGI_WEB_SERVER_ADDRS` (IPv4 addresses in network order): the only TCP peers served, as
    /// libfcgi would enforce it; nil serves any.
    public var allowedPeers: [UInt32]? = nil

    /// The descriptor systemd passes first under socket activation (`SD_LISTEN_FDS_START`).
    static let systemdFirstFD: Int32 = 3

    /// Finds or opens the listening socket: an inherited one wins (systemd's `LISTEN_FDS`, or
    /// spawn-fcgi's listening socket on fd 0); otherwise `address` is bound.
    ///
    /// - Parameters:
    ///   - address: a unix socket path (contains `/`) or `host:port` with an IPv4 host.
    ///   - unixMode: permission bits for a unix socket this process creates.
    ///   - environment: the process environment, for `LISTEN_PID` / `LISTEN_FDS`.
    /// - Throws: `ListenerError` with a sentence for the sysadmin.
    public static func open(address: String, unixMode: mode_t, environment: [String: String]) throws -> FastCGIListener
    {
        var listener = try openSocket(address: address, unixMode: unixMode, environment: environment)
        if let list = environment["FCGI_WEB_SERVER_ADDRS"], !list.isEmpty {
            listener.allowedPeers = try list.split(separator: ",").map { text in
                var address = in_addr()
                let trimmed = String(text.trimmingSpaces)
                guard inet_pton(AF_INET, trimmed, &address) == 1 else {
                    throw ListenerError("FCGI_WEB_SERVER_ADDRS must list IPv4 addresses, got \(trimmed)")
                }
                return address.s_addr
            }
        }
        return listener
    }

    static func openSocket(address: String, unixMode: mode_t, environment: [String: String]) throws -> FastCGIListener {
        if let pid = environment["LISTEN_PID"].flatMap({ Int32($0) }), pid == getpid(),
            let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), count >= 1
        {
            return FastCGIListener(fd: systemdFirstFD, ownedPath: nil, origin: "systemd socket (fd 3)")
        }
        if isListeningSocket(0) {
            return FastCGIListener(fd: 0, ownedPath: nil, origin: "inherited socket on fd 0")
        }
        if address.contains("/") {
            return try openUnix(path: address, mode: unixMode)
        }
        return try openTCP(address: address)
    }

    /// Stops accepting: closes the socket and removes the unix path this process created.
    public func close() {
        _ = Glibc.close(fd)
        if let ownedPath { unlink(ownedPath) }
    }

    static func isListeningSocket(_ fd: Int32) -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting == 1
    }

    // MARK: - Unix socket

    static func openUnix(path: String, mode: mode_t) throws -> FastCGIListener {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw ListenerError("FCGI_SOCKET path is longer than \(capacity - 1) bytes: \(path)")
        }
        try removeStaleSocket(at: path)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError("socket(): \(errnoText())") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let reason = errnoText()
            _ = Glibc.close(fd)
            throw ListenerError("cannot bind \(path): \(reason)")
        }
        // nginx's workers connect as their own user: the mode decides who may talk to the responder.
        chmod(path, mode)
        guard listen(fd, 1024) == 0 else {
            let reason = errnoText()
            _ = Glibc.close(fd)
            unlink(path)
            throw ListenerError("cannot listen on \(path): \(reason)")
        }
        return FastCGIListener(fd: fd, ownedPath: path, origin: "unix socket \(path)")
    }

    /// Removes a socket left by a responder that died, but refuses to take over a live one or to
    /// delete anything that is not a socket (FCGX_OpenSocket would unlink whatever is there).
    static func removeStaleSocket(at path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenerError("FCGI_SOCKET \(path) exists and is not a socket; refusing to replace it")
        }
        if canConnect(unixPath: path) {
            throw ListenerError("another process is already listening on \(path)")
        }
        unlink(path)
    }

    static func canConnect(unixPath path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { _ = Glibc.close(fd) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        } == 0
    }

    // MARK: - TCP

    static func openTCP(address text: String) throws -> FastCGIListener {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ListenerError("FCGI_SOCKET must be a unix path or host:port, got \(text)")
        }
        let host = String(text[..<colon])
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host.isEmpty ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            throw ListenerError("FCGI_SOCKET host must be an IPv4 address, got \(host)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError("socket(): \(errnoText())") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let reason = errnoText()
            _ = Glibc.close(fd)
            throw ListenerError("cannot listen on \(text): \(reason)")
        }
        return FastCGIListener(fd: fd, ownedPath: nil, origin: "tcp \(text)")
    }
}

/// A listening socket that could not be opened; the message is meant for the sysadmin.
public struct ListenerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The current `errno` as text.
func errnoText() -> String {
    String(cString: strerror(errno))
}
