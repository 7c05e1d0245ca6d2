import Foundation
import Imaging

/// What the training photos looked like, for `inspect monitor` and the server's drift
/// figures to compare traffic with: `baseline.json` beside `model.json`. Written by training;
/// a bundle without it still loads (it just has no baseline).
public struct MonitoringBaseline: Sendable, Codable, Equatable {
    public static let file = "baseline.json"
    public static let currentVersion = 1
    /// At most this many good photos' feature sketches are kept (evenly spread over them).
    public static let maximumSketches = 200

    /// How well the model did, and on what, for the ground-truth comparison.
    public struct Quality: Sendable, Codable, Equatable {
        public var precision: Double?
        public var recall: Double?
        public var f1: Double?
        public var measuredOn: String
    }

    public var version: Int
    public var created: String
    /// The model's threshold when the baseline was made.
    public var threshold: Float
    /// Share of the good training photos' out-of-fold scores at or above the threshold.
    public var falseAlarmRate: Double
    /// The anomaly rate good traffic is expected to stay within: the conformal bound on a new
    /// good photo's false-alarm probability, (flagged + 1) / (n + 1) (`ThresholdReport`).
    public var expectedAnomalyRate: Double
    /// The good training photos' out-of-fold scores (each scored by a model that did not
    /// learn from it), ascending.
    public var goodScores: [Float]
    /// Each good training photo's statistics, in training order.
    public var photos: [ImageStatistics]
    public var featureSketch: FeatureSketchParameters
    /// Feature sketches of up to `maximumSketches` good training photos.
    public var sketches: [[Float]]
    public var quality: Quality?

    public init(created: Date = Date(), threshold: Float, falseAlarmRate: Double, expectedAnomalyRate: Double, goodScores: [Float],
                photos: [ImageStatistics], featureSketch: FeatureSketchParameters, sketches: [[Float]], quality: Quality?) {
        version = Self.currentVersion
        self.created = ISO8601DateFormatter().string(from: created)
        self.threshold = threshold
        self.falseAlarmRate = falseAlarmRate
        self.expectedAnomalyRate = expectedAnomalyRate
        self.goodScores = goodScores.sorted()
        self.photos = photos
        self.featureSketch = featureSketch
        self.sketches = sketches
        self.quality = quality
    }

    /// The baseline's values of a statistic.
    public func values(_ statistic: MonitoredStatistic) -> [Double] {
        statistic == .score ? goodScores.map(Double.init) : photos.compactMap { statistic.value(of: $0) }
    }

    /// `count` indices spread evenly over 0..<total (all when total <= count).
    static func evenlySpread(_ total: Int, count: Int) -> [Int] {
        guard total > count else { return Array(0..<total) }
        return (0..<count).map { $0 * total / count }
    }
}
