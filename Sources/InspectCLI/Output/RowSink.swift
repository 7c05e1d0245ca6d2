import Foundation
import Inspection

/// Rows to stdout or a file, flushed per row so results stream. With `appending`, rows go
/// after what the file holds (which must end with a complete line).
final class RowSink {
    private let handle: FileHandle
    private let ownsHandle: Bool

    init(path: String?, appending: Bool = false) throws {
        if let path {
            guard appending || FileManager.default.createFile(atPath: path, contents: nil),
                  let h = FileHandle(forWritingAtPath: path) else {
                throw InspectionError(path, "cannot write the output file")
            }
            if appending { h.seekToEndOfFile() }
            handle = h
            ownsHandle = true
        } else {
            handle = FileHandle.standardOutput
            ownsHandle = false
        }
    }

    func write(_ line: String) { handle.write(Data((line + "\n").utf8)) }

    func close() { if ownsHandle { try? handle.close() } }
}
