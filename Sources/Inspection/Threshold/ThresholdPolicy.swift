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
    /// The lowest threshold at which a new good photo is flagged with probability at most the
    /// rate (the conformal bound of `ThresholdSelector.falseAlarmTarget`), whatever the
    /// anomalous photos: it catches the most defects the false-alarm budget allows.
    case maxFalseAlarmRate(Double)

    /// The false-alarm rate of models trained on good photos only, unless the user sets one
    /// (docs/EVALUATION.md, "What was tuned on which data").
    public static let defaultFalseAlarmRate = 0.05

    public var description: String {
        switch self {
        case .bestF1: "best F1"
        case .targetPrecision(let p): "lowest threshold with precision >= \(p)"
        case .targetRecall(let r): "highest threshold with recall >= \(r)"
        case .maxFalseAlarmRate(let a): "lowest threshold with a false-alarm rate <= \(formatShare(a))"
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
        if case .maxFalseAlarmRate(let rate) = policy { return falseAlarmTarget(goods.isEmpty ? scores : goods, rate: rate) }
        if anomalous == 0 || goods.isEmpty {
            var choice = falseAlarmTarget(goods.isEmpty ? scores : goods, rate: ThresholdPolicy.defaultFalseAlarmRate)
            choice.method = "good images only: " + choice.method
            return choice
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
        case .maxFalseAlarmRate(let rate):
            return falseAlarmTarget(goods, rate: rate)  // answered above; kept for exhaustiveness
        }
    }

    /// The lowest threshold whose false-alarm probability for a new good photo is at most
    /// `rate`, by split conformal prediction (Vovk, Gammerman and Shafer 2005): with n good
    /// out-of-fold scores sorted s(1) <= ... <= s(n) and a new good photo's score exchangeable
    /// with them, the new score is equally likely to take any of the n + 1 ranks, so a
    /// threshold between s(k) and s(k + 1) flags it with probability (n + 1 - k) / (n + 1).
    /// The smallest k with that <= rate is k = ceil((n + 1)(1 - rate)); the threshold is the
    /// midpoint of s(k) and s(k + 1), or just above s(n) when k = n. When k > n (rate < 1 /
    /// (n + 1)) n photos cannot promise the rate: the threshold is just above s(n) and
    /// `targetMet` is false. The final model's memory holds every good photo, so its scores of
    /// new good photos are, if anything, lower than the out-of-fold ones: the bound is kept.
    public static func falseAlarmTarget(_ goodScores: [Float], rate: Double) -> ThresholdChoice {
        let sorted = goodScores.sorted(), n = sorted.count
        guard n > 0 else { return ThresholdChoice(threshold: 0, method: "no good scores", targetMet: false) }
        let k = max(1, Int((Double(n + 1) * (1 - rate) - 1e-9).rounded(.up)))
        let top = sorted[n - 1]
        let above = top + max(abs(top) * 1e-3, 1e-6)  // ThresholdSweep's margin above the highest score
        let threshold = k >= n ? above : (sorted[k - 1] + sorted[k]) / 2
        let bound = conformalBound(flagged: n - min(k, n), of: n)
        var method = "lowest threshold with a false-alarm rate <= \(formatShare(rate)) (conformal bound \(formatShare(bound)))"
        if k > n { method += "; not reachable: promising \(formatShare(rate)) needs at least \(Int((1 / rate).rounded(.up)) - 1) good photos" }
        return ThresholdChoice(threshold: threshold, method: method, targetMet: k <= n)
    }

    /// The conformal bound on a new good photo's false-alarm probability when `flagged` of `n`
    /// exchangeable good scores lie at or above the threshold: (flagged + 1) / (n + 1)
    /// (Vovk et al. 2005).
    public static func conformalBound(flagged: Int, of n: Int) -> Double {
        Double(flagged + 1) / Double(n + 1)
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
