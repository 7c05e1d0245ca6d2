// The shared setup of the segmentation tests (InspectionTests and ServerTests): a model of two
// defect types, scratches and spots, trained from coloured masks on generated surfaces.
import Foundation
import Inspection

/// Generated surfaces in a temporary folder (12 good and 8 defective training photos with
/// masks coloured by type and a manifest, and test photos of another seed), all 160x120, and
/// the model trained on them with the texture-statistics backbone at 160 px without a
/// hold-out report. `remove()` deletes the folder.
public struct TwoTypeSegmentationFixture {
    public let root: String
    /// The training manifest's dataset.
    public let data: InspectionDataset
    /// The test photos' folders.
    public let test: (good: String, bad: String, masks: String)
    public let extractor: TextureStatisticsExtractor
    public let options: TrainingOptions
    public let result: TrainingResult

    public static let width = 160, height = 120

    /// `name` keeps the folders of concurrent test processes apart. On an error the folder is
    /// removed before it is thrown.
    public init(name: String, testGood: Int, testDefective: Int) throws {
        let root = NSTemporaryDirectory() + "\(name)-\(getpid())"
        do { try self.init(root: root, testGood: testGood, testDefective: testDefective) } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    private init(root: String, testGood: Int, testDefective: Int) throws {
        self.root = root
        try SyntheticSurfaces.writeDataset(to: root + "/train", good: 12, defective: 8, width: Self.width, height: Self.height, seed: 3,
                                           coloredMasks: true)
        test = try SyntheticSurfaces.writeDataset(to: root + "/test", good: testGood, defective: testDefective, width: Self.width,
                                                  height: Self.height, seed: 4, coloredMasks: true)
        var options = TrainingOptions()
        options.inputLongSide = Self.width
        options.holdOutReport = false
        self.options = options
        extractor = TextureStatisticsExtractor()
        data = try InspectionDataset.manifest(root + "/train/manifest.jsonl")
        result = try Trainer.train(data, extractor: extractor, options: options)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: root) }
}
