/// A check of request JSON exactly as RFC 8259 defines it, plus the two rules of the contract that
/// JSON itself allows: no object repeats a key, and every number is a whole number without sign,
/// fraction or exponent (the only numbers requests carry are amounts).
///
/// Foundation's JSONDecoder on Linux accepts some invalid text (a trailing comma), keeps one of two
/// repeated keys, and reads `1E2` or `-0` as integers, so request bodies are checked here first: a
/// client mistake must be a 400 naming the field, not a guess. Linear in the input.
public enum StrictJSON {
    /// Nesting deeper than this is refused (no request body of this service needs more).
    public static let maxDepth = 32
    /// Members of one object or elements of one array past this are refused: the largest request
    /// body has seven fields, and a body of thousands of keys would cost far more than its size
    /// to decode.
    public static let maxMembers = 64
    /// The longest string, in bytes as written (escapes included): a description of 2,000 bytes
    /// fits even fully `\u`-escaped. A longer one is refused before a decoder copies it.
    public static let maxStringBytes = 16_384

    /// What the check found first.
    public enum Verdict: Sendable, Equatable {
        case valid
        /// Not one complete JSON value.
        case invalid
        /// An object repeats this key (its path, `a.b` when nested).
        case duplicateKey(String)
        /// The number at this path has a sign, a fraction or an exponent.
        case notAWholeNumber(String)
        /// The string at this path is longer than `maxStringBytes`.
        case stringTooLong(String)
    }

    /// Checks `bytes` (UTF-8): one JSON value, optionally surrounded by whitespace.
    public static func check(_ bytes: [UInt8]) -> Verdict {
        var scanner = Scanner(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.value(depth: 0, path: "") else { return scanner.verdict ?? .invalid }
        scanner.skipWhitespace()
        return scanner.index == bytes.count ? .valid : .invalid
    }

    /// True when `bytes` is valid JSON by `check`'s rules.
    public static func isValid(_ bytes: [UInt8]) -> Bool { check(bytes) == .valid }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        /// Set when scanning stopped on a contract rule rather than on bad syntax.
        var verdict: Verdict?

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard current == byte else { return false }
            index += 1
            return true
        }

        mutating func literal(_ text: String) -> Bool {
            for byte in text.utf8 where !consume(byte) { return false }
            return true
        }

        mutating func value(depth: Int, path: String) -> Bool {
            guard depth <= StrictJSON.maxDepth, let byte = current else { return false }
            switch byte {
            case UInt8(ascii: "{"): return object(depth: depth, path: path)
            case UInt8(ascii: "["): return array(depth: depth, path: path)
            case UInt8(ascii: "\""):
                let start = index
                guard string(decoding: false) != nil else { return false }
                guard index - start <= StrictJSON.maxStringBytes + 2 else {
                    verdict = .stringTooLong(path)
                    return false
                }
                return true
            case UInt8(ascii: "t"): return literal("true")
            case UInt8(ascii: "f"): return literal("false")
            case UInt8(ascii: "n"): return literal("null")
            default: return number(path: path)
            }
        }

        /// `{ "k": v, … }`: a comma must be followed by another member; keys are compared decoded,
        /// so `"a"` and `"\u0061"` are the same key.
        mutating func object(depth: Int, path: String) -> Bool {
            index += 1
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return true }
            var keys: Set<[UInt8]> = []
            while true {
                guard keys.count < StrictJSON.maxMembers else { return false }
                skipWhitespace()
                guard let key = string(decoding: true) else { return false }
                let name = String(decoding: key, as: UTF8.self)
                let memberPath = path.isEmpty ? name : path + "." + name
                guard keys.insert(key).inserted else {
                    verdict = .duplicateKey(memberPath)
                    return false
                }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return false }
                skipWhitespace()
                guard value(depth: depth + 1, path: memberPath) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: "}")) { return true }
                guard consume(UInt8(ascii: ",")) else { return false }
            }
        }

        /// `[ v, … ]`: a comma must be followed by another element.
        mutating func array(depth: Int, path: String) -> Bool {
            index += 1
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return true }
            var position = 0
            while true {
                guard position < StrictJSON.maxMembers else { return false }
                skipWhitespace()
                guard value(depth: depth + 1, path: path + "." + String(position)) else { return false }
                position += 1
                skipWhitespace()
                if consume(UInt8(ascii: "]")) { return true }
                guard consume(UInt8(ascii: ",")) else { return false }
            }
        }

        /// A string, decoded to UTF-8 bytes when `decoding` (keys, to compare them; values are only
        /// checked): no raw control characters, only the escapes RFC 8259 lists, `\u` surrogates
        /// in pairs. Nil on bad syntax.
        mutating func string(decoding: Bool) -> [UInt8]? {
            guard consume(UInt8(ascii: "\"")) else { return nil }
            var decoded: [UInt8] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return decoded
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { return nil }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        if decoding { decoded.append(contentsOf: String(Character(scalar)).utf8) }
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                        if decoding { decoded.append(escaped) }
                    case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        if decoding { decoded.append(Self.controlEscapes[escaped] ?? 0) }
                    default: return nil
                    }
                case 0x00..<0x20: return nil
                default: if decoding { decoded.append(byte) }
                }
            }
            return nil
        }

        /// What `\b`, `\f`, `\n`, `\r` and `\t` stand for.
        static let controlEscapes: [UInt8: UInt8] = [
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0c, UInt8(ascii: "n"): 0x0a, UInt8(ascii: "r"): 0x0d,
            UInt8(ascii: "t"): 0x09,
        ]

        /// The scalar of `XXXX` after `\u` (and of a following `\uXXXX` low surrogate).
        mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            guard (0xD800...0xDBFF).contains(high) else { return Unicode.Scalar(high) }
            guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), let low = hex4(),
                (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + (high - 0xD800) << 10 + (low - 0xDC00))
        }

        mutating func hex4() -> UInt32? {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = current, let nibble = PercentDecoding.hexValue(digit) else { return nil }
                value = value << 4 | UInt32(nibble)
                index += 1
            }
            return value
        }

        /// RFC 8259's `-? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?`, of which only
        /// `0 | [1-9][0-9]*` is a whole number.
        mutating func number(path: String) -> Bool {
            var whole = !consume(UInt8(ascii: "-"))
            if consume(UInt8(ascii: "0")) {
                // A leading zero stands alone.
            } else {
                guard digits() else { return false }
            }
            if consume(UInt8(ascii: ".")) {
                guard digits() else { return false }
                whole = false
            }
            if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
                _ = consume(UInt8(ascii: "+")) || consume(UInt8(ascii: "-"))
                guard digits() else { return false }
                whole = false
            }
            if !whole { verdict = .notAWholeNumber(path) }
            return whole
        }

        mutating func digits() -> Bool {
            let start = index
            while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
            return index > start
        }
    }
}
