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
    public func choose(scores: [Double], labels: [Int]) -> Double? {
        if case .fixed(let t) = self { return t }
        // Candidates: each distinct score, from the highest down.
        let candidates = Array(Set(scores)).sorted(by: >)
        var best: (t: Double, f: Double)? = nil
        let p = labels.reduce(0, +)
        var tp = 0, fp = 0
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var i = 0
        for t in candidates {
            while i < order.count && scores[order[i]] >= t {
                if labels[order[i]] == 1 { tp += 1 } else { fp += 1 }
                i += 1
            }
            let precision = Double(tp) / Double(tp + fp), recall = p == 0 ? 0 : Double(tp) / Double(p)
            switch self {
            case .bestF1:
                let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
                if f > (best?.f ?? -1) { best = (t, f) }
            case .precision(let target):
                if precision >= target { best = (t, 0) }
            case .recall(let target):
                if recall >= target { return t }
            case .fixed: break
            }
        }
        return best?.t
    }
}
