/// One candidate threshold of a sweep and the decisions it makes (score >= threshold predicts
/// positive).
public struct ThresholdCandidate<Score: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    public var threshold: Score
    /// The highest score under the threshold (predicted negative); nil below every score.
    public var scoreBelow: Score?
    /// The lowest score at or over the threshold (predicted positive); nil above every score.
    /// Every threshold in (scoreBelow, scoreAbove] makes the same decisions.
    public var scoreAbove: Score?
    public var confusion: ConfusionMatrix
}

/// Every threshold that makes different decisions on a set of scored, labelled examples.
public enum ThresholdSweep {
    /// The candidates in ascending order: just below the lowest score, the midpoint between
    /// each two consecutive distinct scores, and just above the highest score (the ends are
    /// moved by 1e-3 of the score's magnitude, at least 1e-6), each with its confusion counts.
    /// A candidate never sits exactly on a score, so no decision hinges on a tie. With n
    /// examples and d distinct scores that is d + 1 candidates, counted in one pass over the
    /// sorted scores: O(n log n).
    public static func candidates<Score: BinaryFloatingPoint & Sendable>(scores: [Score], labels: [Bool]) -> [ThresholdCandidate<Score>] {
        precondition(scores.count == labels.count, "ThresholdSweep: \(scores.count) scores for \(labels.count) labels")
        guard !scores.isEmpty else { return [] }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var distinct: [Score] = []
        for i in order where distinct.last != scores[i] { distinct.append(scores[i]) }
        func margin(_ s: Score) -> Score { Swift.max(abs(s) * Score(1e-3), Score(1e-6)) }
        var thresholds = [distinct[0] - margin(distinct[0])]
        for i in distinct.indices.dropFirst() { thresholds.append((distinct[i - 1] + distinct[i]) / 2) }
        thresholds.append(distinct[distinct.count - 1] + margin(distinct[distinct.count - 1]))

        // The thresholds ascend, so the examples under each one are a growing prefix of `order`.
        let positives = labels.count { $0 }, negatives = labels.count - positives
        var below = 0, positivesBelow = 0
        return thresholds.map { t in
            while below < order.count && scores[order[below]] < t {
                if labels[order[below]] { positivesBelow += 1 }
                below += 1
            }
            let negativesBelow = below - positivesBelow
            return ThresholdCandidate(
                threshold: t,
                scoreBelow: below > 0 ? scores[order[below - 1]] : nil,
                scoreAbove: below < order.count ? scores[order[below]] : nil,
                confusion: ConfusionMatrix(truePositives: positives - positivesBelow, falsePositives: negatives - negativesBelow,
                                           trueNegatives: negativesBelow, falseNegatives: positivesBelow))
        }
    }
}
