@_exported import ClassifierMetrics

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
