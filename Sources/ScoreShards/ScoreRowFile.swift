import Foundation
import Tabular

/// One row of a score output: its text (without the line break) and the file it is about.
public struct ScoreRow: Sendable, Equatable {
    public var text: String
    public var path: String
}

/// An `inspect score` output file read back: its format, its complete rows, and whether a
/// killed run left a partial row at the end.
public struct ScoreRowFile: Sendable {
    public var format: ScoreRowFormat
    public var rows: [ScoreRow]
    /// Bytes up to the end of the last complete line (the header included).
    public var completeLength: Int
    /// The file ends in the middle of a line (a run stopped while writing it).
    public var hasPartialRow: Bool

    /// Reads `path`; nil when it does not exist or holds no complete line.
    public static func read(_ path: String) throws(ShardError) -> ScoreRowFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw ShardError("\(path): cannot read the file") }
        let bytes = [UInt8](data)
        guard let firstBreak = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let firstLine = String(decoding: bytes[..<firstBreak], as: UTF8.self)
        let format: ScoreRowFormat
        if firstLine == ScoreRowFormat.csvHeader {
            format = .csv
        } else if firstLine.hasPrefix("{") {
            format = .jsonl
        } else if firstLine.hasPrefix("path,") {
            throw ShardError("\(path): its CSV header is not the one inspect score writes (\(ScoreRowFormat.csvHeader))")
        } else {
            throw ShardError("\(path): not an inspect score output (neither its CSV header nor JSON lines)")
        }
        let lines = completeLines(bytes, quoted: format == .csv)
        let completeLength = lines.last.map { $0.upperBound + 1 } ?? 0
        let texts = lines.map { String(decoding: bytes[$0], as: UTF8.self) }
        let rows = format == .csv ? try csvRows(texts, path) : try jsonRows(texts, path)
        return ScoreRowFile(format: format, rows: rows, completeLength: completeLength,
                            hasPartialRow: completeLength < bytes.count)
    }

    /// The ranges of the lines that end with a line break. In CSV a line break inside a
    /// quoted field (a path may hold one) does not end the row; JSON escapes its line breaks.
    static func completeLines(_ bytes: [UInt8], quoted: Bool) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0, inQuotes = false
        for (i, byte) in bytes.enumerated() {
            if quoted && byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if byte == UInt8(ascii: "\n") && !inQuotes {
                lines.append(start..<i)
                start = i + 1
            }
        }
        return lines
    }

    /// The rows after the header, each with its first field (the path) parsed as CSV.
    private static func csvRows(_ lines: [String], _ path: String) throws(ShardError) -> [ScoreRow] {
        let table: CSVTable
        do { table = try CSVReader.parse(text: lines.joined(separator: "\n") + "\n", source: path) }
        catch { throw ShardError("\(error)") }
        let rows = Array(lines.dropFirst())
        guard table.rows.count == rows.count else { throw ShardError("\(path): holds blank lines, which inspect score never writes") }
        return zip(rows, table.rows).map { ScoreRow(text: $0, path: $1[0]) }
    }

    private static func jsonRows(_ lines: [String], _ path: String) throws(ShardError) -> [ScoreRow] {
        var rows: [ScoreRow] = []
        for (number, line) in lines.enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let file = object["Path"] as? String else {
                throw ShardError("\(path): line \(number + 1) is not an inspect score JSON row (an object with \"Path\")")
            }
            rows.append(ScoreRow(text: line, path: file))
        }
        return rows
    }
}
