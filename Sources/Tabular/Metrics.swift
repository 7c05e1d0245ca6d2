import Foundation

public struct ConfusionMatrix: Codable, Sendable, Equatable {
    public var truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0
    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives; self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives; self.falseNegatives = falseNegatives
    }
}

public struct ROCPoint: Codable, Sendable, Equatable {
    public var threshold: Double
    public var falsePositiveRate: Double
    public var truePositiveRate: Double
}

/// Binary-classifier figures at one threshold (a score >= threshold predicts 1).
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
        accuracy = n == 0 ? 0 : Double(c.truePositives + c.trueNegatives) / Double(n)
        precision = Metrics.ratio(c.truePositives, c.truePositives + c.falsePositives)
        recall = Metrics.ratio(c.truePositives, c.truePositives + c.falseNegatives)
        f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        confusion = c
        count = n
        positives = labels.reduce(0, +)
    }
}

public enum Metrics {
    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// Area under the ROC curve by the Mann-Whitney statistic:
    /// AUC = (sum of ranks of positives - P(P+1)/2) / (P N), tied scores sharing their mean rank.
    public static func auc(scores: [Double], labels: [Int]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let meanRank = Double(i + j + 2) / 2   // ranks are 1-based
            for k in i...j where labels[order[k]] == 1 { rankSum += meanRank }
            i = j + 1
        }
        let p = Double(labels.reduce(0, +)), n = Double(labels.count) - p
        guard p > 0, n > 0 else { return .nan }
        return (rankSum - p * (p + 1) / 2) / (p * n)
    }

    public static func confusion(scores: [Double], labels: [Int], threshold: Double) -> ConfusionMatrix {
        var c = ConfusionMatrix()
        for (s, y) in zip(scores, labels) {
            switch (s >= threshold, y == 1) {
            case (true, true): c.truePositives += 1
            case (true, false): c.falsePositives += 1
            case (false, false): c.trueNegatives += 1
            case (false, true): c.falseNegatives += 1
            }
        }
        return c
    }

    /// ROC curve: one point per distinct score (descending), from (0,0) to (1,1).
    public static func roc(scores: [Double], labels: [Int]) -> [ROCPoint] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let p = Double(labels.reduce(0, +)), n = Double(labels.count) - p
        var points = [ROCPoint(threshold: .infinity, falsePositiveRate: 0, truePositiveRate: 0)]
        var tp = 0.0, fp = 0.0, i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ROCPoint(threshold: s, falsePositiveRate: n > 0 ? fp / n : 0, truePositiveRate: p > 0 ? tp / p : 0))
        }
        return points
    }

    /// Mean log loss, clamping probabilities away from 0 and 1.
    public static func logLoss(scores: [Double], labels: [Int]) -> Double {
        var s = 0.0
        for (p, y) in zip(scores, labels) {
            let q = Swift.min(Swift.max(p, 1e-15), 1 - 1e-15)
            s -= y == 1 ? log(q) : log(1 - q)
        }
        return scores.isEmpty ? 0 : s / Double(scores.count)
    }
}
