import FoundationEssentials

/// JSON for the CLIs' `--json`: sorted keys, pretty, slashes unescaped.
public enum JSONOutput {
    /// The value as JSON text.
    ///
    /// - Throws: `EncodingError` (a programming error).
    public static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
