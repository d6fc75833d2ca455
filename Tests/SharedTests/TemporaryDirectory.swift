@preconcurrency import Glibc

@testable import Shared

/// A fresh directory under /tmp for one test, removed with everything in it when released.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/fcgi-referral-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A path inside the directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// A database as an older binary left it: the first `version` schema steps, then `rows` (SQL).
    func database(atVersion version: Int, rows: String) throws -> SQLiteConnection {
        let connection = try SQLiteConnection(path: file("old.sqlite"))
        for step in Schema.steps.prefix(version) { try connection.execute(step) }
        try connection.execute("PRAGMA user_version = \(version)")
        try connection.execute(rows)
        return connection
    }

    /// A database at schema `version` with code OLD1 (id 1) and the clicks `values` lists, as
    /// `(code_id, ip, path, flag, counted_seq, created_at)` tuples.
    func database(atVersion version: Int, clicks values: String) throws -> SQLiteConnection {
        try database(
            atVersion: version,
            rows: """
                INSERT INTO referral_codes (code, wallet, created_at) VALUES ('OLD1', 'w', 1);
                INSERT INTO clicks (code_id, ip, path, flag, counted_seq, created_at) VALUES \(values);
                """
        )
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(file(name)) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}
