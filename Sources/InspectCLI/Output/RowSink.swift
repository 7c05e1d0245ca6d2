import Foundation
import Inspection

/// Rows to stdout or a file, flushed per row so results stream.
final class RowSink {
    private let handle: FileHandle
    private let ownsHandle: Bool

    init(path: String?) throws {
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
                throw InspectionError(path, "cannot write the output file")
            }
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
