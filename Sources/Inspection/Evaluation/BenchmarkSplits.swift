import Foundation
import Imaging

/// How a product set is laid out on disk.
public enum ProductSetLayout: String, Sendable, Codable {
    /// MVTec AD: `train/good`, `test/good`, `test/<defect>`, `ground_truth/<defect>/<name>_mask.png`.
    case mvtec
    /// Lookout for Vision's sample sets: `normal/` and `anomaly/`, no masks.
    case normalAnomaly

    /// The layout of the folder, or nil when it is neither.
    public static func of(_ root: String) -> ProductSetLayout? {
        let fm = FileManager.default
        func isFolder(_ path: String) -> Bool {
            var folder: ObjCBool = false
            return fm.fileExists(atPath: (root as NSString).appendingPathComponent(path), isDirectory: &folder) && folder.boolValue
        }
        if isFolder("train/good") && isFolder("test") { return .mvtec }
        if isFolder("normal") && isFolder("anomaly") { return .normalAnomaly }
        return nil
    }
}

/// The evaluation protocols of the datasets README.
public enum BenchmarkProtocol: String, Sendable, Codable, CaseIterable {
    /// What Lookout for Vision asked for at least: the first 20 good and the first 10 defective
    /// photos train; the other defective photos and every test good photo test.
    case lookout
    /// Every `train/good` photo trains; all of `test/` tests. For a set of `normal/` and
    /// `anomaly/` only, the lookout protocol's 20 good photos train, and the test set is the
    /// lookout protocol's.
    case goodOnly = "good-only"

    public static let lookoutGood = 20, lookoutDefective = 10
}

/// A training set and a test set of one product under one protocol.
public struct BenchmarkSplit: Sendable {
    public var category: String
    public var benchmarkProtocol: BenchmarkProtocol
    public var train: InspectionDataset
    public var test: InspectionDataset
    /// Good training photos that `maxTrain` left out (0 when none).
    public var goodLeftOut: Int

    /// The split of the product set at `root`, named `category`. Names are in natural order
    /// (as `sort -V`), defect types in sorted order. `maxTrain` caps the good training photos
    /// (the first N; for development runs, never for reported figures).
    public static func make(category: String, root: String, protocol p: BenchmarkProtocol,
                            maxTrain: Int? = nil) throws(InspectionError) -> BenchmarkSplit {
        guard let layout = ProductSetLayout.of(root) else {
            throw InspectionError(root, "neither train/good + test/ (MVTec AD layout) nor normal/ + anomaly/")
        }
        var trainGood: [String], trainBad: [LabeledImage], testGood: [String], testBad: [LabeledImage]
        switch layout {
        case .normalAnomaly:
            let normal = try sortedImages(root, "normal"), anomaly = try sortedImages(root, "anomaly")
            trainGood = Array(normal.prefix(BenchmarkProtocol.lookoutGood))
            testGood = Array(normal.dropFirst(BenchmarkProtocol.lookoutGood))
            let bad = anomaly.map { LabeledImage(path: $0, isAnomalous: true) }
            trainBad = p == .lookout ? Array(bad.prefix(BenchmarkProtocol.lookoutDefective)) : []
            testBad = Array(bad.dropFirst(BenchmarkProtocol.lookoutDefective))
        case .mvtec:
            let good = try sortedImages(root, "train/good")
            testGood = try sortedImages(root, "test/good")
            let bad = try defectivePhotos(root)
            switch p {
            case .lookout:
                trainGood = Array(good.prefix(BenchmarkProtocol.lookoutGood))
                trainBad = Array(bad.prefix(BenchmarkProtocol.lookoutDefective))
                testBad = Array(bad.dropFirst(BenchmarkProtocol.lookoutDefective))
            case .goodOnly:
                trainGood = good
                trainBad = []
                testBad = bad
            }
        }
        var leftOut = 0
        if let maxTrain, trainGood.count > maxTrain {
            leftOut = trainGood.count - maxTrain
            trainGood = Array(trainGood.prefix(maxTrain))
        }
        return BenchmarkSplit(category: category, benchmarkProtocol: p,
                              train: InspectionDataset(images: trainGood.map { LabeledImage(path: $0, isAnomalous: false) } + trainBad),
                              test: InspectionDataset(images: testGood.map { LabeledImage(path: $0, isAnomalous: false) } + testBad),
                              goodLeftOut: leftOut)
    }

    /// The image files of a subfolder, in natural order of their names.
    static func sortedImages(_ root: String, _ folder: String) throws(InspectionError) -> [String] {
        try InspectionDataset.imagesIn((root as NSString).appendingPathComponent(folder)).sorted {
            naturalOrder(($0 as NSString).lastPathComponent, ($1 as NSString).lastPathComponent)
        }
    }

    /// Every `test/<defect>` photo (each type in sorted type order, `good` excluded), with its
    /// mask `ground_truth/<defect>/<stem>_mask.png` when that file exists.
    static func defectivePhotos(_ root: String) throws(InspectionError) -> [LabeledImage] {
        let testRoot = (root as NSString).appendingPathComponent("test")
        let types: [String]
        do {
            types = try FileManager.default.contentsOfDirectory(atPath: testRoot)
                .filter { $0 != "good" && !$0.hasPrefix(".") }.sorted(by: naturalOrder)
        } catch {
            throw InspectionError(testRoot, "cannot list the folder: \(error.localizedDescription)")
        }
        var photos: [LabeledImage] = []
        for type in types {
            for path in try sortedImages(testRoot, type) {
                let mask = (root as NSString).appendingPathComponent("ground_truth/\(type)/\(fileStem(path))_mask.png")
                photos.append(LabeledImage(path: path, isAnomalous: true,
                                           maskPath: FileManager.default.fileExists(atPath: mask) ? mask : nil))
            }
        }
        return photos
    }
}
