/// Counts of a binary decision against labels (positive = anomalous).
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0

    public init() {}

    /// Predictions `score >= threshold` against the labels.
    public init(scores: [Float], labels: [Bool], threshold: Float) {
        precondition(scores.count == labels.count, "ConfusionMatrix: \(scores.count) scores for \(labels.count) labels")
        for (score, label) in zip(scores, labels) {
            switch (score >= threshold, label) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): trueNegatives += 1
            }
        }
    }

    public var total: Int { truePositives + falsePositives + falseNegatives + trueNegatives }
    /// TP / (TP + FP); 1 when nothing is predicted anomalous (no false alarm was raised).
    public var precision: Double { ratio(truePositives, truePositives + falsePositives, empty: 1) }
    /// TP / (TP + FN); 1 when there are no anomalous images.
    public var recall: Double { ratio(truePositives, truePositives + falseNegatives, empty: 1) }
    /// Harmonic mean of precision and recall: 2TP / (2TP + FP + FN).
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives, empty: 1) }
    public var accuracy: Double { ratio(truePositives + trueNegatives, total, empty: 1) }
    /// FP / (FP + TN): the share of good images flagged.
    public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives, empty: 0) }

    private func ratio(_ a: Int, _ b: Int, empty: Double) -> Double { b == 0 ? empty : Double(a) / Double(b) }
}

/// Threshold-free ranking metrics.
public enum RankingMetrics {
    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative, ties counting one half (Mann-Whitney U with mid-ranks). Nil when a class is
    /// absent.
    public static func auroc(scores: [Float], labels: [Bool]) -> Double? {
        let positives = labels.count { $0 }, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] { rankSum += midRank }
            i = j + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// Average precision: the mean of the precision at the rank of each positive, scores
    /// sorted from high to low, tied scores taken as one step (as scikit-learn computes it).
    /// Nil without positives.
    public static func averagePrecision(scores: [Float], labels: [Bool]) -> Double? {
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
}

/// The report of a labelled evaluation: the decision at a threshold and the ranking quality.
public struct EvaluationReport: Sendable, Codable, Equatable {
    public var threshold: Float
    public var confusion: ConfusionMatrix
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var accuracy: Double
    public var auroc: Double?
    public var averagePrecision: Double?
    public var goodCount: Int
    public var anomalousCount: Int

    public init(scores: [Float], labels: [Bool], threshold: Float) {
        self.threshold = threshold
        confusion = ConfusionMatrix(scores: scores, labels: labels, threshold: threshold)
        precision = confusion.precision
        recall = confusion.recall
        f1 = confusion.f1
        accuracy = confusion.accuracy
        auroc = RankingMetrics.auroc(scores: scores, labels: labels)
        averagePrecision = RankingMetrics.averagePrecision(scores: scores, labels: labels)
        anomalousCount = labels.count { $0 }
        goodCount = labels.count - anomalousCount
    }
}
