import Foundation

/// Prints a message to stderr, prefixed "error: ".
func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

/// Prints rows as columns separated by two spaces; listed columns are right-aligned.
func printAligned(_ rows: [[String]], rightAligned: Set<Int> = []) {
    guard let columns = rows.map(\.count).max() else { return }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in rows {
        let cells = row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return rightAligned.contains(i) ? pad + cell : (i == row.count - 1 ? cell : cell + pad)
        }
        print(cells.joined(separator: "  "))
    }
}
