import Foundation
import Imaging
import Testing
import Faces

/// Several photos analysed together (`FaceAnalyzer.analyze(files:)`, one photo per core at a
/// time, as the server's batches and bench-faces run them) give each photo exactly the faces,
/// landmarks and estimates it gets alone.
struct PhotoBatchTests {
    @Test func photosAnalysedTogetherEqualEachAlone() throws {
        guard FacesFixtures.datasetsPresent else {
            print("skipped: \(FacesFixtures.datasets.path) has no portraits")
            return
        }
        let analyzer = try FaceAnalyzer(modelsDirectory: FacesFixtures.models)
        let portraits = FacesFixtures.datasets.appendingPathComponent("portraits")
        let fairface = FacesFixtures.datasets.appendingPathComponent("faces-fairface-dev/images")
        var paths = try FileManager.default.contentsOfDirectory(atPath: portraits.path).filter { $0.hasSuffix(".jpg") }.sorted()
            .map { portraits.appendingPathComponent($0).path }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: fairface.path) {
            paths += names.filter { $0.hasSuffix(".jpg") }.sorted().prefix(8).map { fairface.appendingPathComponent($0).path }
        }
        // A file that is not an image fails alone.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("photo-batch-not-an-image-\(getpid()).jpg")
        try Data("%PDF-1.4".utf8).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        paths.insert(broken.path, at: 1)

        let together = analyzer.analyze(files: paths)
        #expect(together.count == paths.count)
        var faces = 0
        for (path, batched) in zip(paths, together) {
            switch (Result { () throws(ImagingError) in try analyzer.analyze(file: path) }, batched) {
            case (.success(let alone), .success(let batched)):
                faces += alone.count
                #expect(alone.map(\.detail) == batched.map(\.detail), "\(path)")
                #expect(alone.map(\.estimate) == batched.map(\.estimate), "\(path)")
            case (.failure(let alone), .failure(let batched)):
                #expect(alone.description == batched.description)
                #expect(path == broken.path)
            default:
                Issue.record("\(path): alone and together disagree on whether it reads")
            }
        }
        #expect(faces >= 4)
    }
}
