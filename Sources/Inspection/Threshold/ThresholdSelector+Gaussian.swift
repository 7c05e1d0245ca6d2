import Foundation

extension ThresholdSelector {
    /// The threshold of the best expected F1 when each class's scores follow a normal
    /// distribution, fitted robustly (median; interquartile range / 1.349 as the standard
    /// deviation) and weighted by the share p of anomalous photos:
    /// F1(t) = 2 p R(t) / (p R(t) + p + (1 - p) A(t)), with the recall R and the false-alarm
    /// rate A the two normal tails above t. It rests on every score rather than on the one or
    /// two nearest the gap, so it moves less when a fold assignment or a photo changes. A
    /// candidate rule of the verdict-rule study; with one class only, the good-only rule.
    public static func gaussianExpectedF1(scores: [Float], labels: [Bool]) -> Float {
        let goods = zip(scores, labels).filter { !$0.1 }.map(\.0), bads = zip(scores, labels).filter(\.1).map(\.0)
        guard !goods.isEmpty, !bads.isEmpty else {
            return falseAlarmTarget(goods.isEmpty ? scores : goods, rate: ThresholdPolicy.defaultFalseAlarmRate).threshold
        }
        let mg = Double(quantile(goods, 0.5)), ma = Double(quantile(bads, 0.5))
        let floor = max(abs(mg), abs(ma), 1e-6) * 1e-3
        let sg = max(Double(interquartileRange(goods)) / 1.349, floor), sa = max(Double(interquartileRange(bads)) / 1.349, floor)
        let p = Double(bads.count) / Double(scores.count)
        func tail(_ t: Double, _ mean: Double, _ sd: Double) -> Double { 0.5 * erfc((t - mean) / (sd * 2.0.squareRoot())) }
        let low = min(mg, ma) - 3 * sg, high = max(mg, ma) + 3 * sa
        var best = (f1: -1.0, t: (mg + ma) / 2)
        for step in 0...1000 {
            let t = low + (high - low) * Double(step) / 1000
            let recall = tail(t, ma, sa), alarms = tail(t, mg, sg)
            let f1 = 2 * p * recall / max(p * recall + p + (1 - p) * alarms, 1e-12)
            if f1 > best.f1 { best = (f1, t) }
        }
        return Float(best.t)
    }
}
