@preconcurrency import Glibc
import Logging
import Synchronization

/// Sends due deliveries (SPEC §8): Standard Webhooks headers, re-signed on every attempt; any
/// answer but 2xx, a timeout or a connection error is retried on the schedule (± 10 % jitter, a
/// longer Retry-After wins); 410 disables the endpoint; redirects are not followed; the address a
/// name resolves to must not be private unless allowed. Each endpoint's deliveries go out on their
/// own thread, so a slow endpoint never holds up the others.
public struct WebhookSender: Sendable {
    let config: WebhookConfig
    let key: WebhookKey
    let logger: Logger
    let now: @Sendable () -> Int64

    /// Creates a sender.
    public init(
        config: WebhookConfig,
        key: WebhookKey,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }
    ) {
        self.config = config
        self.key = key
        self.logger = logger
        self.now = now
    }

    /// Sends everything due now, endpoints in parallel; returns the number of attempts made.
    ///
    /// - Throws: `SQLiteError`.
    @discardableResult
    public func sendDue() throws -> Int {
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        let due = try store.dueDeliveries(now: now(), limit: 10_000)
        let byEndpoint = Dictionary(grouping: due, by: \.endpointID).values.map(Array.init)
        guard !byEndpoint.isEmpty else { return 0 }
        if byEndpoint.count == 1 {
            try send(byEndpoint[0])
            return due.count
        }
        var threads: [pthread_t] = []
        for deliveries in byEndpoint {
            let context = Unmanaged.passRetained(EndpointJob(sender: self, deliveries: deliveries)).toOpaque()
            var thread = pthread_t()
            if pthread_create(&thread, nil, webhookEndpointMain, context) == 0 {
                threads.append(thread)
            } else {
                Unmanaged<EndpointJob>.fromOpaque(context).takeRetainedValue().run()
            }
        }
        for thread in threads { pthread_join(thread, nil) }
        return due.count
    }

    /// Starts a thread for each endpoint with due deliveries that has none running, and returns at
    /// once: the long-running sender's pass. A slow endpoint keeps only its own thread busy; the
    /// others are served on the next pass as usual.
    ///
    /// - Parameter busy: the endpoints whose thread is still running.
    /// - Throws: `SQLiteError`.
    public func startDue(busy: EndpointsInFlight) throws {
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        let due = try store.dueDeliveries(now: now(), limit: 10_000)
        for (endpoint, deliveries) in Dictionary(grouping: due, by: \.endpointID) where busy.claim(endpoint) {
            let job = EndpointJob(sender: self, deliveries: deliveries, busy: busy)
            var thread = pthread_t()
            if pthread_create(&thread, nil, webhookEndpointMain, Unmanaged.passRetained(job).toOpaque()) == 0 {
                pthread_detach(thread)
            } else {
                job.run()
            }
        }
    }

    /// One endpoint's deliveries, in order, on the calling thread (its own connection and handle).
    func send(_ deliveries: [DueDelivery]) throws {
        let store = try ReferralStore(path: config.databasePath, gate: WriteGate())
        let curl = try CurlEasy()
        for delivery in deliveries {
            let outcome = attempt(delivery, curl: curl)
            let attemptNumber = delivery.attempts + 1
            var retryAt: Int64?
            if !outcome.delivered && !outcome.gone && attemptNumber <= config.retrySchedule.count {
                var wait = jittered(config.retrySchedule[attemptNumber - 1])
                if let asked = outcome.retryAfter, asked > wait { wait = asked }
                retryAt = now() + Int64(wait)
            }
            try store.recordAttempt(
                delivery,
                status: outcome.status,
                error: outcome.error,
                delivered: outcome.delivered,
                retryAt: retryAt,
                disableEndpoint: outcome.gone,
                now: now()
            )
            if !outcome.delivered {
                let fate = retryAt == nil ? "failed" : "retried"
                let reason = outcome.error ?? "HTTP \(outcome.status ?? 0)"
                logger.warning("webhook \(delivery.eventID) to endpoint \(delivery.endpointID): \(reason), \(fate)")
            }
        }
    }

    struct Outcome {
        var delivered = false
        var gone = false
        var status: Int?
        var error: String?
        var retryAfter: Int?
    }

    /// One POST.
    func attempt(_ delivery: DueDelivery, curl: CurlEasy) -> Outcome {
        guard let secret = key.open(delivery.sealedSecret) else {
            return Outcome(error: "the endpoint's secret does not open with this key")
        }
        guard let url = WebhookURL(delivery.url) else { return Outcome(error: "not an http(s) URL") }
        let pinned: [String]
        switch pin(url) {
        case .success(let entries): pinned = entries
        case .failure(let reason): return Outcome(error: reason.description)
        }
        let timestamp = now()
        let headers = [
            "Content-Type: application/json", "webhook-id: \(delivery.eventID)", "webhook-timestamp: \(timestamp)",
            "webhook-signature: "
                + WebhookSignature.header(
                    secret: secret,
                    id: delivery.eventID,
                    timestamp: timestamp,
                    body: delivery.body
                ),
        ]
        do {
            let reply = try curl.perform(
                HTTPExchange(
                    url: delivery.url,
                    headers: headers,
                    body: delivery.body,
                    timeoutMilliseconds: config.timeoutSeconds * 1_000,
                    resolve: pinned
                )
            )
            let retryAfter = reply.header("retry-after").flatMap { $0.utf8.count <= 9 ? Int($0) : nil }
            return Outcome(
                delivered: (200..<300).contains(reply.status),
                gone: reply.status == 410,
                status: reply.status,
                error: (200..<300).contains(reply.status) ? nil : "HTTP \(reply.status)",
                retryAfter: retryAfter
            )
        } catch {
            return Outcome(error: "\(error)")
        }
    }

    struct PinError: Error, CustomStringConvertible {
        var description: String
    }

    /// Resolves the host and pins curl to its checked addresses, so what is checked is what is
    /// connected to: every address must be public unless WEBHOOK_ALLOW_PRIVATE=1.
    func pin(_ url: WebhookURL) -> Result<[String], PinError> {
        let port = Self.port(of: url)
        if let isPrivate = WebhookURL.isPrivate(address: url.host) {
            return isPrivate && !config.allowPrivate
                ? .failure(PinError(description: "private address \(url.host)")) : .success([])
        }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(url.host, nil, &hints, &results) == 0, let first = results else {
            return .failure(PinError(description: "cannot resolve \(url.host)"))
        }
        defer { freeaddrinfo(results) }
        var addresses: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                entry.pointee.ai_addr,
                entry.pointee.ai_addrlen,
                &text,
                socklen_t(text.count),
                nil,
                0,
                NI_NUMERICHOST
            ) == 0 {
                addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            cursor = entry.pointee.ai_next
        }
        let unique = Array(Set(addresses)).sorted()
        guard !unique.isEmpty else { return .failure(PinError(description: "cannot resolve \(url.host)")) }
        if !config.allowPrivate, unique.contains(where: { WebhookURL.isPrivate(address: $0) ?? true }) {
            return .failure(PinError(description: "\(url.host) resolves to a private address"))
        }
        let joined = unique.map { $0.contains(":") ? "[\($0)]" : $0 }.joined(separator: ",")
        return .success(["\(url.host):\(port):\(joined)"])
    }

    static func port(of url: WebhookURL) -> Int {
        let defaultPort = url.text.hasPrefix("https://") ? 443 : 80
        let rest = url.text.drop { $0 != "/" }.dropFirst(2)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") else { return defaultPort }
        return Int(authority[authority.index(after: colon)...]) ?? defaultPort
    }

    /// `seconds` ± up to 10 %, from libsodium's random numbers.
    func jittered(_ seconds: Int) -> Int {
        guard seconds >= 10 else { return seconds }
        let spread = seconds / 10
        let random = Sodium.randomBytes(4).reduce(0) { $0 << 8 | Int($1) }
        return seconds - spread + random % (2 * spread + 1)
    }
}

/// Endpoints whose deliveries a thread is sending right now.
public final class EndpointsInFlight: Sendable {
    private let endpoints = Mutex<Set<Int64>>([])

    public init() {}

    /// Marks `endpoint` busy; false when it already was.
    func claim(_ endpoint: Int64) -> Bool { endpoints.withLock { $0.insert(endpoint).inserted } }

    func release(_ endpoint: Int64) { _ = endpoints.withLock { $0.remove(endpoint) } }

    /// How many endpoints are being served.
    public var count: Int { endpoints.withLock { $0.count } }
}

/// One endpoint's work for its thread.
final class EndpointJob {
    let sender: WebhookSender
    let deliveries: [DueDelivery]
    let busy: EndpointsInFlight?

    init(sender: WebhookSender, deliveries: [DueDelivery], busy: EndpointsInFlight? = nil) {
        self.sender = sender
        self.deliveries = deliveries
        self.busy = busy
    }

    func run() {
        defer { if let endpoint = deliveries.first?.endpointID { busy?.release(endpoint) } }
        do {
            try sender.send(deliveries)
        } catch {
            sender.logger.error("webhook endpoint \(deliveries.first?.endpointID ?? 0): \(error)")
        }
    }
}

/// A sender thread's entry point (a global function: C must not call a closure from an isolated context).
private func webhookEndpointMain(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    Unmanaged<EndpointJob>.fromOpaque(argument).takeRetainedValue().run()
    return nil
}
