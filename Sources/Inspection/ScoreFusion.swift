/// One calibrated anomaly score from the memory's score and the head's logit (issue 4,
/// part 3). Each is standardised against the good images' out-of-fold scores,
/// z = (s - good median) / (good 95th percentile - good median), so both read "how many
/// good-spreads above a typical good item"; the fused score is w z_memory + (1 - w) z_head,
/// with w chosen on out-of-fold scores of the training images (`choose`).
public struct ScoreFusion: Sendable, Codable, Equatable {
    public var memory: ScoreCalibration
    public var head: ScoreCalibration
    public var memoryWeight: Float

    public init(memory: ScoreCalibration, head: ScoreCalibration, memoryWeight: Float) {
        self.memory = memory
        self.head = head
        self.memoryWeight = memoryWeight
    }

    public func fuse(memory m: Float, head h: Float) -> Float {
        memoryWeight * (m - memory.goodMedian) / memory.goodSpread + (1 - memoryWeight) * (h - head.goodMedian) / head.goodSpread
    }

    /// Weights tried, memory alone first.
    public static let memoryWeightCandidates: [Float] = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0]

    /// Chooses the memory weight on out-of-fold scores (aligned arrays): the highest AUROC,
    /// then the widest margin between the classes (lowest anomalous minus highest good fused
    /// score, in good spreads of the fused score), then the larger memory weight, so the
    /// fused score equals the memory's unless the head adds separation.
    public static func choose(memoryScores: [Float], headScores: [Float], labels: [Bool]) -> ScoreFusion {
        let goods = { (values: [Float]) in zip(values, labels).filter { !$0.1 }.map(\.0) }
        let memory = ScoreCalibration(goodScores: goods(memoryScores)), head = ScoreCalibration(goodScores: goods(headScores))
        var best: (fusion: ScoreFusion, auroc: Double, margin: Double)?
        for w in memoryWeightCandidates {
            let fusion = ScoreFusion(memory: memory, head: head, memoryWeight: w)
            let fused = zip(memoryScores, headScores).map { fusion.fuse(memory: $0.0, head: $0.1) }
            let auroc = RankingMetrics.auroc(scores: fused, labels: labels) ?? 0
            let good = zip(fused, labels).filter { !$0.1 }.map(\.0), bad = zip(fused, labels).filter { $0.1 }.map(\.0)
            let spread = ScoreCalibration(goodScores: good).goodSpread
            let margin = Double(((bad.min() ?? 0) - (good.max() ?? 0)) / spread)
            if let b = best, !(auroc > b.auroc + 1e-9 || (abs(auroc - b.auroc) <= 1e-9 && margin > b.margin + 1e-6)) { continue }
            best = (fusion, auroc, margin)
        }
        return best?.fusion ?? ScoreFusion(memory: memory, head: head, memoryWeight: 1)
    }
}
