@preconcurrency import Glibc

/// The process environment as a dictionary (without Foundation's ProcessInfo).
public enum Environment {
    /// Reads `environ`; for a name given twice, the first wins, as `getenv` does.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            cursor += 1
        }
        return result
    }
}
