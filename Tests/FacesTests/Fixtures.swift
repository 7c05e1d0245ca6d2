import Foundation

/// Paths of the committed fixtures, the repository's Models and the shared datasets.
enum FacesFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = repository.appendingPathComponent("Models")
    static let datasets = repository.deletingLastPathComponent().appendingPathComponent("shared/datasets")
    static var datasetsPresent: Bool { FileManager.default.fileExists(atPath: datasets.appendingPathComponent("portraits").path) }
    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
