import Foundation
import Networks
import Tensors
import Testing
@testable import Inspection
import SeededRandom

/// The supervised head and the fusion, on the shared generated fixture (16 good, 8 defective
/// training images: scratches and spots) with the weight-free texture extractor.
@Suite(.serialized) struct SupervisedHeadTests {
    let fixture = GeneratedFixture.shared

    @Test func trainingWithDefectsGivesAFusedModelAndAnAblation() throws {
        let result = try #require(fixture.result, "training failed: \(fixture.error ?? "")")
        let head = try #require(result.card.head)
        #expect(result.card.scoring == ModelCard.fusedScoring)
        #expect(result.card.version == ModelCard.currentVersion)  // version 1 readers refuse it
        #expect(head.startedFrom == "fresh weights")  // the texture extractor has no head layer
        #expect(head.epochs >= 1 && head.epochs <= HeadTrainingOptions().maxEpochs)
        #expect(result.ablation.map(\.model) == ["fused", "memory alone", "fine-tuned head alone"])
        #expect(result.model.head != nil)
        // Maps are memory distances: they are cut at the cut-off chosen on good photos' maps.
        let cutOff = try #require(result.card.mapCutOff)
        let image = try ImagePreparation.load(try InspectionDataset.imagesIn(fixture.test.bad)[0], size: result.card.inputSize)
        let verdict = result.model.inspect([image.resized])[0]
        #expect(verdict.mapThreshold == cutOff.value)
        #expect(verdict.anomalousArea == verdict.map.areaFraction(threshold: verdict.maskCutOff))
    }

    /// Scores of the generated test set: fused, memory alone, head alone.
    func testScores(_ model: InspectionModel) throws -> (fused: [Float], memory: [Float], head: [Float], labels: [Bool]) {
        let test = try InspectionDataset.folders(good: fixture.test.good, bad: fixture.test.bad)
        var fused = [Float](repeating: .nan, count: test.images.count), memory = fused, head = fused
        BatchScorer.score(test.images.map(\.path), model: model) { i, row in
            guard case .success(let r) = row.result else { return }
            (fused[i], memory[i], head[i]) = (r.score, r.memoryScore, r.headScore ?? .nan)
        }
        return (fused, memory, head, test.images.map(\.isAnomalous))
    }

    @Test func theHeadLearnsTheGeneratedDefects() throws {
        let result = try #require(fixture.result)
        let s = try testScores(result.model)
        let head = try #require(RankingMetrics.auroc(scores: s.head, labels: s.labels))
        let memory = try #require(RankingMetrics.auroc(scores: s.memory, labels: s.labels))
        let fused = try #require(RankingMetrics.auroc(scores: s.fused, labels: s.labels))
        // The head alone, trained on 8 defects, ranks fresh scratches and spots well; the
        // fused score is at least as good as the memory's.
        #expect(head >= 0.9, "head AUROC \(head)")
        #expect(fused >= memory - 1e-9, "fused \(fused) vs memory \(memory)")
    }

    @Test func theHeadSurvivesSavingAndLoading() throws {
        let result = try #require(fixture.result)
        let dir = fixture.root + "/head-bundle"
        try ModelBundle.save(result.model, card: result.card, to: dir)
        let (loaded, card) = try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
        #expect(card.head == result.card.head)
        #expect(loaded.head?.fusion == result.model.head?.fusion)
        let before = try testScores(result.model), after = try testScores(loaded)
        #expect(before.head == after.head)
        #expect(before.fused == after.fused)
        #expect(!before.head.contains { $0.isNaN })
    }

    /// Saves the bundle with the head's tensors changed by `edit`, the card re-hashed so only
    /// the head check can object, and returns the load error.
    func loadError(_ name: String, card edit: (inout ModelCard) -> Void = { _ in },
                   tensors: (ConvPoolingHead) -> Void = { _ in }) throws -> String {
        let result = try #require(fixture.result)
        let model = result.model
        let network = try #require(model.head?.network)
        let copy = ConvPoolingHead(tensors: Dictionary(uniqueKeysWithValues: network.namedTensors.map { ($0.name, $0.tensor.copy()) }))
        tensors(copy)
        let changed = InspectionModel(extractor: model.extractor, memory: model.memory, inputSize: model.inputSize,
                                      calibration: model.calibration, stride8Weight: model.stride8Weight, threshold: model.threshold,
                                      head: model.head.map { SupervisedHead(network: copy, fusion: $0.fusion, memoryThreshold: $0.memoryThreshold) })
        var card = result.card
        edit(&card)
        let dir = fixture.root + "/" + name
        try ModelBundle.save(changed, card: card, to: dir)
        do {
            _ = try ModelBundle.load(dir, extractor: TextureStatisticsExtractor())
            return ""
        } catch {
            return error.description
        }
    }

    @Test func corruptedHeadWeightsAreRefused() throws {
        let nonFinite = try loadError("head-nan", tensors: { $0.convWeight.value.data[3] = .nan })
        #expect(nonFinite.contains("head.conv.weight") && nonFinite.contains("non-finite"), "\(nonFinite)")
        let wrongShape = try loadError("head-shape", card: { $0.head?.width += 1 })
        #expect(wrongShape.contains("supervised head") && wrongShape.contains("head.conv.weight"), "\(wrongShape)")
        let badFusion = try loadError("head-fusion", card: { $0.head?.fusion.memoryWeight = 2 })
        #expect(badFusion.contains("fusion"), "\(badFusion)")
        let oldVersion = try loadError("head-version-1", card: { $0.version = ModelCard.memoryOnlyVersion })
        #expect(oldVersion.contains("cannot carry a supervised head"), "\(oldVersion)")
        let noHead = try loadError("head-missing", card: { $0.head = nil })
        #expect(noHead.contains("describes no head"), "\(noHead)")
    }

    @Test func headTrainingIsDeterministicForASeed() {
        var rng = SeededGenerator(seed: 3)
        let labels = (0..<12).map { $0 % 3 == 0 }
        let maps = DeepMaps(variants: labels.map { _ in (0..<3).map { _ in Tensor.randomUniform(shape: [1, 3, 3, 8], in: 0...1, using: &rng) } })
        var options = HeadTrainingOptions()
        options.maxEpochs = 3
        func weights() -> [Float] {
            HeadTrainer.train(Array(0..<12), labels: labels, maps: maps, extractor: TextureStatisticsExtractor(), epochs: 3,
                              validation: [], options: options, seed: 5).head.namedTensors.flatMap(\.tensor.scalars)
        }
        let first = weights()
        #expect(first == weights())
        #expect(first.allSatisfy { $0.isFinite })
    }

    /// Out-of-fold scores where the head recognises every shown defect (logits far above the
    /// good ones) and the memory sees them only mildly: the plain best-F1 threshold on the fused
    /// scores sits high in the wide gap the head opens, above an anomaly the memory flags but
    /// the head calls good; counting each anomaly again with a neutral head brings it down so
    /// that anomaly is caught, without flagging any good image.
    @Test func theFusedThresholdAlsoCatchesDefectTypesTheHeadNeverSaw() {
        let goodMemory: [Float] = [10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5, 14, 15]
        let goodHead: [Float] = [-5, -4.5, -4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5]
        let badMemory: [Float] = [19, 20, 21, 22, 23]
        let badHead: [Float] = [8, 9, 10, 11, 12]
        let memory = goodMemory + badMemory, head = goodHead + badHead
        let labels = goodMemory.map { _ in false } + badMemory.map { _ in true }
        let fusion = ScoreFusion(memory: ScoreCalibration(goodScores: goodMemory), head: ScoreCalibration(goodScores: goodHead),
                                 memoryWeight: 0.5)
        let fused = zip(memory, head).map { fusion.fuse(memory: $0.0, head: $0.1) }
        let plain = ThresholdSelector.choose(scores: fused, labels: labels, policy: .bestF1).threshold
        let validation = fusion.thresholdValidation(memoryScores: memory, headScores: head, labels: labels)
        #expect(validation.scores.count == 20 && validation.labels.count { $0 } == 10)
        let threshold = ThresholdSelector.choose(scores: validation.scores, labels: validation.labels, policy: .bestF1).threshold
        // A new defect type: the memory scores it like the mildest shown defect, the head like a typical good image.
        let unseen = fusion.fuse(memory: 19, head: quantile(goodHead, 0.5))
        #expect(plain > unseen)
        #expect(threshold <= unseen)
        #expect(fused.prefix(goodMemory.count).allSatisfy { $0 < threshold })
        // Memory alone (weight 1): nothing to add.
        let memoryOnly = ScoreFusion(memory: fusion.memory, head: fusion.head, memoryWeight: 1)
        #expect(memoryOnly.thresholdValidation(memoryScores: memory, headScores: head, labels: labels).scores.count == 15)
    }
}
