import Foundation
import Imaging
import Tensors
import Testing
@testable import Inspection
import WorkerThreads

/// The same photos give the same model and scores however they arrive: in another order,
/// under other names, from a manifest instead of folders, decoded and trained on 1 or 2
/// threads.
@Suite(.serialized) struct DeterminismTests {
    /// A small generated set (10 good, 4 defective) in folders, written once.
    static let folders: (root: String, good: String, bad: String)? = {
        let root = NSTemporaryDirectory() + "inspection-determinism-\(getpid())"
        guard let dirs = try? SyntheticSurfaces.writeDataset(to: root, good: 10, defective: 4, width: 96, height: 64, seed: 7) else { return nil }
        return (root, dirs.good, dirs.bad)
    }()

    static func train(_ data: InspectionDataset, threads: Int = 2) throws -> TrainingResult {
        var options = TrainingOptions()
        options.inputLongSide = 96
        options.threads = threads
        options.head.maxEpochs = 3
        options.head.variantsPerImage = 2
        return try Trainer.train(data, extractor: TextureStatisticsExtractor(), options: options)
    }

    /// Everything a saved model holds that depends on training: the memory, the head's
    /// weights, the threshold, the map cut-off and the calibration.
    static func fingerprint(_ r: TrainingResult) -> [String] {
        var parts = ["threshold \(r.model.threshold)", "cut-off \(String(describing: r.model.mapCutOff))",
                     "calibration \(r.model.calibration)", "input \(r.card.inputSize)",
                     "memory \(r.model.memory.bank.count) \(r.model.memory.bank.hashValue)"]
        for (name, tensor) in r.model.head?.network.namedTensors ?? [] { parts.append("\(name) \(tensor.scalars.hashValue)") }
        return parts
    }

    @Test func orderNamesAndManifestDoNotChangeTheModel() throws {
        let f = try #require(Self.folders)
        let reference = try Self.train(try InspectionDataset.folders(good: f.good, bad: f.bad))

        // The same files copied under other names (reversed numbering, other stems), listed
        // in a manifest in another order, good and anomalous interleaved.
        let renamed = f.root + "/renamed"
        try FileManager.default.createDirectory(atPath: renamed, withIntermediateDirectories: true)
        var lines: [String] = []
        let sources = try InspectionDataset.imagesIn(f.good).map { ($0, 0) } + InspectionDataset.imagesIn(f.bad).map { ($0, 1) }
        for (k, (path, label)) in sources.enumerated().reversed() {
            let name = String(format: "photo-%02d-%@.png", 99 - k, label == 1 ? "x" : "y")
            try? FileManager.default.removeItem(atPath: renamed + "/" + name)
            try FileManager.default.copyItem(atPath: path, toPath: renamed + "/" + name)
            lines.append("{\"source-ref\": \"\(name)\", \"anomaly-label\": \(label)}")
        }
        lines.swapAt(0, lines.count - 1)
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: renamed + "/train.manifest"))
        let manifest = try InspectionDataset.manifest(renamed + "/train.manifest")
        // The photos really arrive in another order (by content), not just under other names.
        let folderOrder = try InspectionDataset.folders(good: f.good, bad: f.bad).images.map { try FileBytes.read($0.path) }
        #expect(try manifest.images.map { try FileBytes.read($0.path) } != folderOrder)
        let viaManifest = try Self.train(manifest)
        #expect(Self.fingerprint(viaManifest) == Self.fingerprint(reference))
        #expect(viaManifest.model.memory.bank == reference.model.memory.bank)

        // Scores of the same photos under both models are bit-identical.
        let paths = try InspectionDataset.imagesIn(f.bad)
        var a: [Float] = [], b: [Float] = []
        BatchScorer.score(paths, model: reference.model) { _, row in a.append((try? row.result.get().score) ?? .nan) }
        BatchScorer.score(paths, model: viaManifest.model) { _, row in b.append((try? row.result.get().score) ?? .nan) }
        #expect(a == b, "max difference \(zip(a, b).map { abs($0 - $1) }.max() ?? 0)")
    }

    @Test func oneOrTwoThreadsGiveTheSameModel() throws {
        let f = try #require(Self.folders)
        let data = try InspectionDataset.folders(good: f.good, bad: f.bad)
        let pool = WorkerPool.shared, before = pool.threads
        defer { pool.threads = before }
        pool.threads = 1
        let one = try Self.train(data, threads: 1)
        pool.threads = 2
        let two = try Self.train(data, threads: 2)
        #expect(Self.fingerprint(one) == Self.fingerprint(two))
        let difference = zip(one.model.memory.bank, two.model.memory.bank).map { abs($0 - $1) }.max() ?? 0
        #expect(one.model.memory.bank == two.model.memory.bank, "max difference \(difference)")
    }

    @Test func canonicalOrderIsByLabelThenContent() throws {
        let f = try #require(Self.folders)
        let data = try InspectionDataset.folders(good: f.good, bad: f.bad)
        let reversed = InspectionDataset(images: data.images.reversed())
        let a = try data.inCanonicalOrder(), b = try reversed.inCanonicalOrder()
        #expect(a.images == b.images)
        #expect(a.images.prefix(10).allSatisfy { !$0.isAnomalous } && a.images.suffix(4).allSatisfy(\.isAnomalous))
        #expect(throws: InspectionError.self) {
            try InspectionDataset(images: [LabeledImage(path: f.root + "/missing.png", isAnomalous: false)]).inCanonicalOrder()
        }
    }
}
