/// Counts of a binary decision (score >= threshold predicts positive) against labels.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    public var truePositives = 0, falsePositives = 0, trueNegatives = 0, falseNegatives = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, trueNegatives: Int = 0, falseNegatives: Int = 0) {
        self.truePositives = truePositives; self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives; self.falseNegatives = falseNegatives
    }

    /// Predictions `score >= threshold` against the labels (true = positive).
    public init<Score: BinaryFloatingPoint>(scores: [Score], labels: [Bool], threshold: Score) {
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
    public var predictedPositives: Int { truePositives + falsePositives }
    public var actualPositives: Int { truePositives + falseNegatives }
    /// TP / (TP + FP); 1 when nothing is predicted positive (no false alarm was raised).
    public var precision: Double { ratio(truePositives, predictedPositives, empty: 1) }
    /// TP / (TP + FN); 1 when there are no positives.
    public var recall: Double { ratio(truePositives, actualPositives, empty: 1) }
    /// Harmonic mean of precision and recall: 2TP / (2TP + FP + FN).
    public var f1: Double { ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives, empty: 1) }
    /// Precision, recall and F1 where they are defined: nil when their denominator is zero
    /// (nothing predicted positive, no positives, neither), for reports that print "n/a".
    public var precisionIfDefined: Double? { predictedPositives == 0 ? nil : precision }
    public var recallIfDefined: Double? { actualPositives == 0 ? nil : recall }
    public var f1IfDefined: Double? { truePositives + falsePositives + falseNegatives == 0 ? nil : f1 }
    public var accuracy: Double { ratio(truePositives + trueNegatives, total, empty: 1) }
    /// FP / (FP + TN): the share of negatives flagged.
    public var falsePositiveRate: Double { ratio(falsePositives, falsePositives + trueNegatives, empty: 0) }

    private func ratio(_ a: Int, _ b: Int, empty: Double) -> Double { b == 0 ? empty : Double(a) / Double(b) }
}
