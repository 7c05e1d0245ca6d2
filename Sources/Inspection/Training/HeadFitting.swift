import Networks

/// The head trained on all of some training images, its out-of-fold scores, the fusion with
/// the memory's out-of-fold scores, and the thresholds chosen on them.
struct FittedHead {
    var head: ConvPoolingHead
    var epochs: Int
    var folds: Int
    var fusion: ScoreFusion
    /// Threshold of the fused score, and of the head's logit alone (for the ablation).
    var choice: ThresholdChoice
    var headChoice: ThresholdChoice
    /// Spread of the fused out-of-fold scores of good images (for the confidence).
    var calibration: ScoreCalibration
    /// Out-of-fold reports on the training images (memory, head, fused), each at its own
    /// threshold chosen on those same scores: what the settings were chosen on.
    var outOfFold: [(model: String, report: EvaluationReport)]
}

/// The supervised-head step, on top of a fitted memory.
enum HeadFitting {
    /// Cross-validates the head on `indices` (early stopping and out-of-fold logits), fuses its
    /// out-of-fold logits with the memory's out-of-fold scores, chooses the fused threshold on
    /// them with the training policy, and trains the final head on all of `indices` for the
    /// early-stopping epoch count.
    static func fit(_ indices: [Int], memory: FittedMemory, labels: [Bool], maps: DeepMaps, extractor: FeatureExtractor,
                    options: TrainingOptions, phases: TrainingPhases) throws(InspectionError) -> FittedHead {
        let (epochs, headOOF) = HeadTrainer.crossValidate(indices, labels: labels, maps: maps, extractor: extractor,
                                                          options: options.head, seed: options.seed) {
            phases.update("supervised head cross-validation", $0, $1)
        }
        var memoryByIndex: [Int: Float] = [:]
        for (index, score) in zip(memory.oofIndices, memory.oofScores) { memoryByIndex[index] = score }
        let memoryOOF = indices.map { memoryByIndex[$0] ?? 0 }
        let oofLabels = indices.map { labels[$0] }
        let fusion = ScoreFusion.choose(memoryScores: memoryOOF, headScores: headOOF, labels: oofLabels)
        let fused = zip(memoryOOF, headOOF).map { fusion.fuse(memory: $0.0, head: $0.1) }
        let k = max(2, min(options.head.folds, oofLabels.count { $0 }, oofLabels.count { !$0 }))
        let data = " on out-of-fold scores of \(oofLabels.count { !$0 }) good and \(oofLabels.count { $0 }) anomalous training images"
        let validation = fusion.thresholdValidation(memoryScores: memoryOOF, headScores: headOOF, labels: oofLabels)
        var choice = ThresholdSelector.choose(scores: validation.scores, labels: validation.labels, policy: options.policy)
        choice.method += data + String(format: " (fused: memory weight %.1f, head weight %.1f", fusion.memoryWeight, 1 - fusion.memoryWeight)
            + (fusion.memoryWeight < 1 ? "; each anomalous image counted again with the head neutral, as a defect type it never saw)" : ")")
        var headChoice = ThresholdSelector.choose(scores: headOOF, labels: oofLabels, policy: options.policy)
        headChoice.method += data
        let (head, _) = HeadTrainer.train(indices, labels: labels, maps: maps, extractor: extractor, epochs: epochs, validation: [],
                                          options: options.head, seed: options.seed &+ 1000)
        phases.update("supervised head cross-validation", k + 1, k + 1)
        phases.finish()
        guard head.parameters.allSatisfy({ $0.value.scalars.allSatisfy(\.isFinite) }) else {
            throw InspectionError("", "the supervised head diverged (non-finite weights); train with fewer anomalous images or without them")
        }
        let memoryChoice = ThresholdSelector.choose(scores: memoryOOF, labels: oofLabels, policy: options.policy)
        let outOfFold = [("fused", EvaluationReport(scores: fused, labels: oofLabels, threshold: choice.threshold)),
                         ("memory alone", EvaluationReport(scores: memoryOOF, labels: oofLabels, threshold: memoryChoice.threshold)),
                         ("fine-tuned head alone", EvaluationReport(scores: headOOF, labels: oofLabels, threshold: headChoice.threshold))]
        return FittedHead(head: head, epochs: epochs, folds: k, fusion: fusion, choice: choice, headChoice: headChoice,
                          calibration: ScoreCalibration(goodScores: zip(fused, oofLabels).filter { !$0.1 }.map(\.0)),
                          outOfFold: outOfFold)
    }
}
