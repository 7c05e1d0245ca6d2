/// A memory fitted on some training images, with the threshold and calibration chosen on
/// k-fold out-of-fold scores of those images.
struct FittedMemory {
    var memory: PatchMemory
    var choice: ThresholdChoice
    var calibration: ScoreCalibration
    var stride8Weight: Float = 1
    var oofScores: [Float]
    var oofLabels: [Bool]
    /// The image index of each out-of-fold score.
    var oofIndices: [Int]
    /// The masks' cut-off, from the good images' out-of-fold maps.
    var mapCutOff: MapCutOff?

    /// How well the out-of-fold scores separate anomalous from good images: AUROC, then
    /// the anomalous median's distance above the good median in units of the good
    /// spread. Nil without anomalous images.
    var separation: (Double, Double)? {
        let bads = zip(oofScores, oofLabels).filter { $0.1 }.map(\.0)
        guard !bads.isEmpty, let auc = RankingMetrics.auroc(scores: oofScores, labels: oofLabels) else { return nil }
        return (auc, Double((quantile(bads, 0.5) - calibration.goodMedian) / calibration.goodSpread))
    }
}

/// The memory step: the normal-patch memory over good training images, the stride-8 weight,
/// and the threshold chosen on out-of-fold scores.
enum MemoryFitting {
    /// Candidate weights of the stride-8 features, tried when anomalous images exist.
    static let stride8WeightCandidates: [Float] = [1, 0.5, 0.25]

    /// `fit` for each stride-8 weight candidate, keeping the one whose out-of-fold scores
    /// separate the training images best (AUROC first, then the anomalous images' distance
    /// from the good ones); ties keep the larger weight. With good images only there is
    /// nothing to compare, and the weight stays 1 (PatchCore's plain concatenation).
    static func fitChoosingWeight(_ indices: [Int], layers: LayerWeighting, labels: [Bool], options: TrainingOptions,
                                  progress: TrainingProgress) throws(InspectionError) -> FittedMemory {
        let candidates = indices.contains { labels[$0] } ? stride8WeightCandidates : [1]
        var best: FittedMemory?
        for weight in candidates {
            var fitted = try fit(indices, grids: layers.grids(weight), preselected: layers.preselected(weight), labels: labels,
                                 options: options, progress: progress)
            fitted.stride8Weight = weight
            if let current = best, let a = current.separation, let b = fitted.separation,
               !(b.0 > a.0 + 1e-9 || (abs(b.0 - a.0) <= 1e-9 && b.1 > a.1)) {
                continue
            }
            best = fitted
        }
        guard let best else { throw InspectionError("", "no layer weighting could be fitted") }
        return best
    }

    /// Memory over the good images among `indices`, and a threshold from k-fold out-of-fold
    /// scores of those same images (never their own in-memory scores).
    static func fit(_ indices: [Int], grids: [PatchGrid], preselected: [PatchGrid], labels: [Bool], options: TrainingOptions,
                    progress: TrainingProgress) throws(InspectionError) -> FittedMemory {
        let goods = indices.filter { !labels[$0] }
        guard goods.count >= 2 else { throw InspectionError("", "too few good images to train and validate (\(goods.count))") }
        let k = min(options.folds, goods.count)
        let fold = Splits.folds(labels: indices.map { labels[$0] }, folds: k, seed: options.seed &+ 1)
        var oofScores: [Float] = [], oofLabels: [Bool] = [], oofIndices: [Int] = [], goodPatchScores: [PatchScore] = []
        for f in 0..<k {
            progress("threshold cross-validation", f, k + 1)
            let memoryImages = zip(indices, fold).filter { !labels[$0.0] && $0.1 != f }.map(\.0)
            let memory = memoryFor(memoryImages, grids: grids, preselected: preselected, options: options)
            for (index, g) in zip(indices, fold) where g == f {
                let patch = PatchScore(grid: grids[index], memory: memory)
                oofScores.append(patch.score)
                if !labels[index] { goodPatchScores.append(patch) }
                oofLabels.append(labels[index])
                oofIndices.append(index)
            }
        }
        let choice = ThresholdSelector.choose(scores: oofScores, labels: oofLabels, policy: options.policy)
        let goodScores = zip(oofScores, oofLabels).filter { !$0.1 }.map(\.0)
        let memory = memoryFor(goods, grids: grids, preselected: preselected, options: options)
        progress("threshold cross-validation", k + 1, k + 1)
        return FittedMemory(memory: memory, choice: choice.onMemoryFolds(k, good: goodScores.count, anomalous: oofLabels.count - goodScores.count),
                            calibration: ScoreCalibration(goodScores: goodScores), oofScores: oofScores, oofLabels: oofLabels,
                            oofIndices: oofIndices, mapCutOff: MapCutOff.fromGoodMaps(count: goodPatchScores.count) {
                                goodPatchScores[$0].inputSizeMap()
                            })
    }

    static func memoryFor(_ images: [Int], grids: [PatchGrid], preselected: [PatchGrid], options: TrainingOptions) -> PatchMemory {
        PatchMemory.build(preselected: images.map { preselected[$0] }, originalPatchCount: images.reduce(0) { $0 + grids[$1].patchCount },
                          fraction: options.coresetFraction, seed: options.seed)
    }
}
