import Networks
import SeededRandom
import Tensors

/// Settings of the segmentation head's training (defaults: docs/SEGMENTATION.md says what
/// they were chosen on).
public struct SegmentationOptions: Sendable {
    /// Learn segmentation when the training photos have masks (false: ignore the masks).
    public var enabled = true
    public var hiddenUnits = 64
    /// Passes over the samples, minibatches of `batchSize` cells.
    public var epochs = 12
    /// Candidate passes, chosen by the cross-validation with the loss (`SegmentationFitting`);
    /// empty: `epochs` alone. Fewer passes fit ten masked photos' views less closely (on one
    /// seed, kolektorsdd's out-of-fold IoU was higher at 6 than at 12 and lower at 24,
    /// demo-data's higher at 12 than at 6: docs/SEGMENTATION.md).
    public var epochCandidates: [Int] = [12, 6]
    public var batchSize = 512
    public var learningRate: Float = 3e-3
    public var weightDecay: Float = 1e-4
    /// Weight of the Dice loss beside the cross entropy.
    public var diceWeight: Float = 1
    /// Exponent of the focal loss (Lin et al. 2017) used instead of the cross entropy; 0 is
    /// the cross entropy.
    public var focalGamma: Float = 0
    /// Candidate exponents, chosen by the cross-validation with the fusion (`SegmentationFitting`);
    /// empty: `focalGamma` alone.
    public var focalGammas: [Float] = [0, 2]
    /// Whether the pixel refinement (`PixelRefinement`) is a candidate beside the head alone,
    /// chosen by the cross-validation with the loss and passes.
    public var pixelRefinement = true
    /// Folds (of the masked photos) of the cross-validation that chooses the fusion.
    public var folds = 4
    /// Candidate memory weights w and pixel thresholds of the fusion (`SegmentationModel`).
    public var memoryWeights: [Float] = [0, 0.5, 1]
    /// The thresholds start low: a head trained on soft coverage targets of thin defects is
    /// sure of few pixels, and kolektorsdd's out-of-fold choice sat at the old grid's lowest (0.10).
    public var pixelThresholds: [Float] = [0.02, 0.05] + stride(from: 0.1, through: 0.9, by: 0.05).map { Float($0) }

    public init() {}
}

/// Trains a `PatchSegmentationHead` on segmentation samples: AdamW on the cross entropy (or
/// the focal loss, `focalGamma`) of the soft cell targets plus `diceWeight` times the soft Dice loss over the defect classes
/// (both per minibatch), cosine learning-rate schedule.
enum SegmentationTrainer {
    static func train(_ samples: SegmentationSamples, rows: [Int], options: SegmentationOptions, seed: UInt64) -> PatchSegmentationHead {
        let (mean, std) = samples.featureMoments()
        let head = PatchSegmentationHead(featureMean: mean, featureStd: std, hidden: options.hiddenUnits,
                                         classes: samples.classCount, seed: seed)
        guard !rows.isEmpty else { return head }
        var rng = SeededGenerator(seed: seed &+ 5)
        var optimizer = AdamW(weightDecay: options.weightDecay)
        let stepsPerEpoch = (rows.count + options.batchSize - 1) / options.batchSize
        let schedule = CosineSchedule(baseRate: options.learningRate, minimumRate: options.learningRate / 100,
                                      warmupSteps: min(stepsPerEpoch, 20), totalSteps: max(1, options.epochs * stepsPerEpoch))
        let defects = 1..<samples.classCount
        var order = rows, step = 0
        for _ in 0..<options.epochs {
            order.shuffle(using: &rng)
            for start in stride(from: 0, to: order.count, by: options.batchSize) {
                let (x, t) = samples.batch(order[start..<min(order.count, start + options.batchSize)])
                head.trainingPass(x, targets: t) { z, t in
                    let ce = options.focalGamma > 0 ? softmaxFocalLoss(z, targetDistributions: t, gamma: options.focalGamma)
                        : softmaxCrossEntropy(z, targetDistributions: t)
                    let dice = softmaxDiceLoss(z, targetDistributions: t, classes: defects)
                    let g = ce.gradient
                    for i in 0..<g.count { g.data[i] += options.diceWeight * dice.gradient.data[i] }
                    return (ce.loss + options.diceWeight * dice.loss, g)
                }
                optimizer.step(head.parameters, learningRate: schedule.rate(at: step))
                step += 1
            }
        }
        return head
    }
}
