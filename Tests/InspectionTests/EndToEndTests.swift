import Foundation
import Imaging
import Testing
@testable import Inspection

/// One generated dataset and one trained model, shared by the end-to-end tests.
final class GeneratedFixture: @unchecked Sendable {
    static let shared = GeneratedFixture()
    let root: String
    let train: (good: String, bad: String, masks: String)
    let test: (good: String, bad: String, masks: String)
    let result: TrainingResult?
    let error: String?

    private init() {
        root = NSTemporaryDirectory() + "inspection-tests-\(getpid())"
        var trainDirs = ("", "", ""), testDirs = ("", "", "")
        var trained: TrainingResult?, failure: String?
        do {
            trainDirs = try SyntheticSurfaces.writeDataset(to: root + "/train", good: 16, defective: 8, width: 160, height: 120, seed: 1)
            testDirs = try SyntheticSurfaces.writeDataset(to: root + "/test", good: 10, defective: 10, width: 160, height: 120, seed: 2)
            var options = TrainingOptions()
            options.inputLongSide = 160
            // The head's tests need the fused model; the decision itself is tested in VerdictRuleTests.
            options.scoring = .fused
            let data = try InspectionDataset.folders(good: trainDirs.0, bad: trainDirs.1)
            trained = try Trainer.train(data, extractor: TextureStatisticsExtractor(), options: options)
        } catch {
            failure = "\(error)"
        }
        train = trainDirs
        test = testDirs
        result = trained
        error = failure
    }
}

@Suite(.serialized) struct EndToEndTests {
    let fixture = GeneratedFixture.shared

    @Test func trainsAndSeparatesGeneratedDefects() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        #expect(result.card.classBalance == .init(good: 16, anomalous: 8))
        #expect(result.card.inputSize == InputSize(width: 160, height: 128))  // 120 rounds to a multiple of 16
        #expect((result.evaluation?.goodCount ?? 0) + (result.evaluation?.anomalousCount ?? 0) == 5)  // 20% held back
        // On a fresh test set: the model's own threshold separates scratches and spots.
        let test = try InspectionDataset.folders(good: fixture.test.good, bad: fixture.test.bad, masks: fixture.test.masks)
        var scores = [Float](repeating: 0, count: test.images.count), maps: [[Float]] = [], masks: [[Bool]] = []
        BatchScorer.score(test.images.map(\.path), model: result.model) { i, row in
            if case .success(let r) = row.result { scores[i] = r.score; maps.append(r.map.values) }
        }
        let report = EvaluationReport(scores: scores, labels: test.images.map(\.isAnomalous), threshold: result.model.threshold)
        #expect((report.auroc ?? 0) >= 0.95, "AUROC \(report.auroc ?? -1)")
        #expect((report.f1 ?? 0) >= 0.8, "F1 \(String(describing: report.f1)) at \(report.threshold)")
        // Pixel AUROC against the drawn masks (good images: all-background masks).
        for image in test.images {
            if let maskPath = image.maskPath {
                let mask = try Image(contentsOfFile: maskPath).resized(width: 160, height: 128, filter: .bilinear)
                masks.append(mask.pixels.map { $0 >= 128 })
            } else {
                masks.append([Bool](repeating: false, count: 160 * 128))
            }
        }
        #expect((PixelMetrics.auroc(maps: maps, masks: masks) ?? 0) >= 0.9)
        // Each drawn defect, small or large, is mostly found before 30% false-positive pixels.
        let pro = PixelMetrics.perRegionOverlap(maps: maps, masks: masks, width: 160) ?? 0
        #expect(pro >= 0.7, "PRO \(pro)")
    }

    @Test func savedAndLoadedModelsScoreAlike() throws {
        let result = try #require(fixture.result)
        let dir = fixture.root + "/bundle"
        try ModelBundle.save(result.model, card: result.card, to: dir)
        let (loaded, card) = try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
        #expect(card.threshold == result.model.threshold)
        #expect(card.photoSize == InputSize(width: 160, height: 120))  // the photos' size, not the input's 160x128
        let paths = try InspectionDataset.imagesIn(fixture.test.bad)
        var before: [Float] = [], after: [Float] = []
        BatchScorer.score(paths, model: result.model) { _, row in
            before.append((try? row.result.get().score) ?? -1)
            #expect(row.photoSize == InputSize(width: 160, height: 120))
        }
        BatchScorer.score(paths, model: loaded) { _, row in after.append((try? row.result.get().score) ?? -1) }
        #expect(before == after)
    }

    @Test func bundleFromAnotherBackboneIsRefused() throws {
        let result = try #require(fixture.result)
        let dir = fixture.root + "/other-backbone"
        var card = result.card
        card.backbone = .init(name: "efficientnet-lite0", sha256: String(repeating: "0", count: 64))
        try ModelBundle.save(result.model, card: card, to: dir)
        #expect {
            try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
        } throws: { error in
            "\(error)".contains("trained with backbone \"efficientnet-lite0\"")
        }
    }

    @Test func corruptedWeightsAreRefused() throws {
        let result = try #require(fixture.result)
        let dir = fixture.root + "/corrupted"
        try ModelBundle.save(result.model, card: result.card, to: dir)
        let weights = dir + "/" + ModelBundle.weightsFile
        var bytes = try #require(FileManager.default.contents(atPath: weights))
        bytes[bytes.count - 3] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: weights))
        #expect {
            try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
        } throws: { error in
            "\(error)".contains("corrupted")
        }
    }

    @Test func unreadableFileGivesAnErrorRowWhileTheRestScore() throws {
        let result = try #require(fixture.result)
        let folder = fixture.root + "/mixed"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["001.png", "002.png", "003.png"] {
            try? FileManager.default.copyItem(atPath: fixture.test.good + "/" + name, toPath: folder + "/" + name)
        }
        try Data("not really a PNG".utf8).write(to: URL(fileURLWithPath: folder + "/002b.png"))
        let paths = try InspectionDataset.imagesIn(folder)
        var rows: [(Int, String, Bool)] = []
        BatchScorer.score(paths, model: result.model, threads: 2) { i, row in
            if case .failure(let error) = row.result { rows.append((i, error.description, false)) } else { rows.append((i, row.path, true)) }
        }
        #expect(rows.map(\.0) == [0, 1, 2, 3])  // in input order
        #expect(rows.count { $0.2 } == 3)
        #expect(rows.contains { !$0.2 && $0.1.contains("002b.png") })
    }

    @Test func goodImagesOnlyTrainAThresholdFromHeldBackGoodScores() throws {
        var options = TrainingOptions()
        options.inputLongSide = 160
        let data = try InspectionDataset.folders(good: fixture.train.good, bad: nil)
        let result = try Trainer.train(data, extractor: TextureStatisticsExtractor(), options: options)
        #expect(result.card.classBalance == .init(good: 16, anomalous: 0))
        #expect(result.thresholdChoice.method.contains("good images only"))
        #expect(result.card.memory.stride8Weight == 1)
        // No anomalous images: no head, memory-only scoring, a version 1 card.
        #expect(result.card.head == nil && result.model.head == nil)
        #expect(result.card.scoring == ModelCard.memoryScoring && result.card.version == ModelCard.memoryOnlyVersion)
        let test = try InspectionDataset.folders(good: fixture.test.good, bad: fixture.test.bad)
        var scores = [Float](repeating: 0, count: test.images.count)
        BatchScorer.score(test.images.map(\.path), model: result.model) { i, row in scores[i] = (try? row.result.get().score) ?? -1 }
        let report = EvaluationReport(scores: scores, labels: test.images.map(\.isAnomalous), threshold: result.model.threshold)
        #expect(report.confusion.falsePositiveRate <= 0.2, "\(report.confusion)")
        #expect((report.recall ?? 0) >= 0.8, "\(report.confusion)")
    }

    @Test func manifestPathsResolveAgainstItsFolder() throws {
        let folder = fixture.root + "/manifest"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lines = """
            {"source-ref": "../train/good/001.png", "anomaly-label": 0}
            {"source-ref": "../train/bad/001.png", "anomaly-label": 1, "anomaly-mask-ref": "../train/masks/001.png"}
            """
        try Data(lines.utf8).write(to: URL(fileURLWithPath: folder + "/train.manifest"))
        let data = try InspectionDataset.manifest(folder + "/train.manifest")
        #expect(data.images.map(\.isAnomalous) == [false, true])
        #expect(data.images[1].maskPath == fixture.root + "/train/masks/001.png")
        #expect(FileManager.default.fileExists(atPath: data.images[0].path))
        try Data("{\"source-ref\": \"a.png\", \"anomaly-label\": 2}".utf8).write(to: URL(fileURLWithPath: folder + "/bad.manifest"))
        #expect { try InspectionDataset.manifest(folder + "/bad.manifest") } throws: { "\($0)".contains("line 1") }
    }
}
