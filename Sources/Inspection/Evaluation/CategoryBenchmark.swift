import Foundation
import Imaging

/// One benchmark run: a product, a protocol and a seed, trained and then scored on the test
/// photos by the saved model, as a user would score them.
public struct BenchmarkRun: Sendable, Codable, Equatable {
    public var category: String
    public var benchmarkProtocol: BenchmarkProtocol
    public var seed: UInt64
    public var trainGood: Int
    public var trainAnomalous: Int
    /// Good training photos left out by a development cap (0 in reported runs).
    public var goodLeftOut: Int
    public var testGood: Int
    public var testAnomalous: Int
    public var imageAUROC: Double?
    /// The saved model's own threshold and the decision there.
    public var threshold: Float
    public var thresholdMethod: String
    /// What the saved model decides with: "fused", "memory alone" or "fine-tuned head alone".
    public var scoring: String?
    public var confusion: ConfusionMatrix?
    public var precision: Double?
    public var recall: Double?
    /// Defined in every run: each test set has anomalous photos.
    public var f1: Double
    /// The best F1 any threshold reaches on the test photos (picked on them: an upper bound).
    public var bestF1: Double
    /// bestF1 - f1.
    public var f1Gap: Double
    /// Over the test photos with masks (good photos count as defect-free); nil without masks.
    public var pixelAUROC: Double?
    public var perRegionOverlap: Double?
    /// Overlap of the marked areas with the true defects (anomalous photos with masks).
    public var markedIoU: Double?
    /// A segmentation model's figures on the test photos with masks and the good ones (its
    /// `memoryOnlyIoU` is the memory-only binary mask's on the same photos); nil without
    /// masks in training.
    public var segmentation: SegmentationReport? = nil
    /// Anomalous verdicts whose mask marks nothing.
    public var anomalousVerdictsWithoutArea: Int
    /// Seconds of `Trainer.train`, without decoding and extracting the test photos and
    /// without evaluating them (the benchmark hands the test set to the trainer for its report).
    public var trainSeconds: Double
    /// Test photos scored per second by the saved model, decoding included, all cores.
    public var scoringImagesPerSecond: Double
    /// Test photos that could not be scored (left out of every figure).
    public var failures: [String]
    /// What the training report promised at the saved threshold, from the training photos'
    /// out-of-fold scores: the conformal false-alarm bound, the miss rate (nil without
    /// anomalous training photos) and the margins to the nearest good and anomalous scores.
    public var expectedFalseAlarmRate: Double?
    public var expectedMissRate: Double?
    public var marginToGood: Float?
    public var marginToAnomalous: Float?
    /// The training photos' out-of-fold scores (what the rule study compares rules on).
    public var trainingOutOfFold: OutOfFoldScores?
    /// The confidence against how often the verdicts on the test photos were right, and its
    /// expected calibration error; the training report's (out of fold) beside it.
    public var reliability: [ReliabilityBin]?
    public var calibrationError: Double?
    public var trainingCalibrationError: Double?
}

/// Runs the benchmark of one split and seed.
public enum CategoryBenchmark {
    public static func run(_ split: BenchmarkSplit, seed: UInt64, extractor: FeatureExtractor, options: TrainingOptions,
                           progress: @escaping TrainingProgress = { _ in }) throws(InspectionError) -> BenchmarkRun {
        var options = options
        options.seed = seed
        let started = Date()
        let trained = try Trainer.train(split.train, test: split.test, extractor: extractor, options: options, progress: progress)
        let trainerSeconds = Date().timeIntervalSince(started)
        let model = trained.model

        let test = split.test.images
        let withMasks = test.contains { $0.maskPath != nil }
        var scores: [Float] = [], labels: [Bool] = [], failures: [String] = [], withoutArea = 0
        var confidences: [Double] = [], right: [Bool] = []
        var pixels = PixelEvaluation(width: model.inputSize.width)
        var segmentation = model.segmentation.map { SegmentationEvaluation(labels: $0.labels, width: model.inputSize.width) }
        let scoringStarted = Date()
        var done = 0
        BatchScorer.score(test.map(\.path), model: model) { i, row in
            done += 1
            progress(TrainingProgressEvent(phase: "scoring the test photos", done: done, total: test.count, overall: 1))
            switch row.result {
            case .failure(let error): failures.append(error.description)
            case .success(let r):
                scores.append(r.score)
                labels.append(test[i].isAnomalous)
                confidences.append(r.confidence)
                right.append(r.isAnomalous == test[i].isAnomalous)
                if r.isAnomalous && r.anomalousArea == 0 { withoutArea += 1 }
                guard withMasks else { return }
                do throws(InspectionError) {
                    if test[i].maskPath != nil || !test[i].isAnomalous {
                        try segmentation?.add(r, maskPath: test[i].maskPath, photo: test[i].path)
                    }
                    if let maskPath = test[i].maskPath {
                        pixels.add(map: r.map, cutOff: r.mapThreshold,
                                   truth: try GroundTruthMask.load(maskPath, width: r.map.width, height: r.map.height))
                    } else if !test[i].isAnomalous {
                        pixels.add(map: r.map, cutOff: r.mapThreshold, truth: [Bool](repeating: false, count: r.map.values.count))
                    }
                } catch {
                    failures.append(error.description)
                }
            }
        }
        let scoringSeconds = Date().timeIntervalSince(scoringStarted)
        guard !scores.isEmpty else { throw InspectionError(split.category, "no test photo could be scored") }
        let report = EvaluationReport(scores: scores, labels: labels, threshold: model.threshold)
        let best = ThresholdSelector.choose(scores: scores, labels: labels, policy: .bestF1).threshold
        let bestF1 = ConfusionMatrix(scores: scores, labels: labels, threshold: best).f1
        let reliability = CalibrationMetrics.reliability(confidences: confidences, correct: right)
        let promised = trained.thresholdReport
        var run = BenchmarkRun(category: split.category, benchmarkProtocol: split.benchmarkProtocol, seed: seed,
                            trainGood: split.train.goodCount, trainAnomalous: split.train.anomalousCount, goodLeftOut: split.goodLeftOut,
                            testGood: report.goodCount, testAnomalous: report.anomalousCount, imageAUROC: report.auroc,
                            threshold: model.threshold, thresholdMethod: trained.thresholdChoice.method,
                            scoring: model.head == nil ? ScoringPart.memory.rawValue
                                : (model.head?.fusion.memoryWeight == 0 ? ScoringPart.head.rawValue : ScoringPart.fused.rawValue),
                            confusion: report.confusion, precision: report.precision, recall: report.recall, f1: report.confusion.f1,
                            bestF1: bestF1, f1Gap: bestF1 - report.confusion.f1,
                            pixelAUROC: withMasks ? pixels.auroc : nil, perRegionOverlap: withMasks ? pixels.perRegionOverlap : nil,
                            markedIoU: withMasks ? pixels.markedIoU : nil, anomalousVerdictsWithoutArea: withoutArea,
                            trainSeconds: trainingSeconds(trained, total: trainerSeconds, trainCount: split.train.images.count,
                                                          testCount: test.count),
                            scoringImagesPerSecond: Double(test.count) / max(scoringSeconds, 1e-9), failures: failures,
                            expectedFalseAlarmRate: promised.falseAlarmBound, expectedMissRate: promised.missRate,
                            marginToGood: promised.marginToGood, marginToAnomalous: promised.marginToAnomalous,
                            trainingOutOfFold: trained.outOfFoldScores, reliability: reliability,
                            calibrationError: CalibrationMetrics.expectedCalibrationError(reliability),
                            trainingCalibrationError: promised.calibrationError)
        run.segmentation = withMasks ? segmentation?.report(measuredOn: "the test photos with masks and the good ones") : nil
        return run
    }

    /// The trainer's wall time without the test photos' share of decoding and feature
    /// extraction (the same work per photo for photos of one product) and without the
    /// evaluation of the test photos.
    static func trainingSeconds(_ result: TrainingResult, total: Double, trainCount: Int, testCount: Int) -> Double {
        let testShare = Double(testCount) / Double(max(trainCount + testCount, 1))
        var seconds = total
        for (phase, s) in result.phaseSeconds {
            if phase == "decode" || phase == "features" { seconds -= s * testShare }
            if phase == "evaluate" { seconds -= s }
        }
        return max(seconds, 0)
    }
}
