import ClassifierMetrics
import Foundation

/// How the score threshold is chosen (a score >= threshold predicts the positive class).
public enum ThresholdRule: Codable, Sendable, Equatable, CustomStringConvertible {
    case fixed(Double)
    case bestF1
    /// The lowest threshold whose precision reaches the target (most recall at that precision).
    case precision(Double)
    /// The highest threshold whose recall reaches the target (most precision at that recall).
    case recall(Double)

    public var description: String {
        switch self {
        case .fixed(let t): return "fixed \(t)"
        case .bestF1: return "best F1"
        case .precision(let p): return "precision >= \(p)"
        case .recall(let r): return "recall >= \(r)"
        }
    }

    /// Picks the threshold on (scores, labels); nil when no threshold meets a precision or recall target.
    /// The candidates are `ThresholdSweep`'s, from the highest down, each reported as the lowest
    /// score it predicts positive (the same decisions as the sweep's midpoint); the candidate
    /// above every score, which predicts nothing positive, is not one.
    public func choose(scores: [Double], labels: [Int]) -> Double? {
        let positives = labels.reduce(0, +)
        func steps() -> [(threshold: Double, confusion: ConfusionMatrix)] {
            ThresholdSweep.candidates(scores: scores, labels: labels.map { $0 == 1 })
                .reversed().compactMap { c in c.scoreAbove.map { ($0, c.confusion) } }
        }
        // Recall counts as 0 without positives, so no recall target is met on such data.
        func recall(_ m: ConfusionMatrix) -> Double { positives == 0 ? 0 : m.recall }
        switch self {
        case .fixed(let t):
            return t
        case .bestF1:
            // The first (highest) threshold of the highest F1.
            var best: (threshold: Double, f1: Double)? = nil
            for step in steps() where step.confusion.f1 > (best?.f1 ?? -1) { best = (step.threshold, step.confusion.f1) }
            return best?.threshold
        case .precision(let target):
            return steps().last { $0.confusion.precision >= target }?.threshold
        case .recall(let target):
            return steps().first { recall($0.confusion) >= target }?.threshold
        }
    }
}
