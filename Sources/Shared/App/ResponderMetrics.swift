import CoreMetrics
@preconcurrency import Glibc
import Prometheus
import Synchronization

/// The responder's metrics (SPEC §7): swift-metrics handles over one swift-prometheus registry.
///
/// Each handle is made once, the first time its labels occur, and cached: a request then costs a
/// lock, a dictionary lookup and an atomic add per metric. The registry traps on a name registered
/// twice with another type or help text, so every name is made here and nowhere else.
public final class ResponderMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory
    private let requests = Mutex<[String: CoreMetrics.Counter]>([:])
    private let durations = Mutex<[String: CoreMetrics.Timer]>([:])
    private let clicks = Mutex<[String: CoreMetrics.Counter]>([:])
    private let conversions = Mutex<[String: CoreMetrics.Counter]>([:])
    private let rewards = Mutex<[String: CoreMetrics.Counter]>([:])
    /// Totals kept by the database layer, added to their counters at each exposition: SQLite busy
    /// retries, group commits and the writes they held (their ratio is the mean batch).
    private let busyRetries: ExportedTotal
    private let groupCommits: ExportedTotal
    private let groupCommitWrites: ExportedTotal

    /// Seconds of the request-duration buckets: the responder answers in tenths of a millisecond.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2_500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .seconds(1),
    ]

    /// Creates the registry and the metrics that have no labels.
    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        busyRetries = ExportedTotal(CoreMetrics.Counter(label: "referral_sqlite_busy_retries_total", factory: factory))
        groupCommits = ExportedTotal(
            CoreMetrics.Counter(label: "referral_sqlite_group_commits_total", factory: factory)
        )
        groupCommitWrites = ExportedTotal(
            CoreMetrics.Counter(label: "referral_sqlite_group_commit_writes_total", factory: factory)
        )
    }

    /// Counts one answered request by route pattern and status, and its duration by route.
    ///
    /// - Parameters:
    ///   - route: the matched pattern (`/r/{code}`, `/api/referral/stats/{}`), never the raw path.
    ///   - status: the HTTP status sent.
    ///   - nanoseconds: how long the handler took.
    public func request(route: String, status: Int, nanoseconds: Int64) {
        counter(requests, key: route + " " + String(status)) {
            ("referral_http_requests_total", [("route", route), ("status", String(status))])
        }.increment()
        let timer = durations.withLock { cache in
            if let timer = cache[route] { return timer }
            let made = CoreMetrics.Timer(
                label: "referral_http_request_duration_seconds",
                dimensions: [("route", route)],
                factory: factory
            )
            cache[route] = made
            return made
        }
        timer.recordNanoseconds(nanoseconds)
    }

    /// Counts a stored click: `counted`, or the reason it is not (`bot`, `rate-limited`, …).
    public func click(result: String) {
        counter(clicks, key: result) { ("referral_clicks_total", [("result", result)]) }.increment()
    }

    /// Counts a conversion report by outcome: `recorded`, `repeated`, `not-attributed` or the refusal.
    public func conversion(result: String) {
        counter(conversions, key: result) { ("referral_conversions_total", [("result", result)]) }.increment()
    }

    /// Counts a reward as it was decided when recorded (`pending` or `review`).
    public func reward(status: RewardStatus) {
        counter(rewards, key: status.rawValue) { ("referral_rewards_total", [("status", status.rawValue)]) }.increment()
    }

    /// The Prometheus text exposition of every metric.
    ///
    /// - Parameter gate: the process's write gate, for its group-commit totals.
    public func exposition(gate: WriteGate) -> [UInt8] {
        busyRetries.update(to: SQLiteConnection.busyRetries.load(ordering: .relaxed))
        groupCommits.update(to: gate.group.commits.load(ordering: .relaxed))
        groupCommitWrites.update(to: gate.group.writes.load(ordering: .relaxed))
        return registry.emitToBuffer()
    }

    private func counter(
        _ cache: borrowing Mutex<[String: CoreMetrics.Counter]>,
        key: String,
        make: () -> (String, [(String, String)])
    ) -> CoreMetrics.Counter {
        cache.withLock { cache in
            if let counter = cache[key] { return counter }
            let (label, dimensions) = make()
            let made = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = made
            return made
        }
    }
}

/// A counter that follows a total kept elsewhere: each update adds what the total gained since.
final class ExportedTotal: Sendable {
    let counter: CoreMetrics.Counter
    private let exported = Mutex<Int>(0)

    init(_ counter: CoreMetrics.Counter) { self.counter = counter }

    func update(to total: Int) {
        exported.withLock { exported in
            if total > exported { counter.increment(by: total - exported) }
            exported = max(exported, total)
        }
    }
}
