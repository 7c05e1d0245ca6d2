import Foundation
import Imaging
import Testing

/// `inspect train` on folders with unreadable images and with photos in both classes, run
/// as a user runs it, on generated photos.
@Suite(.serialized) struct TrainDataProblemTests {
    let root = NSTemporaryDirectory() + "train-data-problems-\(UUID().uuidString)"

    /// A folder of 8 generated good photos; returns its path.
    private func goodPhotos() throws -> String {
        let run = try InspectBinary.run(["demo-data", root + "/demo", "--good", "8", "--bad", "0", "--test-good", "0",
                                         "--test-bad", "0", "--width", "96", "--height", "96"])
        try #require(run.status == 0, Comment(rawValue: run.stderr))
        return root + "/demo/train/good"
    }

    private func train(_ folders: [String], _ extra: [String] = []) throws -> InspectBinary.Run {
        try InspectBinary.run(["train"] + folders + ["--name", "m", "--model-store", root + "/store",
                                                     "--backbone", "texture-statistics-v1", "--input-size", "96"] + extra)
    }

    @Test func everyUnreadableImageIsListedAndSkipUnreadableTrainsOnTheRest() throws {
        let good = try goodPhotos()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("not a photo".utf8).write(to: URL(fileURLWithPath: good + "/note.jpg"))
        try FileManager.default.createSymbolicLink(atPath: good + "/gone.png", withDestinationPath: root + "/deleted.png")
        // A real PNG, 8x8: below the smallest size inspection takes.
        try Image(width: 8, height: 8, format: .rgb, fill: [120, 120, 120]).write(to: good + "/tiny.png")

        let stopped = try train([good])
        #expect(stopped.status != 0)
        #expect(stopped.stderr.contains("3 of 11 images cannot be read"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("\(good)/note.jpg: ") && stopped.stderr.contains("\(good)/gone.png: broken symbolic link")
                && stopped.stderr.contains("\(good)/tiny.png: 8x8 is smaller than 64x64"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/store/m"))

        let skipped = try train([good], ["--skip-unreadable"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("warning: skipped 3 unreadable images"), "\(skipped.stdout)")
        // Good images only: no anomalous image, so recall is undefined and printed as such.
        let recall = skipped.stdout.split(separator: "\n").first { $0.hasPrefix("  recall") }
        #expect(recall?.hasSuffix("n/a") == true, "\(skipped.stdout)")
        let card = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/store/m/v1/model.json"))) as? [String: Any]
        let recorded = try #require(card?["skippedUnreadable"] as? [[String: String]])
        #expect(Set(recorded.compactMap { $0["file"] }) == [good + "/note.jpg", good + "/gone.png", good + "/tiny.png"])
        #expect((card?["classBalance"] as? [String: Int])?["good"] == 8)
        // The version records the photos it was trained on: the 8 readable ones.
        #expect((card?["trainingData"] as? [String: Any])?["photos"] as? Int == 8)
    }

    @Test func photosInBothFoldersAreReported() throws {
        let good = try goodPhotos()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try #require(FileManager.default.contentsOfDirectory(atPath: good).sorted().first)
        try FileManager.default.createDirectory(atPath: root + "/bad", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: good + "/" + first, toPath: root + "/bad/defect.png")
        let run = try train([good, root + "/bad"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("warning: 1 anomalous image is also in the good images (same bytes)"), "\(run.stdout)")
        #expect(run.stdout.contains("\(root)/bad/defect.png = \(good)/\(first)"), "\(run.stdout)")
    }
}
