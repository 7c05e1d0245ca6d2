import Networks

/// One model's scores on the evaluation images and its report at its own threshold.
struct ModelEvaluation {
    var model: String
    var report: EvaluationReport
    var scores: [Float]
}

/// The evaluation step: the evaluated model's memory (and head, when it has one) scores the
/// evaluation images; each of "fused", "memory alone" and "fine-tuned head alone" is
/// reported at its own threshold chosen on training data. The first entry is the model's own
/// (the part `ScoringDecision` saved when the fused model was not).
enum TrainingEvaluation {
    static func evaluate(_ evalIndices: [Int], memory: FittedMemory, head: FittedHead?, layers: LayerWeighting,
                         deepMaps: DeepMaps, labels: [Bool]) -> [ModelEvaluation] {
        let evalGrids = layers.grids(memory.stride8Weight)
        let evalLabels = evalIndices.map { labels[$0] }
        let memoryScores = evalIndices.map { PatchScore(grid: evalGrids[$0], memory: memory.memory).score }
        let memoryAlone = ModelEvaluation(model: "memory alone", report: EvaluationReport(scores: memoryScores, labels: evalLabels,
                                                                                         threshold: memory.choice.threshold),
                                          scores: memoryScores)
        guard let head else { return [memoryAlone] }
        let headScores = FoldedConvPoolingHead(head.head).logits(ofDeepMaps: evalIndices.map { deepMaps.variants[$0][0] })
        let headAlone = ModelEvaluation(model: "fine-tuned head alone",
                                        report: EvaluationReport(scores: headScores, labels: evalLabels, threshold: head.headChoice.threshold),
                                        scores: headScores)
        switch head.decision.part {
        case .memory:
            return [memoryAlone, headAlone]
        case .head:
            let standardised = headScores.map { head.fusion.fuse(memory: 0, head: $0) }
            return [ModelEvaluation(model: "fine-tuned head alone (saved)",
                                    report: EvaluationReport(scores: standardised, labels: evalLabels, threshold: head.choice.threshold),
                                    scores: standardised), memoryAlone]
        case .fused:
            let fused = zip(memoryScores, headScores).map { head.fusion.fuse(memory: $0.0, head: $0.1) }
            return [ModelEvaluation(model: "fused", report: EvaluationReport(scores: fused, labels: evalLabels, threshold: head.choice.threshold),
                                    scores: fused),
                    memoryAlone, headAlone]
        }
    }
}
