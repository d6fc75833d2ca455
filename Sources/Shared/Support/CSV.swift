/// CSV rows (RFC 4180) for the streamed exports.
public enum CSV {
    /// One row: fields joined by commas, each quoted when it holds a comma, quote or line break.
    public static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// RFC 4180 quoting, for a field that holds a comma, quote or line break.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
