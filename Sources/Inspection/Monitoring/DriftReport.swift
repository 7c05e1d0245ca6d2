import DriftStatistics
import Foundation

/// What `inspect monitor` found: each statistic's shift against the baseline, the anomaly
/// rate against the expected one, the feature drift, the quality per time window when ground
/// truth was given, and the constraints violated. Written as JSON by `--json`.
public struct DriftReport: Sendable, Codable {
    public struct StatisticDrift: Sendable, Codable {
        public var statistic: MonitoredStatistic
        public var baselineCount: Int
        public var currentCount: Int
        public var baselineMedian: Double
        public var currentMedian: Double
        public var psi: PopulationStability
        public var ks: KolmogorovSmirnov
    }
    public struct AnomalyRate: Sendable, Codable {
        public var requests: Int
        public var flagged: Int
        public var observedRate: Double
        public var expectedRate: Double
        /// P(at least `flagged` of `requests` | the expected rate), one-sided binomial.
        public var pValue: Double
    }
    public struct FeatureDrift: Sendable, Codable {
        public var baselineCount: Int
        public var currentCount: Int
        public var mmd: MaximumMeanDiscrepancy
    }
    public struct WindowQuality: Sendable, Codable {
        public var start: String
        public var end: String
        public var labelled: Int
        public var confusion: ConfusionMatrix
        public var precision: Double?
        public var recall: Double?
        public var f1: Double?
    }
    public struct Quality: Sendable, Codable {
        public var baseline: MonitoringBaseline.Quality?
        public var windowSeconds: Double
        public var windows: [WindowQuality]
        /// Labels whose event id matched no captured inspection of the model.
        public var unmatchedLabels: Int
    }
    /// One constraint broken: which check, on what, the value and the limit, in words.
    public struct Violation: Sendable, Codable, Equatable {
        public var check: String
        public var subject: String
        public var value: Double
        public var limit: Double
        public var message: String
    }

    public var model: String
    public var captureFiles: [String]
    public var requests: Int
    public var firstEvent: String?
    public var lastEvent: String?
    public var statistics: [StatisticDrift]
    public var anomalyRate: AnomalyRate?
    public var featureDrift: FeatureDrift?
    public var quality: Quality?
    public var constraints: DriftConstraints
    /// False when there were fewer requests than `constraints.minRequests`: nothing is judged.
    public var judged: Bool
    public var violations: [Violation]

    /// The statistics that moved (named in violations), in report order.
    public var movedStatistics: [String] {
        var seen: [String] = []
        for v in violations where !seen.contains(v.subject) { seen.append(v.subject) }
        return seen
    }
}
