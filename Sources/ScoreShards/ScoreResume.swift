import Foundation

/// Getting an output file ready to append to after an interrupted `inspect score` run.
public enum ScoreResume {
    /// The files already scored in `path`, in the order they were written, after cutting off
    /// the partial row a killed run may have left at the end; nil when there is nothing to
    /// resume (no file, or not one complete line), so the run starts the file afresh.
    /// Refuses a file of another format than `format`.
    public static func prepare(_ path: String, format: ScoreRowFormat) throws(ShardError) -> [String]? {
        guard let file = try ScoreRowFile.read(path) else { return nil }
        guard file.format == format else {
            throw ShardError("\(path): holds \(file.format.rawValue) rows, but this run writes \(format.rawValue); "
                             + "resume with --format \(file.format.rawValue) or write to another file")
        }
        if file.hasPartialRow {
            do {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                defer { try? handle.close() }
                try handle.truncate(atOffset: UInt64(file.completeLength))
            } catch {
                throw ShardError("\(path): cannot cut off the partial last row: \(error.localizedDescription)")
            }
        }
        return file.rows.map(\.path)
    }
}
