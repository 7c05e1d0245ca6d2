@_exported import ClassifierMetrics

/// The report of a labelled evaluation: the decision at a threshold and the ranking quality.
public struct EvaluationReport: Sendable, Codable, Equatable {
    public var threshold: Float
    public var confusion: ConfusionMatrix
    /// Nil where undefined: precision when nothing was flagged, recall when there are no
    /// anomalous images, F1 when neither was there a flag nor an anomalous image.
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    public var accuracy: Double
    public var auroc: Double?
    public var averagePrecision: Double?
    public var goodCount: Int
    public var anomalousCount: Int

    public init(scores: [Float], labels: [Bool], threshold: Float) {
        self.threshold = threshold
        confusion = ConfusionMatrix(scores: scores, labels: labels, threshold: threshold)
        precision = confusion.precisionIfDefined
        recall = confusion.recallIfDefined
        f1 = confusion.f1IfDefined
        accuracy = confusion.accuracy
        auroc = RankingMetrics.auroc(scores: scores, labels: labels)
        averagePrecision = RankingMetrics.averagePrecision(scores: scores, labels: labels)
        anomalousCount = labels.count { $0 }
        goodCount = labels.count - anomalousCount
    }
}
