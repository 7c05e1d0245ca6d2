/// How the decision threshold is chosen from out-of-fold validation scores (scores of images
/// the scoring model did not learn from; never the training images' own scores).
public enum ThresholdPolicy: Sendable, Equatable, Codable {
    /// The threshold with the best F1. Every threshold between two validation scores gives
    /// the same F1, so it is placed inside the widest such range of best F1, splitting it in
    /// proportion to the good and anomalous scores' spreads (the same margin to both sides in
    /// each class's own units).
    case bestF1
    /// The lowest threshold whose precision is at least the target (catches the most defects
    /// while keeping false alarms to the asked share).
    case targetPrecision(Double)
    /// The highest threshold whose recall is at least the target (fewest false alarms while
    /// still catching the asked share of defects).
    case targetRecall(Double)

    /// Good images only: the 99th percentile of the held-back good images' scores, plus a
    /// margin of `goodOnlyMargin` times their interquartile range, so one good image in a
    /// hundred or fewer is flagged even when the validation set was small.
    public static let goodOnlyQuantile = 0.99
    public static let goodOnlyMargin: Float = 1.0

    public var description: String {
        switch self {
        case .bestF1: "best F1"
        case .targetPrecision(let p): "lowest threshold with precision >= \(p)"
        case .targetRecall(let r): "highest threshold with recall >= \(r)"
        }
    }
}

/// A chosen threshold and how it was found.
public struct ThresholdChoice: Sendable, Equatable, Codable {
    public var threshold: Float
    /// Human-readable rule and data ("best F1 on 5-fold out-of-fold scores of 24 good, 8 anomalous").
    public var method: String
    /// False when a target could not be met; the closest threshold was taken.
    public var targetMet: Bool
}

public enum ThresholdSelector {
    /// Chooses a threshold from validation scores over `ThresholdSweep`'s candidates
    /// (midpoints between consecutive distinct scores, plus just below the lowest and above
    /// the highest), so a threshold never sits exactly on a validation image's score.
    public static func choose(scores: [Float], labels: [Bool], policy: ThresholdPolicy) -> ThresholdChoice {
        let goods = zip(scores, labels).filter { !$0.1 }.map(\.0)
        let anomalous = labels.count { $0 }
        if anomalous == 0 || goods.isEmpty {
            return goodOnly(goods.isEmpty ? scores : goods)
        }
        let rated = ThresholdSweep.candidates(scores: scores, labels: labels)
        switch policy {
        case .bestF1:
            // Highest F1; among equal candidates, the widest unbroken run of them.
            let bestF1 = rated.map(\.confusion.f1).max() ?? 0
            var bestRun: (first: Int, last: Int)? = nil, runStart: Int? = nil
            for (k, candidate) in rated.enumerated() {
                guard candidate.confusion.f1 == bestF1 else { runStart = nil; continue }
                let start = runStart ?? k
                runStart = start
                if let run = bestRun, rated[k].threshold - rated[start].threshold <= rated[run.last].threshold - rated[run.first].threshold { continue }
                bestRun = (start, k)
            }
            guard let run = bestRun else {
                return ThresholdChoice(threshold: rated[0].threshold, method: policy.description, targetMet: true)
            }
            guard let low = rated[run.first].scoreBelow, let high = rated[run.last].scoreAbove else {
                return ThresholdChoice(threshold: (rated[run.first].threshold + rated[run.last].threshold) / 2, method: policy.description, targetMet: true)
            }
            // Every threshold in (low, high] gives this F1. Split that gap in proportion to the
            // two classes' spreads, so the margin to each side is the same in that class's own
            // units: low + (high - low) sg / (sg + sa). The good scores are usually far tighter
            // than the anomalous ones, so this sits nearer the good side than the midpoint.
            let badScores = zip(scores, labels).filter(\.1).map(\.0)
            let goodSpread = interquartileRange(goods), badSpread = interquartileRange(badScores)
            let share = goodSpread + badSpread > 0 ? goodSpread / (goodSpread + badSpread) : 0.5
            return ThresholdChoice(threshold: low + (high - low) * share, method: policy.description, targetMet: true)
        case .targetPrecision(let target):
            if let t = rated.first(where: { $0.confusion.precision >= target && $0.confusion.truePositives > 0 }) {
                return ThresholdChoice(threshold: t.threshold, method: policy.description, targetMet: true)
            }
            let best = rated.max { $0.confusion.precision < $1.confusion.precision }
            return ThresholdChoice(threshold: best?.threshold ?? rated[0].threshold, method: policy.description + " (not reachable: highest precision taken)", targetMet: false)
        case .targetRecall(let target):
            if let t = rated.last(where: { $0.confusion.recall >= target }) {
                return ThresholdChoice(threshold: t.threshold, method: policy.description, targetMet: true)
            }
            return ThresholdChoice(threshold: rated[0].threshold, method: policy.description + " (not reachable)", targetMet: false)
        }
    }

    /// The good-only rule of `ThresholdPolicy.goodOnlyQuantile` and `goodOnlyMargin`.
    public static func goodOnly(_ goodScores: [Float]) -> ThresholdChoice {
        let q = quantile(goodScores, ThresholdPolicy.goodOnlyQuantile)
        let threshold = q + ThresholdPolicy.goodOnlyMargin * interquartileRange(goodScores)
        return ThresholdChoice(threshold: threshold,
                               method: "good images only: 99th percentile of \(goodScores.count) held-back good scores + 1.0 x IQR",
                               targetMet: true)
    }
}

/// The 75th minus the 25th percentile of the values.
public func interquartileRange(_ values: [Float]) -> Float {
    quantile(values, 0.75) - quantile(values, 0.25)
}

/// Linear-interpolated quantile (q in 0...1) of the values; 0 for none.
public func quantile(_ values: [Float], _ q: Double) -> Float {
    quantile(sorted: values.sorted(), q)
}

/// `quantile` of values already in ascending order.
public func quantile(sorted: [Float], _ q: Double) -> Float {
    guard !sorted.isEmpty else { return 0 }
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
    let t = Float(position - Double(low))
    return sorted[low] * (1 - t) + sorted[high] * t
}
