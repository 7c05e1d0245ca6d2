@_exported import ClassifierMetrics
import Foundation

/// Binary-classifier figures at one threshold (a score >= threshold predicts 1), with the
/// tabular conventions: precision, recall and accuracy are 0 when undefined, AUC is NaN.
public struct BinaryMetrics: Codable, Sendable {
    public var auc: Double
    public var threshold: Double
    public var accuracy: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var confusion: ConfusionMatrix
    public var count: Int
    public var positives: Int

    public init(scores: [Double], labels: [Int], threshold: Double) {
        let c = Metrics.confusion(scores: scores, labels: labels, threshold: threshold)
        auc = Metrics.auc(scores: scores, labels: labels)
        self.threshold = threshold
        let n = scores.count
        accuracy = n == 0 ? 0 : c.accuracy
        precision = c.predictedPositives == 0 ? 0 : c.precision
        recall = c.actualPositives == 0 ? 0 : c.recall
        f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        confusion = c
        count = n
        positives = labels.reduce(0, +)
    }
}

/// The shared ClassifierMetrics for Tabular's 0/1 integer labels (1 = positive).
public enum Metrics {
    /// AUROC with mid-ranks for ties; NaN when a class is absent.
    public static func auc(scores: [Double], labels: [Int]) -> Double {
        RankingMetrics.auroc(scores: scores, labels: labels.map { $0 == 1 }) ?? .nan
    }

    public static func confusion(scores: [Double], labels: [Int], threshold: Double) -> ConfusionMatrix {
        ConfusionMatrix(scores: scores, labels: labels.map { $0 == 1 }, threshold: threshold)
    }

    public static func roc(scores: [Double], labels: [Int]) -> [ROCPoint] {
        RankingMetrics.roc(scores: scores, labels: labels.map { $0 == 1 })
    }

    public static func logLoss(scores: [Double], labels: [Int]) -> Double {
        RankingMetrics.logLoss(probabilities: scores, labels: labels.map { $0 == 1 })
    }
}
