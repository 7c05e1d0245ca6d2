/// The training images held back for the report when no test set is given (a stratified,
/// seeded share of each class), and the ones the reported model is fitted on.
struct EvaluationSplit {
    var fitIndices: [Int]
    var evalIndices: [Int]
    /// What the report was measured on, in words.
    var evaluatedOn: String

    init(labels: [Bool], options: TrainingOptions) {
        let split = Splits.holdOut(labels: labels, fraction: options.holdOutFraction, seed: options.seed)
        fitIndices = split.train
        evalIndices = split.heldOut
        let g = evalIndices.count { !labels[$0] }
        evaluatedOn = "\(Int((options.holdOutFraction * 100).rounded()))% of the training images held back (\(g) good, \(evalIndices.count - g) anomalous), model retrained on all afterwards"
    }
}
