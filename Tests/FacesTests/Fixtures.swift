import Foundation
import TestSupport

/// Paths of the committed fixtures, the repository's Models and the shared datasets.
enum FacesFixtures {
    static let directory = TestPaths.fixtures()
    static let models = TestPaths.models
    static let datasets = TestPaths.sharedDatasets
    static var datasetsPresent: Bool { FileManager.default.fileExists(atPath: datasets.appendingPathComponent("portraits").path) }
    static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
}
