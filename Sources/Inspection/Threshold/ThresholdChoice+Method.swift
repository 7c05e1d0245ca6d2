/// How a threshold's method reads in the card and the report: the rule, then the data it was
/// chosen on. Every method string of the trainer is made here.
extension ThresholdChoice {
    /// The memory's threshold, chosen on `folds`-fold out-of-fold scores.
    func onMemoryFolds(_ folds: Int, good: Int, anomalous: Int) -> ThresholdChoice {
        var copy = self
        copy.method += " on \(folds)-fold out-of-fold scores of \(good) good" + (anomalous > 0 ? " and \(anomalous) anomalous" : "")
            + " training images"
        return copy
    }

    /// A threshold chosen on the out-of-fold scores of the supervised step (memory and head).
    func onOutOfFold(good: Int, anomalous: Int, part: ScoringPart, fusion: ScoreFusion) -> ThresholdChoice {
        var copy = self
        copy.method += " on out-of-fold scores of \(good) good and \(anomalous) anomalous training images"
        switch part {
        case .memory: copy.method += " (memory alone)"
        case .head: copy.method += " (fine-tuned head alone, standardised)"
        case .fused:
            copy.method += String(format: " (fused: memory weight %.1f, head weight %.1f", fusion.memoryWeight, 1 - fusion.memoryWeight)
                + (fusion.memoryWeight < 1 && ScoringDecision.countsUnseenTypes
                    ? "; each anomalous image counted again with the head neutral, as a defect type it never saw)" : ")")
        }
        return copy
    }
}
