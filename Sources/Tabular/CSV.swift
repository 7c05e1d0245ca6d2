import Foundation

/// A parsed CSV file: a header and rows of raw strings (RFC 4180).
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]
    /// Where the table came from (a path, or a label), used in error messages.
    public var source: String

    public init(header: [String], rows: [[String]], source: String = "<memory>") {
        self.header = header
        self.rows = rows
        self.source = source
    }

    /// Index of a column by name; the error names the file, the column and what exists.
    public func columnIndex(_ name: String) throws -> Int {
        if let i = header.firstIndex(of: name) { return i }
        // Tolerate a different case ("Survived" for "survived") when it is unambiguous.
        let folded = header.indices.filter { header[$0].lowercased() == name.lowercased() }
        if folded.count == 1 { return folded[0] }
        throw TabularError("\(source): no column named '\(name)' (columns: \(header.joined(separator: ", ")))")
    }

    public func column(_ index: Int) -> [String] { rows.map { $0[index] } }
}

/// RFC 4180 reader: quoted fields with doubled quotes, embedded commas and newlines,
/// a UTF-8 byte-order mark, CRLF or LF line ends. Blank lines are skipped.
public enum CSVReader {
    public static func read(path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TabularError("\(path): cannot read the file (missing or unreadable)")
        }
        return try parse(data: data, source: path)
    }

    public static func parse(text: String, source: String = "<memory>") throws -> CSVTable {
        try parse(data: Data(text.utf8), source: source)
    }

    public static func parse(data: Data, source: String = "<memory>") throws -> CSVTable {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [[String]] = []
        var recordLines: [Int] = []
        var field: [UInt8] = []
        var record: [String] = []
        var line = 1, recordStart = 1
        var inQuotes = false, wasQuoted = false
        var i = 0
        func string(_ b: [UInt8]) throws -> String {
            guard let s = String(validating: b, as: UTF8.self) else {
                throw TabularError("\(source): line \(line): text is not valid UTF-8")
            }
            return s
        }
        func endRecord() throws {
            record.append(try string(field))
            field.removeAll(keepingCapacity: true)
            // A record that is one empty unquoted field is a blank line.
            if !(record.count == 1 && record[0].isEmpty && !wasQuoted) {
                records.append(record)
                recordLines.append(recordStart)
            }
            record = []
            wasQuoted = false
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                    inQuotes = false
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case quote:
                if field.isEmpty && !wasQuoted { inQuotes = true; wasQuoted = true }
                else {
                    throw TabularError("\(source): line \(line): stray quote inside an unquoted field (quote the whole field and double inner quotes)")
                }
            case comma:
                record.append(try string(field))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case cr:
                if i + 1 < bytes.count && bytes[i + 1] == lf { i += 1 }
                try endRecord(); line += 1; recordStart = line
            case lf:
                try endRecord(); line += 1; recordStart = line
            default:
                if wasQuoted {
                    throw TabularError("\(source): line \(line): text after a closing quote")
                }
                field.append(b)
            }
            i += 1
        }
        if inQuotes { throw TabularError("\(source): line \(recordStart): quoted field is never closed") }
        if !field.isEmpty || !record.isEmpty || wasQuoted { try endRecord() }
        guard let header = records.first else { throw TabularError("\(source): the file is empty (no header row)") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        if let dup = Dictionary(grouping: names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw TabularError("\(source): header names column '\(dup)' twice")
        }
        if let empty = names.firstIndex(of: "") {
            throw TabularError("\(source): header column \(empty + 1) has no name")
        }
        var rows: [[String]] = []
        rows.reserveCapacity(records.count - 1)
        for (k, r) in records.enumerated().dropFirst() {
            guard r.count == names.count else {
                throw TabularError("\(source): line \(recordLines[k]): \(r.count) fields, but the header has \(names.count)")
            }
            rows.append(r)
        }
        return CSVTable(header: names, rows: rows, source: source)
    }

    /// Writes one CSV field, quoting it when it holds a comma, quote or line break.
    public static func escape(_ field: String) -> String {
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }

    public static func format(header: [String], rows: [[String]]) -> String {
        var out = header.map(escape).joined(separator: ",") + "\n"
        for r in rows { out += r.map(escape).joined(separator: ",") + "\n" }
        return out
    }
}

/// Missing-value markers: empty, `?`, `NA`, `NaN` (after trimming spaces; case-insensitive).
public enum Missing {
    public static let markers: Set<String> = ["", "?", "na", "nan"]
    public static func isMissing(_ s: String) -> Bool {
        markers.contains(s.trimmingCharacters(in: .whitespaces).lowercased())
    }
    /// A number, or nil when the text is not one (missing markers are not numbers).
    public static func number(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if isMissing(t) { return nil }
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }
}
