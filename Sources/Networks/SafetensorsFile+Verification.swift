import Checksums
import Foundation

extension SafetensorsFile {
    /// Loads a weights file only if its bytes hash to the sha256 its model card records, so a
    /// truncated, edited or stale file is refused at load instead of producing wrong figures.
    /// `regenerateWith` names the tools/ script that writes the file and its card.
    public init(contentsOf path: String, sha256 expected: String, regenerateWith tool: String) throws {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else {
            throw SafetensorsError(file: path, reason: "cannot read the file")
        }
        let actual = SHA256.hex(data)
        guard actual == expected.lowercased() else {
            throw SafetensorsError(file: path, reason: "sha256 \(actual) does not match its card (\(expected)); regenerate with \(tool)")
        }
        try self.init(data: data, source: path)
    }
}
