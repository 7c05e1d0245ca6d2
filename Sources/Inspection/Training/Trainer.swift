import Foundation
import Imaging

/// Trains the normal-patch memory, the supervised head when anomalous images exist, their
/// fusion, and chooses the threshold, as a sequence of steps:
///
/// 0. Readable photos (`ReadableImages`): the training photos hashed into their canonical
///    order and every photo checked once; every unreadable one is listed (or, with
///    `skipUnreadable`, left out and recorded in the card).
/// 1. Features (`TrainingFeatures`): every training photo decoded and its features extracted
///    once, kept compactly; deep maps with augmented variants for the supervised head.
/// 2. Memory and threshold (`MemoryFitting`): coreset candidates per photo, one coreset over
///    all good training photos, and the threshold chosen on k-fold out-of-fold scores (each
///    fold's images scored against the coreset without their photos).
/// 3. Supervised head (`HeadFitting`) and its fusion with the memory, when anomalous images
///    exist; the fused score, or the better of its parts when the fused one decides worse in
///    nested cross-validation (`ScoringDecision`).
/// 4. Evaluation (`TrainingEvaluation`): on the given test set with the final model, or else
///    on a stratified seeded 20% held back (`EvaluationSplit`) with a model fitted on the
///    rest only (skipped when `holdOutReport` is false).
/// 5. Segmentation (`SegmentationFitting`), when anomalous photos have masks: a per-patch head
///    trained on the supervised head's views with their masks, fused with the memory's map.
/// 6. The model and its card (`ModelCard+Training`).
public enum Trainer {
    public static func train(_ dataset: InspectionDataset, test: InspectionDataset? = nil,
                             extractor: FeatureExtractor, options: TrainingOptions = TrainingOptions(),
                             progress: @escaping TrainingProgress = { _ in }) throws(InspectionError) -> TrainingResult {
        guard dataset.goodCount >= 3 else {
            throw InspectionError("", "training needs at least 3 good images, got \(dataset.goodCount)")
        }
        let checkStart = Date()
        let readable = try ReadableImages.check(dataset, test: test, extractor: extractor, options: options, progress: progress)
        let checkSeconds = Date().timeIntervalSince(checkStart)
        let (dataset, test, size, photoSize) = (readable.dataset, readable.test, readable.size, readable.photoSize)
        guard dataset.goodCount >= 3 else {
            throw InspectionError("", "training needs at least 3 readable good images, got \(dataset.goodCount)")
        }
        let labels = dataset.images.map(\.isAnomalous)
        let goods = labels.indices.filter { !labels[$0] }
        let supervised = options.supervisedHead && dataset.anomalousCount >= 2 && dataset.goodCount >= 2
        let patchesPerPhoto = (size.width / 8) * (size.height / 8)
        let memorySize = options.memorySize(patches: goods.count * patchesPerPhoto)
        let plan = TrainingPlan(trainPhotos: labels.count, goodPhotos: goods.count, testPhotos: test?.images.count ?? 0,
                                supervised: supervised,
                                weightCandidates: dataset.anomalousCount > 0 ? MemoryFitting.stride8WeightCandidates.count : 1,
                                holdOut: options.holdOutReport, memorySize: memorySize,
                                candidates: options.selectsExactly(patches: goods.count * patchesPerPhoto) ? goods.count * patchesPerPhoto
                                    : min(goods.count * CoresetCandidates.perPhoto(memorySize: memorySize, photos: goods.count),
                                          Int(Double(goods.count * patchesPerPhoto) * CoresetCandidates.largestShare)),
                                options: options)
        let phases = TrainingPhases(plan: plan, progress: progress)
        phases.add(seconds: checkSeconds, to: ReadableImages.phase)

        // Segmentation is learnt from the masks of the anomalous photos, on the supervised
        // head's views (so it needs the head's anomalous photos too).
        let segmenting = supervised && options.segmentation.enabled && dataset.hasMasks
        var features = try TrainingFeatures.extract(dataset.images.map(\.path), size: size, extractor: extractor, deep: supervised,
                                                    keepOriginals: supervised, stride4: segmenting, threads: options.threads, phases: phases)
        let sampler = try segmenting
            ? SegmentationSampling.sampler(dataset, size: size, photoSizes: features.photoSizes, stride4Maps: features.stride4Maps,
                                           greyPhotos: features.greyPhotos,
                                           patchDimension: features.store.dimension, seed: options.seed, phases: phases)
            : nil
        features.stride4Maps = []
        features.greyPhotos = []
        if supervised {
            let variants = dataset.images.count * max(0, options.head.variantsPerImage - 1)
            try phases.run("augmented variants", total: variants) { report in
                HeadTrainer.augment(&features.deepMaps, photos: features.originals, indices: Array(labels.indices), size: size,
                                    extractor: extractor, options: options.head, seed: options.seed, segmentation: sampler) { done, _ in report(done) }
            }
            features.originals = []
        }
        if let sampler { SegmentationSampling.addPhotosAsScored(sampler, store: features.store) }
        let store = features.store, deepMaps = features.deepMaps
        let candidates = CandidatesByWeight(store: store, goodPhotos: goods, options: options, phases: phases)
        func fitModel(_ indices: [Int]) throws(InspectionError) -> (memory: FittedMemory, head: FittedHead?) {
            let memory = try MemoryFitting.fitChoosingWeight(indices, features: store, candidates: candidates, labels: labels,
                                                             options: options, phases: phases)
            let head = supervised ? try phases.time("supervised head") { () throws(InspectionError) -> FittedHead in
                try HeadFitting.fit(indices, memory: memory, labels: labels, maps: deepMaps, extractor: extractor, options: options,
                                    phases: phases)
            } : nil
            return (memory, head)
        }
        let (final, finalHead) = try fitModel(Array(labels.indices))
        let segmentation = try sampler.map { (s) throws(InspectionError) -> FittedSegmentation in
            try SegmentationFitting.fit(s, memory: final, store: store, size: size, options: options.segmentation, seed: options.seed,
                                        phases: phases)
        }
        // The head is saved unless the decision kept the memory alone.
        let savedHead = finalHead?.decision.part == .memory ? nil : finalHead
        let supervisedHead = savedHead.map { SupervisedHead(network: $0.head, fusion: $0.fusion, memoryThreshold: final.choice.threshold) }
        let choice = savedHead?.choice ?? final.choice
        let calibration = savedHead?.calibration ?? final.calibration
        let scores = finalHead?.scores ?? OutOfFoldScores(labels: final.oofLabels, memory: final.oofScores)
        let confidence = ConfidenceCalibration.fit(scores: scores.model, labels: scores.labels, threshold: choice.threshold,
                                                   spread: calibration.goodSpread)
        let thresholdReport = ThresholdReport(scores: scores.model, labels: scores.labels, threshold: choice.threshold,
                                              spread: calibration.goodSpread)
        let model = InspectionModel(extractor: extractor, memory: final.memory, inputSize: size,
                                    calibration: calibration, stride8Weight: final.stride8Weight,
                                    threshold: choice.threshold, head: supervisedHead, mapCutOff: final.mapCutOff, confidence: confidence,
                                    segmentation: segmentation?.model)

        // With a test set the evaluated model is the final one; otherwise a model fitted
        // without the held-back images (its layer weight and head chosen without them too).
        var evaluation: [ModelEvaluation] = [], evaluatedOn = "nothing (no test set, and the hold-out report was not asked for)"
        var evaluated: [(path: String, isAnomalous: Bool)] = [], photoSizes = features.photoSizes
        if let test {
            let (reports, testSizes) = try phases.run("evaluate", total: test.images.count) { report throws(InspectionError) in
                try TrainingEvaluation.testSet(test.images, size: size, memory: final, head: finalHead, extractor: extractor,
                                               threads: options.threads, progress: report)
            }
            evaluation = reports
            evaluatedOn = "the test set (\(test.goodCount) good, \(test.anomalousCount) anomalous)"
            evaluated = test.images.map { ($0.path, $0.isAnomalous) }
            photoSizes += testSizes
        } else if options.holdOutReport {
            let split = EvaluationSplit(labels: labels, options: options)
            phases.prefix = "hold-out model: "
            let (memory, head) = try fitModel(split.fitIndices)
            phases.prefix = ""
            evaluation = try phases.run("evaluate", total: split.evalIndices.count) { _ in
                TrainingEvaluation.heldOut(split.evalIndices, memory: memory, head: head, store: store, deepMaps: deepMaps, labels: labels)
            }
            evaluatedOn = split.evaluatedOn
            evaluated = split.evalIndices.map { (dataset.images[$0].path, labels[$0]) }
        }
        var card = ModelCard(trained: model, memory: final, head: savedHead, choice: choice, extractor: extractor, dataset: dataset,
                             evaluation: evaluation, evaluatedOn: evaluatedOn, options: options, photoSize: photoSize)
        card.skippedUnreadable = readable.skipped.isEmpty ? nil : readable.skipped
        card.confidence = confidence
        card.scoringNote = finalHead?.decision.note
        card.atThreshold = thresholdReport
        card.trainingData = readable.trainingData
        card.segmentation = segmentation.map { ModelCard.Segmentation($0, options: options.segmentation) }
        let baseline = MonitoringBaseline.fromTraining(scores: scores, thresholdReport: thresholdReport, goodPhotos: goods,
                                                       statistics: features.statistics, store: store, model: model, card: card)
        var result = TrainingResult(model: model, card: card, evaluation: evaluation.first?.report, evaluatedOn: evaluatedOn,
                              evaluationScores: zip(evaluated, evaluation.first?.scores ?? []).map { ($0.0.path, $0.0.isAnomalous, $0.1) },
                              thresholdChoice: choice, ablation: evaluation.map { ($0.model, $0.report) },
                              outOfFold: finalHead?.outOfFold ?? [], phaseSeconds: phases.phaseSeconds,
                              otherSizes: photoSizes.count { $0 != photoSize },
                              outOfFoldScores: scores, thresholdReport: thresholdReport,
                              crossValidated: finalHead?.decision.outcomes ?? [], scoringNote: finalHead?.decision.note,
                              skipped: readable.skipped, photosInBothClasses: readable.photosInBothClasses, baseline: baseline)
        result.segmentation = segmentation?.outOfFold
        result.segmentationNote = sampler == nil && dataset.hasMasks
            ? (options.segmentation.enabled ? "masks given but no segmentation learnt: it needs at least 2 anomalous and 2 good training photos" : nil)
            : nil
        return result
    }
}
