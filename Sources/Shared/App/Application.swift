@preconcurrency import Glibc
import Logging

/// The responder's request handling, shared by all worker threads: configuration, the write gate
/// and the routes. Per-thread state (the SQLite connection) lives in the `ReferralStore` each
/// handler is given.
public final class Application: Sendable {
    public let config: ResponderConfig
    public let logger: Logger
    /// The write gate of every worker; the WAL is checkpointed in the background.
    public let gate: WriteGate
    /// The metrics, unless `REFERRAL_METRICS=off`.
    public let metrics: ResponderMetrics?
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
        gate = WriteGate(checkpointer: WALCheckpointer(path: config.databasePath))
        metrics = config.metricsEnabled ? ResponderMetrics() : nil
    }

    /// Builds one worker thread's handler, with its own database connection.
    ///
    /// - Throws: `SQLiteError` when the database cannot be opened.
    public func makeHandler() throws -> RequestHandler {
        let store = try ReferralStore(path: config.databasePath, gate: gate)
        return { requests, answer in self.respond(to: requests, store: store, answer: answer) }
    }

    /// Answers requests taken together, the kinds that can share a commit first: the referral
    /// links among them (their clicks stored in one commit), then the signed conversion reports
    /// (recorded in one durable commit), then every other request alone, in order.
    ///
    /// - Parameters:
    ///   - requests: the requests.
    ///   - store: the calling thread's store.
    ///   - answer: called once per request with its index and response.
    public func respond(to requests: [Request], store: ReferralStore, answer: (Int, Response) -> Void) {
        let started = metrics == nil ? 0 : Self.monotonicNanoseconds()
        var handled = [Bool](repeating: false, count: requests.count)
        func reply(_ index: Int, _ response: Response, route: String) {
            handled[index] = true
            metrics?.request(route: route, status: response.status, nanoseconds: Self.monotonicNanoseconds() - started)
            answer(index, response)
        }
        let links = requests.indices.compactMap { index in followedLink(requests[index]).map { (index, $0) } }
        if !links.isEmpty {
            let outcomes = follow(links.map { ($0.1, requests[$0.0]) }, store: store)
            for ((index, link), outcome) in zip(links, outcomes) {
                switch outcome {
                case .success(let redirect): reply(index, redirect, route: link.routeLabel)
                case .failure(let error):
                    reply(index, errorResponse(error, request: requests[index]), route: link.routeLabel)
                }
            }
        }
        let reports = requests.indices.filter { isConversionReport(requests[$0]) }
        if !reports.isEmpty {
            let responses = recordConversions(reports.map { requests[$0] }, store: store)
            for (index, response) in zip(reports, responses) {
                reply(index, response, route: Self.conversionRoute)
            }
        }
        for index in requests.indices where !handled[index] {
            answer(index, respond(to: requests[index], store: store))
        }
    }

    /// The route pattern of signed conversion reports.
    static let conversionRoute = "/api/referral/conversion"

    /// A signed conversion report (`POST /api/referral/conversion`), which `route` would hand to
    /// `recordConversion`.
    func isConversionReport(_ request: Request) -> Bool {
        request.method == "POST" && request.path == Self.conversionRoute
    }

    /// The link a request follows when it is one that `route` would follow (GET or HEAD).
    func followedLink(_ request: Request) -> ReferralLink? {
        guard request.method == "GET" || request.method == "HEAD" else { return nil }
        return link(namedBy: request)
    }

    /// The referral link a request's path names, on a path no other route takes: the one place
    /// that says which paths are links, for `route` and for the batches alike.
    func link(namedBy request: Request) -> ReferralLink? {
        guard request.path != "/healthz", request.path != "/metrics", !request.path.hasPrefix("/api/") else {
            return nil
        }
        return ReferralLink.parse(path: request.path, query: request.query)
    }

    /// Answers one request; never throws: a client mistake becomes its 4xx, anything else a 500.
    /// The one place requests are counted and timed, by route pattern.
    ///
    /// - Parameters:
    ///   - request: the request.
    ///   - store: the calling thread's store.
    public func respond(to request: Request, store: ReferralStore) -> Response {
        guard let metrics else {
            var route = ""
            return answer(request, store: store, route: &route)
        }
        let started = Self.monotonicNanoseconds()
        var route = "other"
        let response = answer(request, store: store, route: &route)
        metrics.request(route: route, status: response.status, nanoseconds: Self.monotonicNanoseconds() - started)
        return response
    }

    func answer(_ request: Request, store: ReferralStore, route: inout String) -> Response {
        do {
            return try self.route(request, store: store, label: &route)
        } catch {
            return errorResponse(error, request: request)
        }
    }

    /// The response for a request that failed: a client mistake's 4xx, 503 when the database
    /// cannot take writes now, or a 500 (the detail is logged, not shown).
    func errorResponse(_ error: any Error, request: Request) -> Response {
        switch error {
        case let error as HTTPError:
            return error.response
        case let error as SQLiteError where error.isStorageUnavailable:
            // Nothing was stored (the transaction rolled back): say so, and that it is worth retrying.
            logger.error("\(request.method) \(request.path): storage unavailable: \(error)")
            return HTTPError.storageUnavailable.response
        default:
            logger.error("\(request.method) \(request.path) failed: \(error)")
            return HTTPError.internalFailure.response
        }
    }

    /// Routes a request; `label` becomes the route's pattern as soon as it is known.
    func route(_ request: Request, store: ReferralStore, label: inout String) throws -> Response {
        if request.path == "/healthz" {
            label = "/healthz"
            try requireMethod(request, ["GET", "HEAD"])
            return try health(store: store)
        }
        if request.path == "/metrics" {
            label = "/metrics"
            try requireMethod(request, ["GET", "HEAD"])
            return try metricsExposition()
        }
        if request.path.hasPrefix("/api/") {
            return try routeAPI(request, store: store, label: &label)
        }
        if let link = link(namedBy: request) {
            label = link.routeLabel
            try requireMethod(request, ["GET", "HEAD"])
            return try follow(link, request: request, store: store)
        }
        throw HTTPError.notFound
    }

    /// `GET /metrics`: Prometheus text (nginx serves it only to loopback and the scrapers it allows).
    func metricsExposition() throws -> Response {
        guard let metrics else { throw HTTPError.notFound }
        return Response(
            status: 200,
            headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"), ("Cache-Control", "no-store")],
            body: metrics.exposition(gate: gate)
        )
    }

    static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    func requireMethod(_ request: Request, _ allowed: [String]) throws {
        guard allowed.contains(request.method) else { throw HTTPError.methodNotAllowed(allowed) }
    }
}
