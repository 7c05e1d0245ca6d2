import Networks

/// The head trained on all of some training images, its out-of-fold scores, the fusion with
/// the memory's out-of-fold scores, and the thresholds chosen on them.
struct FittedHead {
    var head: ConvPoolingHead
    var epochs: Int
    var folds: Int
    /// Fused model or one of its parts, its fusion and threshold (`ScoringDecision`).
    var decision: ScoringDecision
    var fusion: ScoreFusion { decision.fusion }
    var choice: ThresholdChoice { decision.choice }
    /// Threshold of the head's logit alone (for the ablation), and of the memory alone.
    var headChoice: ThresholdChoice
    /// Spread of the decision's out-of-fold scores of good images (for the confidence).
    var calibration: ScoreCalibration
    /// The training images' out-of-fold scores; `model` is the decision's score.
    var scores: OutOfFoldScores
    /// Out-of-fold reports on the training images (memory, head, fused), each at its own
    /// threshold chosen on those same scores: what the settings were chosen on.
    var outOfFold: [(model: String, report: EvaluationReport)]
}

/// The supervised-head step, on top of a fitted memory.
enum HeadFitting {
    /// Cross-validates the head on `indices` (early stopping and out-of-fold logits), decides
    /// between the fused score and its parts on them and the memory's out-of-fold scores
    /// (`ScoringDecision`), and trains the final head on all of `indices` for the
    /// early-stopping epoch count.
    static func fit(_ indices: [Int], memory: FittedMemory, labels: [Bool], maps: DeepMaps, extractor: FeatureExtractor,
                    options: TrainingOptions, phases: TrainingPhases) throws(InspectionError) -> FittedHead {
        let (epochs, headAll) = HeadTrainer.crossValidate(indices, labels: labels, maps: maps, extractor: extractor,
                                                          options: options.head, seed: options.seed) {
            phases.update("supervised head cross-validation", $0, $1)
        }
        // Only the photos the memory scored out of fold (all anomalous ones, and at most
        // `maxOutOfFoldGoodPhotos` good ones) are fused and judged.
        var memoryByIndex: [Int: Float] = [:]
        for (index, score) in zip(memory.oofIndices, memory.oofScores) { memoryByIndex[index] = score }
        let scored = zip(indices, headAll).compactMap { index, head in memoryByIndex[index].map { (index: index, memory: $0, head: head) } }
        let memoryOOF = scored.map(\.memory), headOOF = scored.map(\.head)
        let oofLabels = scored.map { labels[$0.index] }
        let k = max(2, min(options.head.folds, oofLabels.count { $0 }, oofLabels.count { !$0 }))
        var scores = OutOfFoldScores(labels: oofLabels, memory: memoryOOF, head: headOOF)
        let decision = ScoringDecision.choose(scores, policy: options.policy, forced: options.scoring)
        scores.model = decision.part == .memory ? memoryOOF : zip(memoryOOF, headOOF).map { decision.fusion.fuse(memory: $0.0, head: $0.1) }
        let headChoice = ThresholdSelector.choose(scores: headOOF, labels: oofLabels, policy: options.policy)
            .onOutOfFold(good: scores.goodCount, anomalous: scores.anomalousCount, part: .head, fusion: decision.fusion)
        let (head, _) = HeadTrainer.train(indices, labels: labels, maps: maps, extractor: extractor, epochs: epochs, validation: [],
                                          options: options.head, seed: options.seed &+ 1000)
        phases.update("supervised head cross-validation", k + 1, k + 1)
        phases.finish()
        guard head.parameters.allSatisfy({ $0.value.scalars.allSatisfy(\.isFinite) }) else {
            throw InspectionError("", "the supervised head diverged (non-finite weights); train with fewer anomalous images or without them")
        }
        let fusedRule = VerdictRule.trainer(.fused, policy: options.policy).fit(scores)
        let fused = zip(memoryOOF, headOOF).map { (fusedRule.fusion ?? decision.fusion).fuse(memory: $0.0, head: $0.1) }
        let memoryChoice = ThresholdSelector.choose(scores: memoryOOF, labels: oofLabels, policy: options.policy)
        let outOfFold = [("fused", EvaluationReport(scores: fused, labels: oofLabels, threshold: fusedRule.threshold.threshold)),
                         ("memory alone", EvaluationReport(scores: memoryOOF, labels: oofLabels, threshold: memoryChoice.threshold)),
                         ("fine-tuned head alone", EvaluationReport(scores: headOOF, labels: oofLabels, threshold: headChoice.threshold))]
        return FittedHead(head: head, epochs: epochs, folds: k, decision: decision, headChoice: headChoice,
                          calibration: ScoreCalibration(goodScores: zip(scores.model, oofLabels).filter { !$0.1 }.map(\.0)),
                          scores: scores, outOfFold: outOfFold)
    }
}
