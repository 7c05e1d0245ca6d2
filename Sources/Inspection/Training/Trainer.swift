import Foundation
import Imaging

/// Trains the normal-patch memory, the supervised head when anomalous images exist, their
/// fusion, and chooses the threshold, as a sequence of steps:
///
/// 1. Photos (`ReadableImages`, `PhotoLoading`): hashed into their canonical order, decoded
///    and resized, every one once; every unreadable one is listed (or, with
///    `skipUnreadable`, left out and recorded in the card).
/// 2. Features (`TrainingFeatures`): patch grids, and deep maps with augmented variants for
///    the supervised head.
/// 3. Memory and threshold (`MemoryFitting`): memory from all good training images,
///    threshold by k-fold cross-validation on the training images (each fold's images scored
///    against a memory built without them).
/// 4. Supervised head (`HeadFitting`) and its fusion with the memory, when anomalous images exist.
/// 5. Evaluation (`EvaluationSplit`, `TrainingEvaluation`): on the given test set, or else on
///    a stratified seeded 20% held back, with a model trained (memory + cross-validated
///    threshold) on the rest only.
/// 6. The model and its card (`ModelCard+Training`).
public enum Trainer {
    public static func train(_ dataset: InspectionDataset, test: InspectionDataset? = nil,
                             extractor: FeatureExtractor, options: TrainingOptions = TrainingOptions(),
                             progress: @escaping TrainingProgress = { _, _, _ in }) throws(InspectionError) -> TrainingResult {
        guard dataset.goodCount >= 3 else {
            throw InspectionError("", "training needs at least 3 good images, got \(dataset.goodCount)")
        }
        var timer = PhaseTimer()
        let readable = try timer.time("decode") { () throws(InspectionError) -> ReadableImages in
            try ReadableImages.load(dataset, test: test, extractor: extractor, options: options, progress: progress)
        }
        let (dataset, test, loaded, size, photoSize) = (readable.dataset, readable.test, readable.loaded, readable.size, readable.photoSize)
        guard dataset.goodCount >= 3 else {
            throw InspectionError("", "training needs at least 3 readable good images, got \(dataset.goodCount)")
        }
        let all = dataset.images + (test?.images ?? [])
        let otherSizes = loaded.count { $0.photoSize != photoSize }
        let trainCount = dataset.images.count
        let labels = all.map(\.isAnomalous)
        let supervised = options.supervisedHead && dataset.anomalousCount >= 2 && dataset.goodCount >= 2
        var features = try timer.time("features") { () throws(InspectionError) -> TrainingFeatures in
            TrainingFeatures.extract(loaded.map(\.resized), extractor: extractor, deep: supervised) { progress("features", $0, $1) }
        }
        if supervised {
            try timer.time("augmented variants") {
                HeadTrainer.augment(&features.deepMaps, photos: loaded.map(\.original), indices: Array(0..<trainCount), size: size,
                                    extractor: extractor, options: options.head, seed: options.seed) {
                    progress("augmented variants", $0, $1)
                }
            }
        }
        let trainIndices = Array(0..<trainCount)
        let layers = LayerWeighting(grids: features.grids, trainCount: trainCount, seed: options.seed)
        let split = EvaluationSplit(labels: labels, trainCount: trainCount, test: test, options: options)
        let deepMaps = features.deepMaps

        func fitModel(_ indices: [Int]) throws(InspectionError) -> (FittedMemory, FittedHead?) {
            let memory = try MemoryFitting.fitChoosingWeight(indices, layers: layers, labels: labels, options: options, progress: progress)
            let head = supervised ? try HeadFitting.fit(indices, memory: memory, labels: labels, maps: deepMaps, extractor: extractor,
                                                        options: options, progress: progress) : nil
            return (memory, head)
        }
        let final = try timer.time("memory and threshold") { () throws(InspectionError) -> FittedMemory in
            try MemoryFitting.fitChoosingWeight(trainIndices, layers: layers, labels: labels, options: options, progress: progress)
        }
        let finalHead = try timer.time("supervised head") { () throws(InspectionError) -> FittedHead? in
            supervised ? try HeadFitting.fit(trainIndices, memory: final, labels: labels, maps: deepMaps, extractor: extractor,
                                             options: options, progress: progress) : nil
        }
        // With a test set the evaluated model is the final one; otherwise a model fitted
        // without the held-back images (its layer weight and head chosen without them too).
        let evaluation = try timer.time("evaluate") { () throws(InspectionError) -> [ModelEvaluation] in
            let (memory, head) = split.evaluatesFinalModel ? (final, finalHead) : try fitModel(split.fitIndices)
            return TrainingEvaluation.evaluate(split.evalIndices, memory: memory, head: head, layers: layers, deepMaps: deepMaps,
                                               labels: labels)
        }
        let supervisedHead = finalHead.map { SupervisedHead(network: $0.head, fusion: $0.fusion, memoryThreshold: final.choice.threshold) }
        let choice = finalHead?.choice ?? final.choice
        let model = InspectionModel(extractor: extractor, memory: final.memory, inputSize: size,
                                    calibration: finalHead?.calibration ?? final.calibration, stride8Weight: final.stride8Weight,
                                    threshold: choice.threshold, head: supervisedHead, mapCutOff: final.mapCutOff)
        var card = ModelCard(trained: model, memory: final, head: finalHead, choice: choice, extractor: extractor, dataset: dataset,
                             evaluation: evaluation, evaluatedOn: split.evaluatedOn, options: options, photoSize: photoSize)
        card.skippedUnreadable = readable.skipped.isEmpty ? nil : readable.skipped
        return TrainingResult(model: model, card: card, evaluation: evaluation[0].report, evaluatedOn: split.evaluatedOn,
                              evaluationScores: zip(split.evalIndices, evaluation[0].scores).map { (all[$0.0].path, labels[$0.0], $0.1) },
                              thresholdChoice: choice, ablation: evaluation.map { ($0.model, $0.report) },
                              outOfFold: finalHead?.outOfFold ?? [], phaseSeconds: timer.phases, otherSizes: otherSizes,
                              skipped: readable.skipped, photosInBothClasses: readable.photosInBothClasses)
    }
}
