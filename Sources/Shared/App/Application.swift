@preconcurrency import Glibc
import Logging

/// The responder's request handling, shared by all worker threads: configuration, the write gate
/// and the routes. Per-thread state (the SQLite connection) lives in the `ReferralStore` each
/// handler is given.
public final class Application: Sendable {
    public let config: ResponderConfig
    public let logger: Logger
    public let gate = WriteGate()
    /// Unix seconds now; replaced in tests.
    let now: @Sendable () -> Int64

    /// Creates the application.
    ///
    /// - Parameters:
    ///   - config: the settings.
    ///   - logger: where request failures are logged.
    ///   - now: the clock, in unix seconds.
    public init(config: ResponderConfig, logger: Logger, now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) {
        self.config = config
        self.logger = logger
        self.now = now
    }

    /// Builds one worker thread's handler, with its own database connection.
    ///
    /// - Throws: `SQLiteError` when the database cannot be opened.
    public func makeHandler() throws -> RequestHandler {
        let store = try ReferralStore(path: config.databasePath, gate: gate)
        return { request in self.respond(to: request, store: store) }
    }

    /// Answers one request; never throws: a client mistake becomes its 4xx, anything else a 500.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - store: the calling thread's store.
    public func respond(to request: Request, store: ReferralStore) -> Response {
        do {
            return try route(request, store: store)
        } catch let error as HTTPError {
            return error.response
        } catch let error as SQLiteError where error.isStorageUnavailable {
            // Nothing was stored (the transaction rolled back): say so, and that it is worth retrying.
            logger.error("\(request.method) \(request.path): storage unavailable: \(error)")
            return HTTPError.storageUnavailable.response
        } catch {
            logger.error("\(request.method) \(request.path) failed: \(error)")
            return HTTPError(status: 500, code: "internal-error", message: "The request could not be completed.")
                .response
        }
    }

    func route(_ request: Request, store: ReferralStore) throws -> Response {
        if request.path == "/healthz" {
            try requireMethod(request, ["GET", "HEAD"])
            return try health(store: store)
        }
        if request.path.hasPrefix("/api/") {
            return try routeAPI(request, store: store)
        }
        if let link = ReferralLink.parse(path: request.path, query: request.query) {
            try requireMethod(request, ["GET", "HEAD"])
            return try follow(link, request: request, store: store)
        }
        throw HTTPError.notFound
    }

    func requireMethod(_ request: Request, _ allowed: [String]) throws {
        guard allowed.contains(request.method) else { throw HTTPError.methodNotAllowed(allowed) }
    }
}
