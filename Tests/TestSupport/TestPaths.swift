// Where the tests find committed fixtures, the shipped models and the shared datasets.
import Foundation

public enum TestPaths {
    /// The repository: the folder above Tests/ (this file is Tests/TestSupport/TestPaths.swift).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// The shipped weights and cards (Models/).
    public static let models = repository.appendingPathComponent("Models")
    /// The datasets beside the repository (../shared/datasets; see their README for licences
    /// and protocols). Absent from a plain clone: tests that read them are skipped then.
    public static let sharedDatasets = repository.deletingLastPathComponent().appendingPathComponent("shared/datasets")

    /// The Fixtures folder of the test target whose file calls this.
    public static func fixtures(_ file: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Fixtures")
    }
}
