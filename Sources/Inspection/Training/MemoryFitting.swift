import Tensors
import WorkerThreads

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
    /// The out-of-fold patch distances behind `oofScores` (the segmentation's fusion is
    /// chosen on their maps).
    var oofPatchScores: [PatchScore] = []

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
    static func fitChoosingWeight(_ indices: [Int], features: PatchGridStore, candidates: CandidatesByWeight, labels: [Bool],
                                  options: TrainingOptions, phases: TrainingPhases) throws(InspectionError) -> FittedMemory {
        let candidatesWeights = indices.contains { labels[$0] } ? stride8WeightCandidates : [1]
        var best: FittedMemory?
        for weight in candidatesWeights {
            let fitted = try fit(indices, stride8Weight: weight, features: features, candidates: try candidates(weight), labels: labels,
                                 options: options, phases: phases)
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
    /// scores of those same images (never their own in-memory scores). One coreset is
    /// selected over the good images; each fold's images are scored against that coreset
    /// with the fold's own photos taken out and the selection grown back without them
    /// (`MemoryCoreset.excluding`), so no image is scored against its own patches.
    static func fit(_ indices: [Int], stride8Weight: Float, features: PatchGridStore, candidates: CoresetCandidates, labels: [Bool],
                    options: TrainingOptions, phases: TrainingPhases) throws(InspectionError) -> FittedMemory {
        let goods = indices.filter { !labels[$0] }
        guard goods.count >= 2 else { throw InspectionError("", "too few good images to train and validate (\(goods.count))") }
        let foldOf = folds(indices, labels: labels, options: options)
        let k = min(options.folds, goods.count)
        let isGood = Set(goods)
        let target = { (photos: Int) in options.memorySize(patches: photos * features.patchesPerGrid) }
        let coreset = try phases.run("coreset", total: 1) { _ in
            MemoryCoreset(candidates, including: { isGood.contains($0) }, target: target(goods.count), seed: options.seed)
        }
        // The folds side by side on the pool's threads, each fold's work on one thread.
        let members = (0..<k).map { f in scored(indices.filter { foldOf[$0] == f }, labels: labels, folds: k, options: options) }
        var scores = [[PatchScore]](repeating: [], count: k)
        let done = ProgressCounter()
        try phases.run("threshold cross-validation", total: members.reduce(0) { $0 + $1.count }) { report in
            scores.withUnsafeMutableBufferPointer { out in
                WorkerPool.shared.parallelFor(count: k) { f in
                    let foldGoods = indices.count { foldOf[$0] == f && !labels[$0] }
                    let memory = coreset.excluding({ foldOf[$0] == f }, target: target(goods.count - foldGoods),
                                                   seed: options.seed &+ UInt64(f)).memory
                    out[f] = members[f].map { PatchScore(grid: features.grid($0, stride8Weight: stride8Weight), memory: memory) }
                    report(done.add(members[f].count))
                }
            }
        }
        let patchScores = scores.flatMap { $0 }, oofScores = patchScores.map(\.score)
        let oofIndices = members.flatMap { $0 }, oofLabels = oofIndices.map { labels[$0] }
        let choice = ThresholdSelector.choose(scores: oofScores, labels: oofLabels, policy: options.policy)
        let goodScores = zip(oofScores, oofLabels).filter { !$0.1 }.map(\.0)
        let goodPatchScores = zip(patchScores, oofLabels).filter { !$0.1 }.map(\.0)
        return FittedMemory(memory: coreset.memory,
                            choice: choice.onMemoryFolds(k, good: goodScores.count, anomalous: oofLabels.count - goodScores.count),
                            calibration: ScoreCalibration(goodScores: goodScores), stride8Weight: stride8Weight,
                            oofScores: oofScores, oofLabels: oofLabels, oofIndices: oofIndices,
                            mapCutOff: MapCutOff.fromGoodMaps(count: goodPatchScores.count) { goodPatchScores[$0].inputSizeMap() },
                            oofPatchScores: patchScores)
    }

    /// The cross-validation fold of each of `indices` (by image index): `options.folds` folds,
    /// fewer when there are fewer good images, stratified by label and seeded.
    static func folds(_ indices: [Int], labels: [Bool], options: TrainingOptions) -> [Int: Int] {
        let k = min(options.folds, indices.count { !labels[$0] })
        let fold = Splits.folds(labels: indices.map { labels[$0] }, folds: max(k, 1), seed: options.seed &+ 1)
        return Dictionary(uniqueKeysWithValues: zip(indices, fold))
    }

    /// The images of one fold that are scored out of fold: all, or when the good images are more
    /// than `options.maxOutOfFoldGoodPhotos`, the anomalous ones and the fold's first
    /// `maxOutOfFoldGoodPhotos / folds` good ones (fold membership is seeded, the order is the
    /// training order).
    static func scored(_ fold: [Int], labels: [Bool], folds: Int, options: TrainingOptions) -> [Int] {
        let perFold = (options.maxOutOfFoldGoodPhotos + folds - 1) / max(folds, 1)
        var goodsTaken = 0
        return fold.filter { i in
            if labels[i] { return true }
            goodsTaken += 1
            return goodsTaken <= perFold
        }
    }

    /// `score` of each image, the images spread over the shared pool (each scored on one thread).
    static func scoreInParallel(_ images: [Int], _ score: (Int) -> Float) -> [Float] {
        var scores = [Float](repeating: 0, count: images.count)
        scores.withUnsafeMutableBufferPointer { out in
            WorkerPool.shared.parallelFor(count: images.count) { out[$0] = score(images[$0]) }
        }
        return scores
    }
}
