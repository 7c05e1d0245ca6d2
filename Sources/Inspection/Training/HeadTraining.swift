import Foundation
import Imaging
import Networks
import Tensors
import SeededRandom
import WorkerThreads

/// Settings of the supervised head's training.
public struct HeadTrainingOptions: Sendable {
    /// Deep maps per training image: the photo itself plus augmented variants.
    public var variantsPerImage = 16
    /// Images per step, half good and half anomalous (class balancing by sampling).
    public var batchSize = 16
    /// Steps per epoch; an epoch is a fixed number of balanced batches.
    public var stepsPerEpoch = 4
    public var maxEpochs = 16
    /// AdamW rates of the fine-tuned convolution (and its BatchNorm) and of the new linear layer.
    public var convolutionRate: Float = 3e-4
    public var linearRate: Float = 3e-3
    public var weightDecay: Float = 1e-2
    /// Folds of the head's cross-validation (out-of-fold scores and early stopping).
    public var folds = 5
    public var augmentation = PhotoAugmentation()

    public init() {}
}

/// The deep maps the head trains on: per image, variant 0 is the photo as scored, the others
/// augmented (training images only).
struct DeepMaps {
    var variants: [[Tensor]]
}

/// Trains `ConvPoolingHead`s: the training loop, k-fold early stopping and out-of-fold scores.
/// The frozen part of the extractor runs forward only, once per variant, before training.
enum HeadTrainer {
    /// Augmented variants' deep maps for the images at `indices` (others keep only variant 0).
    /// With a `segmentation` sampler, the same views' patch features and their masks' targets
    /// (the mask through the view's geometry) are sampled for the segmentation head.
    static func augment(_ maps: inout DeepMaps, photos: [Image], indices: [Int], size: InputSize, extractor: FeatureExtractor,
                        options: HeadTrainingOptions, seed: UInt64, segmentation: SegmentationSampler? = nil,
                        progress: (Int, Int) -> Void) {
        let extra = max(0, options.variantsPerImage - 1)
        guard extra > 0 else { return }
        let jobs = indices.flatMap { index in (1...extra).map { (index, $0) } }
        var done = 0
        for start in stride(from: 0, to: jobs.count, by: 4) {
            let chunk = Array(jobs[start..<min(jobs.count, start + 4)])
            let views = WorkerPool.shared.map(count: chunk.count) { j -> (image: Image, targets: [Float]?) in
                // One generator per (image, variant): the same variants whatever the chunking.
                var rng = SeededGenerator(seed: seed &+ UInt64(chunk[j].0) &* 7919 &+ UInt64(chunk[j].1) &* 104_729)
                let photo = photos[chunk[j].0]
                let draw = options.augmentation.draw(width: photo.width, height: photo.height, using: &rng)
                return (draw.applied(to: photo, size: size), segmentation?.targets(photo: chunk[j].0, draw: draw))
            }
            let batch = ImagePreparation.batch(views.map { $0.image }, normalization: extractor.normalization)
            let segmenting = segmentation != nil && views.contains(where: { $0.targets != nil })
            // One pass: the stride-4 map too when the segmentation head samples these views.
            let (stride4, stride8, stride16, deepMap) = extractor.maps(batch, deep: true, stride4: segmenting)
            guard let deep = deepMap else { preconditionFailure("HeadTrainer: the extractor gave no deep map") }
            for (j, job) in chunk.enumerated() { maps.variants[job.0].append(PatchGrid.imageSlice(deep, j)) }
            if let segmentation, let stride4 {
                let cells = SegmentationFeatures.cells(stride4: stride4, patches: PatchFeatures.combine(stride8: stride8, stride16: stride16))
                let perView = cells.count / chunk.count
                // The cells tensor owns the memory `add` reads: it must outlive the calls.
                withExtendedLifetime(cells) {
                    for (j, job) in chunk.enumerated() {
                        if let targets = views[j].targets {
                            segmentation.add(photo: job.0, variant: job.1, cells: cells.data + j * perView, targets: targets)
                        }
                    }
                }
            }
            done += chunk.count
            progress(done, jobs.count)
        }
    }

    static func freshHead(_ maps: DeepMaps, extractor: FeatureExtractor, seed: UInt64) -> ConvPoolingHead {
        if let start = extractor.headStart { return ConvPoolingHead(startingFrom: start, seed: seed) }
        return ConvPoolingHead(inputChannels: maps.variants[0][0].shape[3], width: extractor.freshHeadWidth, seed: seed)
    }

    /// Trains a head on `train` for `epochs` epochs of a schedule planned for `options.maxEpochs`
    /// (so a run stopped early matches the cross-validation runs step for step). After each
    /// epoch, `validation` images (variant 0) are scored. Returns the head and, per epoch, the
    /// validation logits.
    static func train(_ train: [Int], labels: [Bool], maps: DeepMaps, extractor: FeatureExtractor, epochs: Int,
                      validation: [Int], options: HeadTrainingOptions, seed: UInt64) -> (head: ConvPoolingHead, validationLogits: [[Float]]) {
        let head = freshHead(maps, extractor: extractor, seed: seed)
        let goods = train.filter { !labels[$0] }, bads = train.filter { labels[$0] }
        var rng = SeededGenerator(seed: seed &+ 17)
        var convOptimizer = AdamW(weightDecay: options.weightDecay), linearOptimizer = AdamW(weightDecay: options.weightDecay)
        let convParameters = [head.convWeight, head.gamma, head.beta], linearParameters = [head.linearWeight, head.linearBias]
        let schedule = CosineSchedule(baseRate: 1, minimumRate: 0.01, warmupSteps: options.stepsPerEpoch,
                                      totalSteps: options.maxEpochs * options.stepsPerEpoch)
        var validationLogits: [[Float]] = []
        var step = 0
        for _ in 0..<epochs {
            for _ in 0..<options.stepsPerEpoch {
                // Balanced batch: half good, half anomalous, each a random image and variant.
                var members: [Tensor] = [], targets: [Float] = []
                for k in 0..<options.batchSize {
                    let pool = (k % 2 == 0 || bads.isEmpty) && !goods.isEmpty ? goods : bads
                    let index = pool[Int.random(in: 0..<pool.count, using: &rng)]
                    let variants = maps.variants[index]
                    members.append(variants[Int.random(in: 0..<variants.count, using: &rng)])
                    targets.append(labels[index] ? 1 : 0)
                }
                head.trainingPass(concat(members, axis: 0), targets: targets)
                let rate = schedule.rate(at: step)
                convOptimizer.step(convParameters, learningRate: rate * options.convolutionRate)
                linearOptimizer.step(linearParameters, learningRate: rate * options.linearRate)
                step += 1
            }
            if !validation.isEmpty { validationLogits.append(FoldedConvPoolingHead(head).logits(ofDeepMaps: validation.map { maps.variants[$0][0] })) }
        }
        return (head, validationLogits)
    }

    /// Class-balanced binary cross entropy of logits: the mean over good images and the mean
    /// over anomalous images, averaged.
    static func balancedLoss(_ logits: [Float], _ labels: [Bool]) -> Double {
        var sums = [0.0, 0.0], counts = [0, 0]
        for (z, anomalous) in zip(logits, labels) {
            let t: Float = anomalous ? 1 : 0
            sums[anomalous ? 1 : 0] += Double(max(z, 0) - z * t + log1pf(expf(-abs(z))))
            counts[anomalous ? 1 : 0] += 1
        }
        let parts = (0..<2).filter { counts[$0] > 0 }.map { sums[$0] / Double(counts[$0]) }
        return parts.reduce(0, +) / Double(max(1, parts.count))
    }

    /// k-fold cross-validation of the head on `indices`: each fold's head trains on the other
    /// folds for `maxEpochs`, scoring its held-out images after every epoch. The epoch count
    /// with the lowest validation loss summed over folds is the early-stopping point; the
    /// out-of-fold logits are those at that epoch, aligned with `indices`.
    static func crossValidate(_ indices: [Int], labels: [Bool], maps: DeepMaps, extractor: FeatureExtractor,
                              options: HeadTrainingOptions, seed: UInt64,
                              progress: (Int, Int) -> Void) -> (epochs: Int, outOfFold: [Float]) {
        let k = max(2, min(options.folds, indices.count { labels[$0] }, indices.count { !labels[$0] }))
        let fold = Splits.folds(labels: indices.map { labels[$0] }, folds: k, seed: seed &+ 2)
        var perEpoch = [[Float]](repeating: [Float](repeating: 0, count: indices.count), count: options.maxEpochs)
        var lossByEpoch = [Double](repeating: 0, count: options.maxEpochs)
        for f in 0..<k {
            progress(f, k + 1)
            let train = zip(indices, fold).filter { $0.1 != f }.map(\.0)
            let heldOut = zip(indices.indices, fold).filter { $0.1 == f }.map(\.0)
            let (_, logits) = Self.train(train, labels: labels, maps: maps, extractor: extractor, epochs: options.maxEpochs,
                                         validation: heldOut.map { indices[$0] }, options: options, seed: seed &+ UInt64(f))
            for (epoch, values) in logits.enumerated() {
                for (position, value) in zip(heldOut, values) { perEpoch[epoch][position] = value }
                lossByEpoch[epoch] += balancedLoss(values, heldOut.map { labels[indices[$0]] })
            }
        }
        let best = lossByEpoch.indices.min { lossByEpoch[$0] < lossByEpoch[$1] } ?? 0
        return (best + 1, perEpoch[best])
    }
}
