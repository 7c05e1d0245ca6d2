import Foundation

/// The probability that a verdict is right, from the score, by Platt scaling (Platt 1999): a
/// logistic curve P(anomalous | s) = 1 / (1 + exp(-(a z + b))) of the score in good spreads
/// from the threshold, z = (s - threshold) / spread, fitted by maximum likelihood on the
/// training photos' out-of-fold scores. Platt's smoothed targets, (N+ + 1) / (N+ + 2) for the
/// N+ anomalous photos and 1 / (N- + 2) for the N- good ones, keep the slope finite when the
/// scores separate perfectly, as they often do on 30 photos. A verdict's confidence is
/// P(anomalous | s) for an anomalous verdict and 1 - P for a normal one. The probabilities
/// hold for photos in the training photos' proportion of anomalous ones.
public struct ConfidenceCalibration: Sendable, Codable, Equatable {
    public var slope: Double
    public var intercept: Double
    /// The origin and the unit of z.
    public var threshold: Float
    public var spread: Float
    public var method: String

    public init(slope: Double, intercept: Double, threshold: Float, spread: Float, method: String) {
        self.slope = slope
        self.intercept = intercept
        self.threshold = threshold
        self.spread = spread
        self.method = method
    }

    public func probabilityAnomalous(_ score: Float) -> Double {
        let z = Double((score - threshold) / spread)
        return 1 / (1 + exp(-(slope * z + intercept)))
    }

    /// P(the verdict at `decisionThreshold` is right).
    public func confidence(_ score: Float, decisionThreshold: Float) -> Double {
        let p = probabilityAnomalous(score)
        return score >= decisionThreshold ? p : 1 - p
    }

    /// The curve of models trained without anomalous photos, in good spreads from the
    /// threshold: fitted (`fit`) on the pooled memory out-of-fold scores of the lookout-protocol
    /// training photos (seeds 1-3) of the three development products, each in its own good spreads
    /// from its 5% conformal threshold (`VerdictRuleStudy.goodOnlyConfidence`; docs/EVALUATION.md).
    /// Those sets are one third anomalous, so the probabilities hold for about that share.
    public static let goodOnlySlope = 1.0988, goodOnlyIntercept = 0.4380

    /// Fits the curve on aligned out-of-fold scores and labels; with no anomalous (or no good)
    /// score, the good-only curve.
    public static func fit(scores: [Float], labels: [Bool], threshold: Float, spread: Float) -> ConfidenceCalibration {
        let spread = max(spread, 1e-6)
        let positives = labels.count { $0 }, negatives = labels.count - positives
        guard positives > 0, negatives > 0 else {
            return ConfidenceCalibration(slope: goodOnlySlope, intercept: goodOnlyIntercept, threshold: threshold, spread: spread,
                                         method: "no anomalous training photos: the curve fitted on the development products' training photos")
        }
        let z = scores.map { Double(($0 - threshold) / spread) }
        let high = Double(positives + 1) / Double(positives + 2), low = 1 / Double(negatives + 2)
        let (a, b) = logisticFit(z, labels.map { $0 ? high : low })
        return ConfidenceCalibration(slope: a, intercept: b, threshold: threshold, spread: spread,
                                     method: "Platt scaling on the out-of-fold scores of \(negatives) good and \(positives) anomalous training photos")
    }

    /// Maximum-likelihood (a, b) of p = 1 / (1 + exp(-(a x + b))) for soft targets t, by Newton
    /// steps with a backtracking line search (the log-likelihood is concave in (a, b)).
    static func logisticFit(_ x: [Double], _ t: [Double]) -> (Double, Double) {
        let positive = t.reduce(0, +)
        var a = 0.0, b = log((positive + 1e-9) / (Double(t.count) - positive + 1e-9))
        func loss(_ a: Double, _ b: Double) -> Double {
            zip(x, t).reduce(0) { sum, pair in
                let f = a * pair.0 + b
                // -[t log p + (1 - t) log(1 - p)] = log(1 + e^f) - t f, computed stably.
                return sum + (max(f, 0) + log1p(exp(-abs(f)))) - pair.1 * f
            }
        }
        var current = loss(a, b)
        for _ in 0..<100 {
            var ga = 0.0, gb = 0.0, haa = 1e-9, hab = 0.0, hbb = 1e-9
            for (xi, ti) in zip(x, t) {
                let p = 1 / (1 + exp(-(a * xi + b)))
                let d = p - ti, w = p * (1 - p)
                ga += d * xi; gb += d
                haa += w * xi * xi; hab += w * xi; hbb += w
            }
            let det = haa * hbb - hab * hab
            guard det > 1e-12 else { break }
            let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
            var step = 1.0, improved = false
            while step > 1e-6 {
                let candidate = loss(a - step * da, b - step * db)
                if candidate <= current {
                    a -= step * da; b -= step * db
                    improved = current - candidate > 1e-12
                    current = candidate
                    break
                }
                step /= 2
            }
            if !improved { break }
        }
        return (a, b)
    }
}
