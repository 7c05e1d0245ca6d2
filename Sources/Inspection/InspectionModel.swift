import Foundation
import Imaging

/// How far scores of good images spread, to turn a score into a confidence.
public struct ScoreCalibration: Sendable, Codable, Equatable {
    /// Median of the out-of-fold scores of good training images.
    public var goodMedian: Float
    /// 95th percentile minus median of those scores (at least a tiny positive number).
    public var goodSpread: Float

    public init(goodScores: [Float]) {
        goodMedian = quantile(goodScores, 0.5)
        goodSpread = max(quantile(goodScores, 0.95) - goodMedian, 1e-6)
    }
}

/// One image's verdict.
public struct InspectionResult: Sendable {
    public var score: Float
    public var threshold: Float
    public var isAnomalous: Bool { score >= threshold }
    /// 0.5 at the threshold, towards 1 as the score moves away from it (either way):
    /// 0.5 + 0.5 tanh(|score - threshold| / spread of good scores).
    public var confidence: Double
    /// Anomaly map at the model's input size.
    public var map: AnomalyMap
    /// Share of the map's pixels at or above the threshold.
    public var anomalousArea: Double
}

/// A trained inspection model: the extractor, the normal-patch memory and the threshold.
public final class InspectionModel: @unchecked Sendable {
    public let extractor: FeatureExtractor
    public let memory: PatchMemory
    public let inputSize: InputSize
    public let calibration: ScoreCalibration
    /// Weight of the stride-8 features in patch distances (see `PatchFeatures`).
    public let stride8Weight: Float
    public var threshold: Float

    public init(extractor: FeatureExtractor, memory: PatchMemory, inputSize: InputSize,
                calibration: ScoreCalibration, stride8Weight: Float, threshold: Float) {
        self.stride8Weight = stride8Weight
        self.extractor = extractor
        self.memory = memory
        self.inputSize = inputSize
        self.calibration = calibration
        self.threshold = threshold
    }

    /// Scores images already resized to the input size (RGB). Call from one thread.
    public func inspect(_ images: [Image]) -> [InspectionResult] {
        PatchGrid.extract(images, with: extractor, stride8Weight: stride8Weight).map(result)
    }

    func result(_ grid: PatchGrid) -> InspectionResult {
        let patch = PatchScore(grid: grid, memory: memory)
        let map = patch.map(width: inputSize.width, height: inputSize.height)
        let confidence = 0.5 + 0.5 * Double(tanh(abs(patch.score - threshold) / calibration.goodSpread))
        return InspectionResult(score: patch.score, threshold: threshold, confidence: confidence,
                                map: map, anomalousArea: map.areaFraction(threshold: threshold))
    }
}
