import Foundation

/// One point of a ROC curve: the rates when scores >= threshold are predicted positive.
public struct ROCPoint: Codable, Sendable, Equatable {
    public var threshold: Double
    public var falsePositiveRate: Double
    public var truePositiveRate: Double
    public init(threshold: Double, falsePositiveRate: Double, truePositiveRate: Double) {
        self.threshold = threshold; self.falsePositiveRate = falsePositiveRate; self.truePositiveRate = truePositiveRate
    }
}

/// Threshold-free figures of a binary scorer (labels: true = positive).
public enum RankingMetrics {
    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative, ties counting one half (Mann-Whitney U with mid-ranks):
    /// AUC = (sum of ranks of positives - P(P+1)/2) / (P N). Nil when a class is absent.
    public static func auroc<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) -> Double? {
        let positives = labels.count { $0 }, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1   // ranks are 1-based
            for k in i...j where labels[order[k]] { rankSum += midRank }
            i = j + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// Average precision: the mean of the precision at the rank of each positive, scores
    /// sorted from high to low, tied scores taken as one step (as scikit-learn computes it).
    /// Nil without positives.
    public static func averagePrecision<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool]) -> Double? {
        let positives = labels.count { $0 }
        guard positives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0, seen = 0, ap = 0.0, lastRecall = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            for k in i...j { seen += 1; if labels[order[k]] { tp += 1 } }
            let recall = Double(tp) / Double(positives)
            ap += (recall - lastRecall) * Double(tp) / Double(seen)
            lastRecall = recall
            i = j + 1
        }
        return ap
    }

    /// ROC curve: one point per distinct score (descending), from (0,0) to (1,1).
    public static func roc(scores: [Double], labels: [Bool]) -> [ROCPoint] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        let p = Double(labels.count { $0 }), n = Double(labels.count) - p
        var points = [ROCPoint(threshold: .infinity, falsePositiveRate: 0, truePositiveRate: 0)]
        var tp = 0.0, fp = 0.0, i = 0
        while i < order.count {
            let s = scores[order[i]]
            while i < order.count && scores[order[i]] == s {
                if labels[order[i]] { tp += 1 } else { fp += 1 }
                i += 1
            }
            points.append(ROCPoint(threshold: s, falsePositiveRate: n > 0 ? fp / n : 0, truePositiveRate: p > 0 ? tp / p : 0))
        }
        return points
    }

    /// Mean log loss of predicted probabilities, clamped away from 0 and 1 (1e-15).
    public static func logLoss(probabilities: [Double], labels: [Bool]) -> Double {
        var s = 0.0
        for (p, y) in zip(probabilities, labels) {
            let q = Swift.min(Swift.max(p, 1e-15), 1 - 1e-15)
            s -= y ? log(q) : log(1 - q)
        }
        return probabilities.isEmpty ? 0 : s / Double(probabilities.count)
    }
}
