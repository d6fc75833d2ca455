@preconcurrency import Glibc

/// The responder's settings, read from the environment (systemd `EnvironmentFile` in production).
/// Every variable, its default and its meaning is listed in README.md. The payout job's variables
/// are not read here: `PayoutConfig` owns them.
public struct ResponderConfig: Sendable {
    public var databasePath: String
    /// Site origin without a trailing slash, e.g. `https://example.com`.
    public var frontendBaseURL: String
    public var fcgiSocket: String
    public var fcgiSocketMode: mode_t
    public var fcgiThreads: Int
    /// `FCGI_READ_TIMEOUT`: seconds a FastCGI connection may take to send its whole request.
    public var fcgiReadTimeout: Int
    public var cookieDays: Int
    public var codePrefix: String
    public var clickLimitPerHour: Int
    /// The conversion API's HMAC key; `requireConversionSecret()` refuses to start without it.
    public var conversionSecret: String?
    /// `CONVERSION_SECRET_PREVIOUS`: the key being rotated out, still accepted (never used to sign),
    /// so reports signed before the platform switched keys are not refused.
    public var previousConversionSecret: String?
    /// Reward arithmetic, hold and review threshold.
    public var rewards: RewardPolicy
    public var foundationAddress: String?
    /// What purchases are paid in and how long their references wait.
    public var purchases: PurchaseSettings
    /// `REFERRAL_METRICS`: `on` (the default) serves and counts `/metrics`; `off` for comparisons.
    public var metricsEnabled: Bool

    /// Parses the settings, applying the documented defaults.
    ///
    /// - Parameter environment: the process environment.
    /// - Throws: `ConfigError` naming the first variable with a bad value.
    public init(environment: [String: String]) throws {
        let settings = SettingsReader(environment)
        databasePath = settings.databasePath
        frontendBaseURL = try Self.origin(settings.text("FRONTEND_BASE_URL") ?? "http://127.0.0.1:8080")
        fcgiSocket = settings.text("FCGI_SOCKET") ?? "var/run/fcgi-referral.sock"
        let modeText = settings.text("FCGI_SOCKET_MODE") ?? "0660"
        guard let mode = mode_t(modeText, radix: 8), mode <= 0o777 else {
            throw ConfigError("FCGI_SOCKET_MODE must be octal permission bits such as 0660, got \(modeText)")
        }
        fcgiSocketMode = mode
        // One worker per core (at least two, so a commit's fsync never leaves no one to take
        // requests): workers never wait on the network, only on commits, and more of them than
        // cores only split batches and add context switches (docs/BENCHMARKS.md, change 11:
        // 31.8–33.5k links/s with two workers against 26.7–29.1k with four, on two cores;
        // conversions 7.1–7.6k/s against 6.1–6.7k/s).
        fcgiThreads = try settings.integer(
            "FCGI_THREADS",
            default: max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            range: 1...256
        )
        fcgiReadTimeout = try settings.integer("FCGI_READ_TIMEOUT", default: 10, range: 1...300)
        cookieDays = try settings.integer("REFERRAL_COOKIE_DAYS", default: 90, range: 1...3650)
        codePrefix = settings.text("REFERRAL_CODE_PREFIX") ?? "WFG"
        guard codePrefix.count <= 26, ReferralSyntax.isCodeText(codePrefix) else {
            throw ConfigError("REFERRAL_CODE_PREFIX must be up to 26 of A-Z a-z 0-9 _ -, got \(codePrefix)")
        }
        clickLimitPerHour = try settings.integer("CLICK_LIMIT_PER_HOUR", default: 100, range: 0...1_000_000_000)
        conversionSecret = settings.text("CONVERSION_SECRET")
        previousConversionSecret = settings.text("CONVERSION_SECRET_PREVIOUS")
        rewards = try RewardPolicy(settings: settings)
        foundationAddress = try settings.address("FOUNDATION_ADDRESS")
        purchases = try PurchaseSettings(settings: settings)
        switch settings.text("REFERRAL_METRICS") ?? "on" {
        case "on": metricsEnabled = true
        case "off": metricsEnabled = false
        case let other: throw ConfigError("REFERRAL_METRICS must be on or off, got \(other)")
        }
    }

    /// The site's host and port as a sign-in message names it (`FRONTEND_BASE_URL` without scheme).
    public var siteDomain: String {
        String(frontendBaseURL.drop { $0 != ":" }.dropFirst(3))
    }

    /// The conversion API's HMAC key.
    ///
    /// - Throws: `ConfigError` when `CONVERSION_SECRET` is unset or too short to be a real key.
    public func requireConversionSecret() throws -> String {
        guard let conversionSecret else {
            throw ConfigError(
                "CONVERSION_SECRET is required: set it to the HMAC key shared with the platform's backend"
            )
        }
        guard conversionSecret.utf8.count >= 16 else {
            throw ConfigError("CONVERSION_SECRET must be at least 16 bytes long")
        }
        return conversionSecret
    }

    /// Checks that `url` is a bare `http(s)://host[:port]` origin and drops a trailing slash.
    static func origin(_ url: String) throws -> String {
        var value = url
        if value.hasSuffix("/") { value.removeLast() }
        let scheme: String
        if value.hasPrefix("https://") {
            scheme = "https://"
        } else if value.hasPrefix("http://") {
            scheme = "http://"
        } else {
            throw ConfigError("FRONTEND_BASE_URL must start with http:// or https://, got \(url)")
        }
        let authority = value.dropFirst(scheme.count)
        let allowed = authority.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || ".-:[]".utf8.contains(byte)
        }
        guard !authority.isEmpty, allowed else {
            throw ConfigError("FRONTEND_BASE_URL must be an origin (scheme, host, optional port; no path), got \(url)")
        }
        return value
    }
}
