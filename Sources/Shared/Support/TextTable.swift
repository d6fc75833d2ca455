/// Rows as aligned columns for people (the CLI's tables; `--json` is for scripts).
public struct TextTable {
    let header: [String]
    var rows: [[String]] = []

    /// A table with these column titles.
    public init(_ header: [String]) {
        self.header = header
    }

    /// Adds a row (missing cells are empty; control characters are shown as `?`).
    public mutating func add(_ cells: [String]) {
        rows.append(cells.map { cell in String(cell.map { $0.isASCII && ($0.asciiValue ?? 0) < 0x20 ? "?" : $0 }) })
    }

    /// The table, columns padded to their widest cell, two spaces apart.
    public var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            header.indices.map { column in
                let cell = row.indices.contains(column) ? row[column] : ""
                return column == header.count - 1
                    ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
