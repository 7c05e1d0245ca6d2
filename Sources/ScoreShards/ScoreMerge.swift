import Foundation
import Imaging

/// Joins the outputs of `inspect score --shard K/N` runs into the file one run over all the
/// files writes: the same rows, in the same order, the CSV header once.
public enum ScoreMerge {
    /// The order rows are put back in.
    public enum Order: Sendable {
        /// Natural order of the paths: the order of one run over one folder (or over several
        /// arguments given in that order).
        case naturalPaths
        /// The order a run over these files writes (`ShardedScan(arguments).scan.images`).
        case files([String])
    }

    /// The merged file's text. Refuses parts of different formats, a part with a partial last
    /// row, a file scored in two parts, and (with `.naturalPaths`) a part whose rows are
    /// not in natural order, which means the run had several arguments out of that order.
    public static func merge(_ parts: [String], order: Order) throws(ShardError) -> (text: String, rows: Int) {
        var files: [(path: String, file: ScoreRowFile)] = []
        for part in parts {
            guard FileManager.default.fileExists(atPath: part) else { throw ShardError("\(part): no such file") }
            guard let file = try ScoreRowFile.read(part) else {
                // An empty file is the JSON-lines output of a shard that got no files.
                if (try? FileManager.default.attributesOfItem(atPath: part)[.size] as? Int) == 0 { continue }
                throw ShardError("\(part): ends in the middle of its first line (its run was stopped); run it again with --resume before merging")
            }
            if file.hasPartialRow {
                throw ShardError("\(part): ends in the middle of a row (its run was stopped); run it again with --resume before merging")
            }
            if let first = files.first, first.file.format != file.format {
                throw ShardError("\(part): holds \(file.format.rawValue) rows, but \(first.path) holds \(first.file.format.rawValue) rows")
            }
            files.append((part, file))
        }
        guard let format = files.first?.file.format else { return ("", 0) }

        var owner: [String: String] = [:]
        for (part, file) in files {
            for path in Set(file.rows.map(\.path)) {
                if let other = owner.updateValue(part, forKey: path) {
                    throw ShardError("\(path) is scored in both \(other) and \(part); were they written by different shard counts?")
                }
            }
        }

        let position: (ScoreRow) throws(ShardError) -> Int
        switch order {
        case .naturalPaths:
            position = { _ in 0 }
            for (part, file) in files {
                for (a, b) in zip(file.rows, file.rows.dropFirst()) where naturalOrder(b.path, a.path) {
                    throw ShardError("\(part): \(b.path) comes after \(a.path), not in natural order; "
                                     + "give the score run's arguments with --order-from")
                }
            }
        case .files(let ordered):
            var index: [String: Int] = [:]
            for (i, path) in ordered.enumerated() where index[path] == nil { index[path] = i }
            position = { (row: ScoreRow) throws(ShardError) -> Int in
                guard let i = index[row.path] else { throw ShardError("\(row.path): in a part but not among the --order-from files") }
                return i
            }
        }

        // Every part is in the final order already, so sorting by (position or natural
        // order, part, row) interleaves them back; the last two keep the sort stable.
        var keyed: [(position: Int, part: Int, row: Int, value: ScoreRow)] = []
        for (p, (_, file)) in files.enumerated() {
            for (r, row) in file.rows.enumerated() { keyed.append((try position(row), p, r, row)) }
        }
        keyed.sort { a, b in
            if a.position != b.position { return a.position < b.position }
            if a.value.path != b.value.path, naturalOrder(a.value.path, b.value.path) || naturalOrder(b.value.path, a.value.path) {
                return naturalOrder(a.value.path, b.value.path)
            }
            return (a.part, a.row) < (b.part, b.row)
        }
        var lines = format == .csv ? [ScoreRowFormat.csvHeader] : []
        lines += keyed.map(\.value.text)
        return (lines.joined(separator: "\n") + "\n", keyed.count)
    }
}
