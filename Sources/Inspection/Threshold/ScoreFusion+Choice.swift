extension ScoreFusion {
    /// Weights tried, memory alone first.
    public static let memoryWeightCandidates: [Float] = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0]

    /// Chooses the memory weight on out-of-fold scores (aligned arrays): the largest memory
    /// weight whose fused AUROC is the best reached by any weight. The head has to improve the
    /// out-of-fold ranking to get any weight, and gets no more than it needs: the memory
    /// generalises to defect types never shown, while the head is fitted on a few anomalous
    /// images and its out-of-fold figures are optimistic (the early-stopping point was chosen
    /// on them). Memory alone (weight 1) when the head adds nothing.
    public static func choose(memoryScores: [Float], headScores: [Float], labels: [Bool]) -> ScoreFusion {
        let goods = { (values: [Float]) in zip(values, labels).filter { !$0.1 }.map(\.0) }
        let memory = ScoreCalibration(goodScores: goods(memoryScores)), head = ScoreCalibration(goodScores: goods(headScores))
        let rated = memoryWeightCandidates.map { w -> (ScoreFusion, Double) in
            let fusion = ScoreFusion(memory: memory, head: head, memoryWeight: w)
            let fused = zip(memoryScores, headScores).map { fusion.fuse(memory: $0.0, head: $0.1) }
            return (fusion, RankingMetrics.auroc(scores: fused, labels: labels) ?? 0)
        }
        let best = rated.map(\.1).max() ?? 0
        return rated.first { $0.1 >= best - 1e-9 }?.0 ?? ScoreFusion(memory: memory, head: head, memoryWeight: 1)
    }

    /// The validation set the fused threshold is chosen on (aligned out-of-fold arrays in,
    /// scores and labels out). The head knows only the defect types of the training images,
    /// and in cross-validation the other folds showed it those same types, so the out-of-fold
    /// anomalies are ones it recognises. A defect of a type it never saw gets only the
    /// memory's evidence; so when the head has weight, each anomalous image counts once more
    /// with the head's logit at its good median (neutral), and the threshold also catches what
    /// the memory alone would.
    public func thresholdValidation(memoryScores: [Float], headScores: [Float], labels: [Bool]) -> (scores: [Float], labels: [Bool]) {
        let fused = zip(memoryScores, headScores).map { fuse(memory: $0.0, head: $0.1) }
        guard memoryWeight < 1 else { return (fused, labels) }
        let unseenTypes = zip(memoryScores, labels).filter(\.1).map { fuse(memory: $0.0, head: head.goodMedian) }
        return (fused + unseenTypes, labels + Array(repeating: true, count: unseenTypes.count))
    }
}
