@preconcurrency import Glibc

/// UTC timestamps in the one ISO 8601 form this service writes: `2026-11-21T12:00:00Z`.
public enum Timestamp {
    /// Formats unix seconds.
    ///
    /// - Parameter seconds: seconds since 1970-01-01T00:00:00Z.
    public static func iso8601(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// The UTC calendar day of unix seconds, `2026-11-21`.
    public static func day(_ seconds: Int64) -> String {
        String(iso8601(seconds).prefix(10))
    }

    /// Parses exactly the form `iso8601(_:)` writes; nil for anything else.
    ///
    /// - Parameter text: the timestamp.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") }),
            bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int32 {
            range.reduce(0) { $0 * 10 + Int32(bytes[$1] - UInt8(ascii: "0")) }
        }
        var parts = tm()
        parts.tm_year = number(0..<4) - 1900
        parts.tm_mon = number(5..<7) - 1
        parts.tm_mday = number(8..<10)
        parts.tm_hour = number(11..<13)
        parts.tm_min = number(14..<16)
        parts.tm_sec = number(17..<19)
        let seconds = Int64(timegm(&parts))
        // timegm normalises 2026-02-31 into March: a round trip catches impossible dates.
        return iso8601(seconds) == text ? seconds : nil
    }

    /// Parses what the admin tool's `--since` takes: `YYYY-MM-DD` (midnight UTC) or RFC 3339 with `Z`
    /// or a `±HH:MM` offset (fractions of a second are dropped); nil for anything else.
    ///
    /// - Parameter text: the date or timestamp.
    public static func parseDateOrRFC3339(_ text: String) -> Int64? {
        if text.utf8.count == 10 { return parse(text + "T00:00:00Z") }
        guard text.utf8.count >= 20, text.utf8.count <= 35 else { return nil }
        var rest = Substring(text.dropFirst(19))
        if rest.first == "." {
            rest = rest.dropFirst().drop { $0.isASCII && $0.isNumber }
        }
        let base = String(text.prefix(19))
        if rest == "Z" || rest == "z" { return parse(base + "Z") }
        guard rest.utf8.count == 6, let sign = rest.first, sign == "+" || sign == "-",
            let hours = Int64(rest.dropFirst().prefix(2)), rest.dropFirst(3).first == ":",
            let minutes = Int64(rest.suffix(2)), hours < 24, minutes < 60, let local = parse(base + "Z")
        else { return nil }
        let offset = (hours * 3_600 + minutes * 60) * (sign == "+" ? 1 : -1)
        return local - offset
    }
}
