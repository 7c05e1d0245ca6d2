/// What the saved model's own threshold does on the training photos' out-of-fold scores (each
/// photo scored by a model that did not learn from it): the honest preview of its verdicts.
public struct ThresholdReport: Sendable, Codable, Equatable {
    /// The saved model's threshold.
    public var threshold: Float
    /// The decisions at that threshold on the out-of-fold scores.
    public var outOfFold: EvaluationReport
    /// The highest good score below the threshold and the lowest anomalous score at or above
    /// it (nil when there is none).
    public var nearestGoodBelow: Float?
    public var nearestAnomalousAbove: Float?
    public var marginToGood: Float? { nearestGoodBelow.map { threshold - $0 } }
    public var marginToAnomalous: Float? { nearestAnomalousAbove.map { $0 - threshold } }
    /// The good scores' spread (95th percentile minus median), the unit margins are also given in.
    public var goodSpread: Float
    /// Share of good out-of-fold scores at or above the threshold.
    public var falseAlarmRate: Double
    /// Conformal bound on a new good photo's false-alarm probability (`ThresholdSelector.conformalBound`).
    public var falseAlarmBound: Double
    /// Share of anomalous out-of-fold scores below the threshold; nil without anomalous photos.
    public var missRate: Double?
    /// The confidence against how often verdicts were right: each photo's confidence from a
    /// curve fitted without its fold (5 folds), against its verdict's truth. Empty with fewer
    /// than 2 photos of either class.
    public var reliability: [ReliabilityBin] = []
    public var calibrationError: Double? { reliability.isEmpty ? nil : CalibrationMetrics.expectedCalibrationError(reliability) }

    public init(scores: [Float], labels: [Bool], threshold: Float, spread: Float) {
        self.threshold = threshold
        goodSpread = spread
        outOfFold = EvaluationReport(scores: scores, labels: labels, threshold: threshold)
        let goods = zip(scores, labels).filter { !$0.1 }.map(\.0), bads = zip(scores, labels).filter(\.1).map(\.0)
        nearestGoodBelow = goods.filter { $0 < threshold }.max()
        nearestAnomalousAbove = bads.filter { $0 >= threshold }.min()
        let alarms = goods.count { $0 >= threshold }
        falseAlarmRate = goods.isEmpty ? 0 : Double(alarms) / Double(goods.count)
        falseAlarmBound = ThresholdSelector.conformalBound(flagged: alarms, of: goods.count)
        missRate = bads.isEmpty ? nil : Double(bads.count { $0 < threshold }) / Double(bads.count)
        guard bads.count >= 2, goods.count >= 2 else { return }
        // Folds over the photos sorted by (label, score): the figures do not depend on their order.
        let order = scores.indices.sorted { (labels[$0] ? 1 : 0, scores[$0]) < (labels[$1] ? 1 : 0, scores[$1]) }
        let sortedScores = order.map { scores[$0] }, sortedLabels = order.map { labels[$0] }
        let k = min(5, bads.count, goods.count)
        let fold = Splits.folds(labels: sortedLabels, folds: k, seed: 1)
        var confidences = [Double](repeating: 0, count: sortedScores.count)
        for f in 0..<k {
            let inner = sortedScores.indices.filter { fold[$0] != f }
            let fitted = ConfidenceCalibration.fit(scores: inner.map { sortedScores[$0] }, labels: inner.map { sortedLabels[$0] },
                                                   threshold: threshold, spread: spread)
            for i in sortedScores.indices where fold[i] == f {
                confidences[i] = fitted.confidence(sortedScores[i], decisionThreshold: threshold)
            }
        }
        reliability = CalibrationMetrics.reliability(confidences: confidences,
                                                     correct: zip(sortedScores, sortedLabels).map { ($0.0 >= threshold) == $0.1 })
    }
}
