/// Which images the training report is measured on, and which ones the evaluated model is
/// fitted on: the given test set with the final model, or else a stratified seeded share of
/// the training images held back from a model fitted on the rest.
struct EvaluationSplit {
    /// Indices (into training then test images) of the images the evaluated model learns from.
    var fitIndices: [Int]
    var evalIndices: [Int]
    /// What the report was measured on, in words.
    var evaluatedOn: String
    /// Whether the evaluated model is the final one (a test set was given).
    var evaluatesFinalModel: Bool

    init(labels: [Bool], trainCount: Int, test: InspectionDataset?, options: TrainingOptions) {
        if let test {
            fitIndices = Array(0..<trainCount)
            evalIndices = Array(trainCount..<labels.count)
            evaluatedOn = "the test set (\(test.goodCount) good, \(test.anomalousCount) anomalous)"
            evaluatesFinalModel = true
        } else {
            let split = Splits.holdOut(labels: Array(labels[0..<trainCount]), fraction: options.holdOutFraction, seed: options.seed)
            fitIndices = split.train
            evalIndices = split.heldOut
            let g = evalIndices.count { !labels[$0] }
            evaluatedOn = "\(Int((options.holdOutFraction * 100).rounded()))% of the training images held back (\(g) good, \(evalIndices.count - g) anomalous), model retrained on all afterwards"
            evaluatesFinalModel = false
        }
    }
}
