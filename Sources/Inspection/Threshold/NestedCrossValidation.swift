/// A verdict rule's figures on photos it was not fitted on.
public struct CrossValidatedOutcome: Sendable, Codable, Equatable {
    public var rule: String
    public var f1: Double
    public var auroc: Double?
    public var falseAlarmRate: Double
    public var missRate: Double
}

/// Judges a verdict rule on training photos alone, by nested cross-validation over their
/// out-of-fold scores: the photos are split into stratified folds; the rule is fitted on all
/// folds but one and decides the photos of the remaining fold; the decisions of all folds
/// together give its F1, false-alarm and miss rates, averaged over several fold assignments.
/// The scores are already out-of-fold (each photo was scored by a memory and a head that did
/// not learn from it), so nothing is retrained; but the threshold and the fusion weight are
/// chosen without the photos they decide, unlike figures read at a threshold chosen on the
/// same scores.
///
/// With `unseenTypes`, each anomalous photo of the judged fold is also judged a second time
/// as a defect of a type the head was never shown (`FittedVerdictRule.unseenTypeScore`). Out
/// of fold, the other folds showed the head every defect type of the training photos, so its
/// out-of-fold figures say nothing about defects of other types, which a product will have;
/// the memory alone is judged the same either way.
public enum NestedCrossValidation {
    public static func evaluate(_ input: OutOfFoldScores, rule: VerdictRule, folds: Int = 5, repeats: Int = 4,
                                seed: UInt64 = 1, unseenTypes: Bool = false) -> CrossValidatedOutcome? {
        // Folds are drawn over the photos in a canonical order (label, then scores), so the
        // figures depend on the scores alone, never on the order the photos came in.
        let scores = input.subset(input.labels.indices.sorted { a, b in
            (input.labels[a] ? 1 : 0, input.memory[a], input.head?[a] ?? 0, input.model[a])
                < (input.labels[b] ? 1 : 0, input.memory[b], input.head?[b] ?? 0, input.model[b])
        })
        let anomalous = scores.anomalousCount, good = scores.goodCount
        guard anomalous >= 2, good >= 2 else { return nil }
        let k = max(2, min(folds, anomalous, good))
        var f1 = 0.0, falseAlarms = 0.0, misses = 0.0, auroc = 0.0, aurocCount = 0
        for r in 0..<repeats {
            let fold = Splits.folds(labels: scores.labels, folds: k, seed: seed &+ UInt64(r) &* 7919)
            var decided = [Float](repeating: 0, count: scores.labels.count)
            var confusion = ConfusionMatrix()
            for f in 0..<k {
                let inner = scores.labels.indices.filter { fold[$0] != f }
                let fitted = rule.fit(scores.subset(inner))
                for i in scores.labels.indices where fold[i] == f {
                    // Distance above the fold's own threshold, comparable across folds.
                    decided[i] = fitted.score(scores, i) - fitted.threshold.threshold
                    confusion.add(flagged: decided[i] >= 0, anomalous: scores.labels[i])
                    if unseenTypes && scores.labels[i] {
                        confusion.add(flagged: fitted.unseenTypeScore(scores, i) >= fitted.threshold.threshold, anomalous: true)
                    }
                }
            }
            f1 += confusion.f1
            falseAlarms += confusion.falsePositiveRate
            misses += 1 - confusion.recall
            if let a = RankingMetrics.auroc(scores: decided, labels: scores.labels) { auroc += a; aurocCount += 1 }
        }
        let n = Double(repeats)
        return CrossValidatedOutcome(rule: rule.name, f1: f1 / n, auroc: aurocCount > 0 ? auroc / Double(aurocCount) : nil,
                                     falseAlarmRate: falseAlarms / n, missRate: misses / n)
    }
}

extension ConfusionMatrix {
    mutating func add(flagged: Bool, anomalous: Bool) {
        switch (flagged, anomalous) {
        case (true, true): truePositives += 1
        case (true, false): falsePositives += 1
        case (false, true): falseNegatives += 1
        case (false, false): trueNegatives += 1
        }
    }
}
