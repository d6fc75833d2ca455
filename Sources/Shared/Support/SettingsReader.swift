/// Reads typed settings from the environment, applying defaults and naming the variable in every
/// error. Each executable's settings struct is built from one of these, so each reads only the
/// variables it uses.
public struct SettingsReader: Sendable {
    let environment: [String: String]

    /// Creates a reader over `environment` (an empty value counts as unset).
    ///
    /// - Parameter environment: the process environment.
    public init(_ environment: [String: String]) {
        self.environment = environment
    }

    /// The variable's value, or nil when it is unset or empty.
    public func text(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// A whole number in `range`, or `fallback` when unset.
    ///
    /// - Throws: `ConfigError` naming the variable when the value is not a number in range.
    public func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = text(name) else { return fallback }
        guard raw.utf8.count <= 20, let value = Int(raw), range.contains(value) else {
            throw ConfigError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), got \(raw)")
        }
        return value
    }

    /// An unsigned 64-bit amount of smallest units, or nil when unset.
    ///
    /// - Throws: `ConfigError` naming the variable when the value is not a whole number.
    public func amount(_ name: String) throws -> UInt64? {
        guard let raw = text(name) else { return nil }
        guard raw.utf8.count <= 20, let value = UInt64(raw) else {
            throw ConfigError("\(name) must be a whole number of smallest units, got \(raw)")
        }
        return value
    }

    /// One case of a closed set, or `fallback` when unset.
    ///
    /// - Throws: `ConfigError` listing the allowed spellings.
    public func choice<T: RawRepresentable<String> & CaseIterable>(_ name: String, default fallback: T) throws -> T {
        guard let raw = text(name) else { return fallback }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: " or ")
            throw ConfigError("\(name) must be \(allowed), got \(raw)")
        }
        return value
    }

    /// A base58 Solana address, or nil when unset.
    ///
    /// - Throws: `ConfigError` when the value is not an address.
    public func address(_ name: String) throws -> String? {
        guard let raw = text(name) else { return nil }
        guard SolanaAddress.isValid(raw) else {
            throw ConfigError("\(name) must be a base58 Solana address, got \(raw)")
        }
        return raw
    }

    /// `REFERRAL_DB`: the SQLite file every executable opens.
    public var databasePath: String { text("REFERRAL_DB") ?? "var/referral.db" }
}

/// A setting with a bad or missing value; the message names the variable.
public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
