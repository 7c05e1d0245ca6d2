import Foundation
import Imaging
import Networks

/// Training settings.
public struct TrainingOptions: Sendable {
    public var seed: UInt64 = 42
    public var policy: ThresholdPolicy = .bestF1
    /// Share of training patches kept in the memory (greedy coreset).
    public var coresetFraction = 0.1
    /// Share of each class held back for the report when no test set is given.
    public var holdOutFraction = 0.2
    /// Cross-validation folds for the threshold (fewer when there are few good images).
    public var folds = 10
    /// Longer side of the model's input, in pixels.
    public var inputLongSide = 320
    /// Decoding threads.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Train the supervised head when there are anomalous training images (at least 2).
    public var supervisedHead = true
    public var head = HeadTrainingOptions()

    public init() {}
}

/// What `Trainer.train` produced: the final model (trained on all training images), its
/// card, and the honest evaluation.
public struct TrainingResult: Sendable {
    public var model: InspectionModel
    public var card: ModelCard
    public var evaluation: EvaluationReport
    /// "held-back 20% of the training images (12 good, 2 anomalous)" or "the test folders ...".
    public var evaluatedOn: String
    /// Per-image scores of the evaluation set.
    public var evaluationScores: [(path: String, isAnomalous: Bool, score: Float)]
    public var thresholdChoice: ThresholdChoice
    /// Memory alone, head alone and fused on the evaluation set, each at its own threshold
    /// chosen on training data (only "memory" without a supervised head).
    public var ablation: [(model: String, report: EvaluationReport)]
    /// The same three on out-of-fold scores of the final model's training images (empty
    /// without a supervised head).
    public var outOfFold: [(model: String, report: EvaluationReport)]
    /// Wall-clock seconds per phase, in order.
    public var phaseSeconds: [(phase: String, seconds: Double)]
    /// How many photos were not of the input size's aspect/size and were resized (all are
    /// resized to the input size; this counts those whose size differs from the first).
    public var otherSizes: Int
}

/// Progress of one phase: (phase, done, total).
public typealias TrainingProgress = @Sendable (String, Int, Int) -> Void

/// Trains the normal-patch memory, the supervised head when anomalous images exist, their
/// fusion, and chooses the threshold (issue 4, parts 1 to 3).
///
/// 1. Decode, resize and extract patch features of every image once.
/// 2. Evaluation: on the given test set, or else on a stratified seeded 20% held back, with a
///    model trained (memory + cross-validated threshold) on the rest only.
/// 3. The saved model: memory from all good training images, threshold by k-fold
///    cross-validation on the training images (each fold's good images scored against a
///    memory built without them).
public enum Trainer {
    public static func train(_ dataset: InspectionDataset, test: InspectionDataset? = nil,
                             extractor: FeatureExtractor, options: TrainingOptions = TrainingOptions(),
                             progress: @escaping TrainingProgress = { _, _, _ in }) throws(InspectionError) -> TrainingResult {
        guard dataset.goodCount >= 3 else {
            throw InspectionError("", "training needs at least 3 good images, got \(dataset.goodCount)")
        }
        let dataset = try dataset.inCanonicalOrder(workers: options.workers)
        var phases: [(String, Double)] = []
        func timed<T>(_ phase: String, _ body: () throws(InspectionError) -> T) throws(InspectionError) -> T {
            let start = Date()
            let value = try body()
            phases.append((phase, Date().timeIntervalSince(start)))
            return value
        }
        let all = dataset.images + (test?.images ?? [])
        // Input size from the first training image's proportions.
        let first: PreparedImage = try ImagePreparation.load(all[0].path, size: InputSize(width: 64, height: 64))
        let size = InputSize.fitting(width: first.original.width, height: first.original.height,
                                     longSide: options.inputLongSide, multiple: max(extractor.sizeMultiple, 8))
        let loaded = try timed("decode") { () throws(InspectionError) -> [PreparedImage] in
            try loadAll(all.map(\.path), size: size, workers: options.workers) { progress("decode", $0, all.count) }
        }
        let otherSizes = loaded.count { $0.photoSize != first.photoSize }
        let trainCount = dataset.images.count
        let labels = all.map(\.isAnomalous)
        let supervised = options.supervisedHead && dataset.anomalousCount >= 2 && dataset.goodCount >= 2
        var deepMaps = DeepMaps(variants: [])
        let grids = try timed("features") { () throws(InspectionError) -> [PatchGrid] in
            var grids: [PatchGrid] = []
            for start in stride(from: 0, to: loaded.count, by: 4) {
                let extracted = PatchGrid.extractWithDeep(loaded[start..<min(start + 4, loaded.count)].map(\.resized), with: extractor,
                                                          deep: supervised)
                grids += extracted.map(\.grid)
                deepMaps.variants += extracted.compactMap { $0.deep.map { [$0] } }
                progress("features", grids.count, loaded.count)
            }
            return grids
        }
        if supervised {
            try timed("augmented variants") {
                HeadTrainer.augment(&deepMaps, photos: loaded.map(\.original), indices: Array(0..<trainCount), size: size,
                                    extractor: extractor, options: options.head, seed: options.seed) {
                    progress("augmented variants", $0, $1)
                }
            }
        }
        let trainIndices = Array(0..<trainCount)
        let layers = LayerWeighting(grids: grids, trainCount: trainCount, seed: options.seed)

        // Evaluation set and the indices its model is trained on.
        let evalIndices: [Int], fitIndices: [Int], evaluatedOn: String
        if let test {
            fitIndices = trainIndices
            evalIndices = Array(trainCount..<all.count)
            evaluatedOn = "the test set (\(test.goodCount) good, \(test.anomalousCount) anomalous)"
        } else {
            let split = Splits.holdOut(labels: Array(labels[0..<trainCount]), fraction: options.holdOutFraction, seed: options.seed)
            fitIndices = split.train
            evalIndices = split.heldOut
            let g = evalIndices.count { !labels[$0] }
            evaluatedOn = "\(Int((options.holdOutFraction * 100).rounded()))% of the training images held back (\(g) good, \(evalIndices.count - g) anomalous), model retrained on all afterwards"
        }
        let final = try timed("memory and threshold") { () throws(InspectionError) -> Fitted in
            try fitChoosingWeight(trainIndices, layers: layers, labels: labels, options: options, progress: progress)
        }
        let finalHead = try timed("supervised head") { () throws(InspectionError) -> FittedHead? in
            supervised ? try fitHead(trainIndices, memory: final, labels: labels, maps: deepMaps, extractor: extractor,
                                     options: options, progress: progress) : nil
        }
        // With a test set the evaluated model is the final one; otherwise a model fitted
        // without the held-back images (its layer weight and head chosen without them too).
        let evaluation = try timed("evaluate") { () throws(InspectionError) -> [(model: String, report: EvaluationReport, scores: [Float])] in
            let fitted = test != nil ? final : try fitChoosingWeight(fitIndices, layers: layers, labels: labels,
                                                                    options: options, progress: progress)
            let fittedHead = test != nil || !supervised ? finalHead
                : try fitHead(fitIndices, memory: fitted, labels: labels, maps: deepMaps, extractor: extractor, options: options,
                              progress: progress)
            let evalGrids = layers.grids(fitted.stride8Weight)
            let evalLabels = evalIndices.map { labels[$0] }
            let memoryScores = evalIndices.map { PatchScore(grid: evalGrids[$0], memory: fitted.memory).score }
            let memory = ("memory alone", EvaluationReport(scores: memoryScores, labels: evalLabels, threshold: fitted.choice.threshold), memoryScores)
            guard let fittedHead else { return [memory] }
            let headScores = HeadTrainer.logits(fittedHead.head, evalIndices.map { deepMaps.variants[$0][0] })
            let fused = zip(memoryScores, headScores).map { fittedHead.fusion.fuse(memory: $0.0, head: $0.1) }
            return [("fused", EvaluationReport(scores: fused, labels: evalLabels, threshold: fittedHead.choice.threshold), fused),
                    memory,
                    ("fine-tuned head alone", EvaluationReport(scores: headScores, labels: evalLabels, threshold: fittedHead.headChoice.threshold), headScores)]
        }
        let supervisedHead = finalHead.map { SupervisedHead(network: $0.head, fusion: $0.fusion, memoryThreshold: final.choice.threshold) }
        let choice = finalHead?.choice ?? final.choice
        let model = InspectionModel(extractor: extractor, memory: final.memory, inputSize: size,
                                    calibration: finalHead?.calibration ?? final.calibration, stride8Weight: final.stride8Weight,
                                    threshold: choice.threshold, head: supervisedHead, mapCutOff: final.mapCutOff)
        let card = ModelCard(kind: ModelCard.kind, version: finalHead == nil ? ModelCard.memoryOnlyVersion : ModelCard.currentVersion,
                             created: ISO8601DateFormatter().string(from: Date()), inputSize: size,
                             backbone: .init(name: extractor.name, sha256: extractor.weightsSHA256),
                             threshold: choice.threshold, thresholdMethod: choice.method,
                             calibration: model.calibration,
                             memory: .init(patches: final.memory.count, dimension: final.memory.dimension,
                                           coresetFraction: options.coresetFraction,
                                           reweightingNeighbours: PatchMemory.reweightingNeighbours, mapSigma: 4,
                                           stride8Weight: final.stride8Weight),
                             trainingMetrics: evaluation[0].report, evaluatedOn: evaluatedOn,
                             classBalance: .init(good: dataset.goodCount, anomalous: dataset.anomalousCount),
                             weights: .init(file: ModelBundle.weightsFile, sha256: ""),
                             scoring: finalHead == nil ? ModelCard.memoryScoring : ModelCard.fusedScoring,
                             head: finalHead.map { h in
                                 ModelCard.Head(inputChannels: h.head.inputChannels, width: h.head.width,
                                                startedFrom: extractor.headStart == nil ? "fresh weights" : "\(extractor.name) head convolution",
                                                epochs: h.epochs, folds: h.folds, variantsPerImage: options.head.variantsPerImage,
                                                fusion: h.fusion, memoryThreshold: final.choice.threshold,
                                                headThreshold: h.headChoice.threshold, headThresholdMethod: h.headChoice.method)
                             },
                             ablation: evaluation.count > 1 ? Dictionary(uniqueKeysWithValues: evaluation.map { ($0.model, $0.report) }) : nil,
                             photoSize: first.photoSize, mapCutOff: final.mapCutOff)
        return TrainingResult(model: model, card: card, evaluation: evaluation[0].report, evaluatedOn: evaluatedOn,
                              evaluationScores: zip(evalIndices, evaluation[0].scores).map { (all[$0.0].path, labels[$0.0], $0.1) },
                              thresholdChoice: choice, ablation: evaluation.map { ($0.model, $0.report) }, outOfFold: finalHead?.outOfFold ?? [],
                              phaseSeconds: phases, otherSizes: otherSizes)
    }

    /// The head trained on all of `indices`, its out-of-fold scores, the fusion with the
    /// memory's out-of-fold scores, and the thresholds chosen on them.
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

    /// Cross-validates the head on `indices` (early stopping and out-of-fold logits), fuses its
    /// out-of-fold logits with the memory's out-of-fold scores, chooses the fused threshold on
    /// them with the training policy, and trains the final head on all of `indices` for the
    /// early-stopping epoch count.
    static func fitHead(_ indices: [Int], memory: Fitted, labels: [Bool], maps: DeepMaps, extractor: FeatureExtractor,
                        options: TrainingOptions, progress: TrainingProgress) throws(InspectionError) -> FittedHead {
        let (epochs, headOOF) = HeadTrainer.crossValidate(indices, labels: labels, maps: maps, extractor: extractor,
                                                          options: options.head, seed: options.seed) {
            progress("supervised head cross-validation", $0, $1)
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
        progress("supervised head cross-validation", k + 1, k + 1)
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

    struct Fitted {
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

    /// Candidate weights of the stride-8 features, tried when anomalous images exist.
    public static let stride8WeightCandidates: [Float] = [1, 0.5, 0.25]

    /// `fit` for each stride-8 weight candidate, keeping the one whose out-of-fold scores
    /// separate the training images best (AUROC first, then the anomalous images' distance
    /// from the good ones); ties keep the larger weight. With good images only there is
    /// nothing to compare, and the weight stays 1 (PatchCore's plain concatenation).
    static func fitChoosingWeight(_ indices: [Int], layers: LayerWeighting, labels: [Bool], options: TrainingOptions,
                                  progress: TrainingProgress) throws(InspectionError) -> Fitted {
        let candidates = indices.contains { labels[$0] } ? stride8WeightCandidates : [1]
        var best: Fitted?
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
                    progress: TrainingProgress) throws(InspectionError) -> Fitted {
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
                oofLabels.append(labels[index])
                oofIndices.append(index)
                if !labels[index] { goodPatchScores.append(patch) }
            }
        }
        let choice = ThresholdSelector.choose(scores: oofScores, labels: oofLabels, policy: options.policy)
        let goodScores = zip(oofScores, oofLabels).filter { !$0.1 }.map(\.0)
        let memory = memoryFor(goods, grids: grids, preselected: preselected, options: options)
        progress("threshold cross-validation", k + 1, k + 1)
        var method = choice.method
        method += " on \(k)-fold out-of-fold scores of \(goodScores.count) good"
        if oofLabels.contains(true) { method += " and \(oofLabels.count - goodScores.count) anomalous" }
        method += " training images"
        return Fitted(memory: memory, choice: ThresholdChoice(threshold: choice.threshold, method: method, targetMet: choice.targetMet),
                      calibration: ScoreCalibration(goodScores: goodScores), oofScores: oofScores, oofLabels: oofLabels,
                      oofIndices: oofIndices, mapCutOff: MapCutOff.fromGoodMaps(count: goodPatchScores.count) {
                          goodPatchScores[$0].inputSizeMap()
                      })
    }

    static func memoryFor(_ images: [Int], grids: [PatchGrid], preselected: [PatchGrid], options: TrainingOptions) -> PatchMemory {
        PatchMemory.build(preselected: images.map { preselected[$0] }, originalPatchCount: images.reduce(0) { $0 + grids[$1].patchCount },
                          fraction: options.coresetFraction, seed: options.seed)
    }

    /// Decodes and resizes in parallel; the first unreadable training image stops training
    /// with its name and reason.
    static func loadAll(_ paths: [String], size: InputSize, workers: Int, progress: @escaping @Sendable (Int) -> Void) throws(InspectionError) -> [PreparedImage] {
        let counter = Counter()
        let results = concurrentMap(count: paths.count, workers: workers) { i -> Result<PreparedImage, InspectionError> in
            defer { progress(counter.increment()) }
            do throws(InspectionError) { return .success(try ImagePreparation.load(paths[i], size: size)) }
            catch { return .failure(error) }
        }
        var images: [PreparedImage] = []
        for result in results {
            switch result {
            case .success(let image): images.append(image)
            case .failure(let error): throw error
            }
        }
        return images
    }
}

/// Patch grids and their coreset preselections per stride-8 weight, made when first asked.
final class LayerWeighting {
    private let base: [PatchGrid]
    private let trainCount: Int
    private let seed: UInt64
    private var scaled: [Float: [PatchGrid]] = [:]
    private var kept: [Float: [PatchGrid]] = [:]

    init(grids: [PatchGrid], trainCount: Int, seed: UInt64) {
        base = grids
        self.trainCount = trainCount
        self.seed = seed
    }

    func grids(_ weight: Float) -> [PatchGrid] {
        if let g = scaled[weight] { return g }
        let g = base.map { $0.reweighted(stride8Weight: weight) }
        scaled[weight] = g
        return g
    }

    /// Preselections of the training images (test images never enter a memory).
    func preselected(_ weight: Float) -> [PatchGrid] {
        if let p = kept[weight] { return p }
        let g = grids(weight)
        let seed = self.seed
        let p = concurrentMap(count: trainCount) { g[$0].preselected(seed: seed) }
        kept[weight] = p
        return p
    }
}

/// A thread-safe counter for progress from worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
