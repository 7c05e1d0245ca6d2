import Foundation

/// How much work each phase of a training run is, in units of one photo's decoding and
/// feature extraction, so progress can say how much of the whole run is done. The costs per
/// item are rough ratios measured on EfficientNet-Lite0 at 320x320 on a 2-core machine; the
/// estimate only has to be good enough for an ETA.
struct TrainingPlan {
    /// Units of one item of each phase.
    private var unitCost: [String: Double] = [:]
    private(set) var totalUnits = 0.0

    /// The plan of `Trainer.train` for these counts. `memorySize` is the final memory's
    /// patches, `candidates` the coreset candidates it is selected from.
    init(trainPhotos: Int, goodPhotos: Int, testPhotos: Int, supervised: Bool, weightCandidates: Int, holdOut: Bool,
         memorySize: Int, candidates: Int, options: TrainingOptions) {
        // Scoring a stored photo against a memory of M patches, relative to extracting it:
        // about 2.2 at 8192 patches, in proportion to M.
        let search = 2.2 * Double(memorySize) / 8192
        let projected = Double(CoresetCandidates.projectedDimension)
        let variants = max(0, options.head.variantsPerImage - 1)
        let headFolds = max(2, options.head.folds)
        // One selection over all candidates: a step per memory patch, each over every candidate
        // (about 190 units for 8192 patches from 48,000 candidates). The folds' memories, grown
        // back from it, cost about as much again, spread over the cross-validation's photos.
        let selection = Double(memorySize) * Double(candidates) * projected / 1.3e11
        let cost: [String: Double] = [
            "features": 1, "augmented variants": 1, "coreset candidates": 0.2, "coreset": selection,
            "threshold cross-validation": search + selection / Double(max(trainPhotos, 1)),
            // One fold of the head's training.
            "supervised head cross-validation": Double(options.head.maxEpochs * options.head.stepsPerEpoch * options.head.batchSize) / 20,
            "evaluate": testPhotos > 0 ? 1 + search : search]
        func units(_ phase: String, _ items: Int) -> Double { (cost[phase] ?? 0) * Double(items) }
        let scored = min(trainPhotos, trainPhotos - goodPhotos + options.maxOutOfFoldGoodPhotos)
        func fit(_ share: Double) -> Double {
            var total = Double(weightCandidates) * (units("coreset", 1) + units("threshold cross-validation", Int(Double(scored) * share)))
            if supervised { total += units("supervised head cross-validation", headFolds + 1) }
            return total
        }
        var total = units("features", trainPhotos) + units("coreset candidates", goodPhotos * weightCandidates) + fit(1)
        if supervised { total += units("augmented variants", trainPhotos * variants) }
        if testPhotos > 0 {
            total += units("evaluate", testPhotos)
        } else if holdOut {
            total += fit(1 - options.holdOutFraction) + units("evaluate", Int(Double(trainPhotos) * options.holdOutFraction))
        }
        unitCost = cost
        totalUnits = total
    }

    /// Units of `items` items of `phase` (a "hold-out model: " phase costs what its step does).
    func units(_ phase: String, items: Int) -> Double {
        let step = phase.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? phase
        return (unitCost[step] ?? 0) * Double(items)
    }
}
