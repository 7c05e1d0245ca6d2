/// One bin of a reliability diagram: the predictions whose confidence fell in [lower, upper).
public struct ReliabilityBin: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var meanConfidence: Double
    /// Share of those predictions that were right.
    public var accuracy: Double
}

/// How well stated confidences match how often predictions are right (Guo et al., "On
/// Calibration of Modern Neural Networks", ICML 2017): the reliability diagram and the
/// expected calibration error.
public enum CalibrationMetrics {
    /// Equal-width bins over [0, 1] (the last one includes 1); empty bins are left out.
    public static func reliability(confidences: [Double], correct: [Bool], bins: Int = 10) -> [ReliabilityBin] {
        precondition(confidences.count == correct.count, "CalibrationMetrics: \(confidences.count) confidences for \(correct.count) outcomes")
        var sums = [Double](repeating: 0, count: bins), rights = [Int](repeating: 0, count: bins), counts = [Int](repeating: 0, count: bins)
        for (c, ok) in zip(confidences, correct) {
            let b = min(bins - 1, max(0, Int(c * Double(bins))))
            sums[b] += c
            counts[b] += 1
            if ok { rights[b] += 1 }
        }
        return (0..<bins).filter { counts[$0] > 0 }.map { b in
            ReliabilityBin(lower: Double(b) / Double(bins), upper: Double(b + 1) / Double(bins), count: counts[b],
                           meanConfidence: sums[b] / Double(counts[b]), accuracy: Double(rights[b]) / Double(counts[b]))
        }
    }

    /// Expected calibration error: the count-weighted mean of |accuracy - mean confidence|
    /// over the bins (Guo et al. 2017, eq. 3); 0 without predictions.
    public static func expectedCalibrationError(_ bins: [ReliabilityBin]) -> Double {
        let total = bins.reduce(0) { $0 + $1.count }
        guard total > 0 else { return 0 }
        return bins.reduce(0) { $0 + Double($1.count) * abs($1.accuracy - $1.meanConfidence) } / Double(total)
    }
}
