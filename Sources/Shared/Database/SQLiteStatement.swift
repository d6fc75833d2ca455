import CSQLite

/// A prepared statement, owned by one `SQLiteConnection` and used by one thread at a time.
///
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/stmt.html>
public final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: OpaquePointer
    /// The SQL text, kept for error messages.
    public let sql: String

    init(handle: OpaquePointer, connection: OpaquePointer, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Columns in the statement's result rows.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    // MARK: - Binding

    /// Binds parameters by position (1-based, in array order); `nil` binds NULL.
    ///
    /// - Parameter values: one value per `?` in the statement.
    /// - Throws: `SQLiteError` when SQLite refuses a binding.
    public func bind(_ values: [SQLiteValue?]) throws {
        // Reset first so that a statement reused from the cache starts from a clean state.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case nil:
                rc = sqlite3_bind_null(handle, index)
            case .integer(let number):
                rc = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                rc = text.withCString { csqlite_bind_text_transient(handle, index, $0, -1) }
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes {
                    csqlite_bind_blob_transient(handle, index, $0.baseAddress, Int32($0.count))
                }
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
    }

    // MARK: - Stepping

    /// Runs the statement to completion, ignoring any rows, and resets it.
    ///
    /// - Parameter values: the parameters to bind first.
    /// - Throws: `SQLiteError` on any failure.
    public func execute(_ values: [SQLiteValue?] = []) throws {
        try forEachRow(values) { _ in }
    }

    /// Runs the statement and hands each row to `body`, then resets it.
    ///
    /// - Parameters:
    ///   - values: the parameters to bind first.
    ///   - body: called once per row, with a cursor valid only during the call.
    /// - Throws: `SQLiteError` on any failure, or what `body` throws.
    public func forEachRow(_ values: [SQLiteValue?] = [], _ body: (SQLiteRow) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(rc) }
            try body(SQLiteRow(handle: handle))
        }
    }

    /// Runs the statement and maps its first row, or returns nil when there is none.
    ///
    /// - Parameters:
    ///   - values: the parameters to bind first.
    ///   - map: turns the row into a value.
    /// - Throws: `SQLiteError` on any failure.
    public func firstRow<T>(_ values: [SQLiteValue?] = [], _ map: (SQLiteRow) throws -> T) throws -> T? {
        try bind(values)
        defer { sqlite3_reset(handle) }
        let rc = sqlite3_step(handle)
        if rc == SQLITE_DONE { return nil }
        guard rc == SQLITE_ROW else { throw error(rc) }
        return try map(SQLiteRow(handle: handle))
    }

    /// Runs the statement and maps every row.
    ///
    /// - Throws: `SQLiteError` on any failure.
    public func rows<T>(_ values: [SQLiteValue?] = [], _ map: (SQLiteRow) throws -> T) throws -> [T] {
        var result: [T] = []
        try forEachRow(values) { result.append(try map($0)) }
        return result
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(
            code: sqlite3_extended_errcode(connection),
            message: String(cString: sqlite3_errmsg(connection)),
            sql: sql
        )
    }
}

/// A value bound to a statement parameter.
public enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }

    /// Binds a closed set (an enum with `String` raw values) as the text of its raw value, so a
    /// column holds only the spellings its `CHECK` constraint lists.
    public init(_ value: some RawRepresentable<String>) { self = .text(value.rawValue) }
}

/// The current row of a stepping statement; columns are 0-based.
///
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/column_blob.html>
public struct SQLiteRow {
    let handle: OpaquePointer

    /// The column as an integer (0 for NULL).
    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as a `Int` (0 for NULL).
    public func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    /// True when the column holds NULL.
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as text, or nil for NULL.
    public func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: pointer)
    }

    /// The column as a closed set's case, or nil for NULL or a spelling this binary does not know
    /// (a newer schema's value is never mistaken for another case).
    public func value<T: RawRepresentable<String>>(as _: T.Type, _ column: Int32) -> T? {
        text(column).flatMap(T.init(rawValue:))
    }

    /// The column as bytes, or nil for NULL.
    public func blob(_ column: Int32) -> [UInt8]? {
        guard !isNull(column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
