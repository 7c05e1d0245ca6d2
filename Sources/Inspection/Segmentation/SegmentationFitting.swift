import Foundation
import Networks
import SeededRandom
import Tensors

/// The segmentation part of a trained model, with what it was chosen on.
struct FittedSegmentation {
    var model: SegmentationModel
    /// Out-of-fold figures on the training photos at the chosen fusion and threshold.
    var outOfFold: SegmentationReport
    var folds: Int
    var samples: Int
    /// Channels of the backbone's stride-4 map at the start of each cell's features.
    var stride4Channels: Int
    var maskedPhotos: Int
    /// Passes of the final head (chosen by the cross-validation).
    var epochs: Int
    var chosenOn: String
}

/// The segmentation step, on top of a fitted memory: cross-validation over the photos (each
/// fold's head trained without that fold's photos' views, then segmenting them as scored),
/// the loss, passes, fusion weight and per-type pixel thresholds that give the best mean IoU
/// out of fold, and the final head trained on every sample.
enum SegmentationFitting {
    /// A training photo the cross-validation segments out of fold: its memory map (the
    /// memory's out-of-fold map at the input size), its truth at the input size and its
    /// contrasts, built once and shared by every candidate.
    private struct HeldOutPhoto {
        var photo: Int
        var fold: Int
        var memoryMap: AnomalyMap
        var truth: LabelMask
        var contrast: PhotoContrast?
    }

    /// One held-out photo as a fold's head saw it; `fold` and `contrast` for the pixel
    /// refinement's own cross-validation.
    struct HeldOut {
        var probabilities: Tensor
        var memoryMap: AnomalyMap
        var truth: LabelMask
        var fold = 0
        var contrast: PhotoContrast? = nil
    }

    /// A fusion weight with a pixel threshold per defect type (`SegmentationModel`).
    struct Fusion: Equatable {
        var weight: Float
        var thresholds: [Float]
        /// Mean over the defect types of each type's IoU at its threshold, out of fold.
        var iou: Double
    }

    static func fit(_ sampler: SegmentationSampler, memory: FittedMemory, store: PatchGridStore, size: InputSize,
                    options: SegmentationOptions, seed: UInt64, phases: TrainingPhases) throws(InspectionError) -> FittedSegmentation {
        let labels = sampler.labels, samples = sampler.samples
        let masked = sampler.masks.keys.sorted()
        guard masked.count >= 2 else {
            throw InspectionError("", "segmentation needs masks of at least 2 anomalous training photos, got \(masked.count)")
        }
        let goods = sampler.isGood.indices.filter { sampler.isGood[$0] }
        let k = max(2, min(options.folds, masked.count))
        var rng = SeededGenerator(seed: seed &+ 77)
        var foldOf: [Int: Int] = [:]
        for (i, photo) in masked.shuffled(using: &rng).enumerated() { foldOf[photo] = i % k }
        for (i, photo) in goods.shuffled(using: &rng).enumerated() { foldOf[photo] = i % k }
        // The memory's out-of-fold maps (photos the memory scored without their own patches).
        var memoryScores: [Int: PatchScore] = [:]
        for (index, score) in zip(memory.oofIndices, memory.oofPatchScores) { memoryScores[index] = score }
        let cutOff = memory.mapCutOff?.value ?? memory.choice.threshold
        let rowsByFold = (0..<k).map { f in samples.photos.indices.filter { foldOf[samples.photos[$0]] != f } }
        let photos: [HeldOutPhoto] = (masked + goods).compactMap { photo in
            guard let score = memoryScores[photo], let fold = foldOf[photo] else { return nil }
            let truth = sampler.masks[photo].map { $0.resized(width: size.width, height: size.height, classCount: labels.classCount) }
                ?? LabelMask.background(width: size.width, height: size.height)
            return HeldOutPhoto(photo: photo, fold: fold, memoryMap: score.map(width: size.width, height: size.height), truth: truth,
                                contrast: photo < sampler.greyPhotos.count ? PhotoContrast(sampler.greyPhotos[photo]) : nil)
        }
        guard photos.contains(where: { $0.truth.classes.contains { $0 != 0 } }) else {
            throw InspectionError("", "no masked training photo could be segmented out of fold")
        }

        // Per candidate loss (focal gamma; 0 is the cross entropy) and number of passes, each
        // fold's head segments its held-out photos, as they are and, when the refinement is a
        // candidate, refined by a pixel stage trained out of fold on the other folds' photos;
        // the loss, passes, refinement, fusion weight and thresholds with the best out-of-fold
        // mean IoU are kept (on a tie the earlier candidate, the head alone before the
        // refinement), then the final head is trained on every sample with them and the final
        // pixel stage on every held-out photo's head probabilities.
        var chosen: (training: SegmentationOptions, refined: Bool, fusion: Fusion, heldOut: [HeldOut], headOnly: [HeldOut])?
        let gammas = options.focalGammas.isEmpty ? [options.focalGamma] : options.focalGammas
        let passes = options.epochCandidates.isEmpty ? [options.epochs] : options.epochCandidates
        let candidates = passes.flatMap { epochs in gammas.map { (epochs, $0) } }
        let refinements = options.pixelRefinement && !sampler.greyPhotos.isEmpty ? [false, true] : [false]
        let (head, refinement) = try phases.run("segmentation head", total: candidates.count * k + 1) {
            report throws(InspectionError) -> (PatchSegmentationHead, PixelRefinement?) in
            for (c, (epochs, gamma)) in candidates.enumerated() {
                var candidate = options
                candidate.focalGamma = gamma
                candidate.epochs = epochs
                var heldOut: [HeldOut] = []
                for f in 0..<k {
                    let foldHead = SegmentationTrainer.train(samples, rows: rowsByFold[f], options: candidate, seed: seed &+ UInt64(f))
                    for photo in photos where photo.fold == f {
                        let probabilities = SegmentationModel.probabilityMap(head: foldHead, cells: sampler.cells(photo.photo, store: store),
                                                                             width: size.width, height: size.height)
                        heldOut.append(HeldOut(probabilities: probabilities, memoryMap: photo.memoryMap, truth: photo.truth, fold: f,
                                               contrast: photo.contrast))
                    }
                    report(c * k + f + 1)
                }
                for refine in refinements {
                    let seen = refine ? PixelRefinement.outOfFold(heldOut, folds: k, memoryCutOff: cutOff, options: options,
                                                                  seed: seed &+ 2000) : heldOut
                    let fusion = try bestFusion(seen, cutOff: cutOff, labels: labels, options: options)
                    if chosen == nil || fusion.iou > chosen!.fusion.iou + 1e-12 { chosen = (candidate, refine, fusion, seen, heldOut) }
                }
            }
            let head = SegmentationTrainer.train(samples, rows: Array(samples.photos.indices), options: chosen?.training ?? options,
                                                 seed: seed &+ 1000)
            guard let chosen, chosen.refined else { return (head, nil) }
            return (head, PixelRefinement.train(chosen.headOnly, photos: Array(chosen.headOnly.indices), memoryCutOff: cutOff,
                                                options: options, seed: seed &+ 3000))
        }
        guard let chosen else { throw InspectionError("", "no loss candidates for the segmentation") }
        let (best, heldOut) = (chosen.fusion, chosen.heldOut)
        var evaluation = SegmentationEvaluation(labels: labels, width: size.width)
        for photo in heldOut {
            let outcome = SegmentationModel.cut(photo.probabilities, memoryMap: photo.memoryMap, memoryCutOff: cutOff,
                                                memoryWeight: best.weight, pixelThresholds: best.thresholds, labels: labels)
            evaluation.add(outcome, truth: photo.truth, memoryMap: photo.memoryMap, memoryCutOff: cutOff)
        }
        let maskedOOF = heldOut.count { $0.truth.classes.contains { $0 != 0 } }
        let measuredOn = "\(heldOut.count) training photos out of fold (\(maskedOOF) with masks), \(k) folds"
        guard (head.parameters + (refinement?.network.parameters ?? [])).allSatisfy({ $0.value.scalars.allSatisfy(\.isFinite) }) else {
            throw InspectionError("", "the segmentation head diverged (non-finite weights)")
        }
        let loss = chosen.training.focalGamma > 0 ? String(format: "focal loss (gamma %g)", chosen.training.focalGamma) : "cross entropy"
        let thresholds = zip(labels.labels, best.thresholds).map { String(format: "%@ %.2f", $0.name, $1) }.joined(separator: ", ")
        let chosenOn = String(format: "memory weight %.2f and pixel thresholds ", best.weight) + thresholds
            + ", \(loss) + Dice, \(chosen.training.epochs) passes, " + (chosen.refined ? "with" : "without") + " the pixel refinement: "
            + "the best mean IoU (" + String(format: "%.3f", best.iou) + ") over \(gammas.count) losses x \(passes.count) pass counts x "
            + "\(refinements.count) refinement choices x \(options.memoryWeights.count) weights x \(options.pixelThresholds.count) thresholds "
            + "per type on \(measuredOn)"
        return FittedSegmentation(model: SegmentationModel(head: head, labels: labels, memoryWeight: best.weight, pixelThresholds: best.thresholds,
                                                           refinement: refinement),
                                  outOfFold: evaluation.report(measuredOn: measuredOn), folds: k, samples: samples.count,
                                  stride4Channels: sampler.stride4Maps.first?.shape.last ?? 0,
                                  maskedPhotos: masked.count, epochs: chosen.training.epochs, chosenOn: chosenOn)
    }

    /// The fusion weight and the pixel threshold of each defect type with the best out-of-fold
    /// mean IoU. A pixel is marked with the type the head finds most likely there, whatever
    /// the thresholds, so a type's IoU depends on its own threshold alone: per weight, each
    /// type takes the threshold of its best IoU (on a tie the lower), and the weight with the
    /// best mean of these is kept (on a tie the larger: it keeps marking defects the masks
    /// never showed). A type with no true pixel out of fold takes the threshold of the best
    /// mean IoU with one threshold for all types.
    static func bestFusion(_ heldOut: [HeldOut], cutOff: Float, labels: SegmentationLabels,
                           options: SegmentationOptions) throws(InspectionError) -> Fusion {
        let types = labels.labels.count
        var best: Fusion?
        for weight in options.memoryWeights.sorted(by: >) {
            let outcomes = heldOut.map {
                SegmentationModel.cut($0.probabilities, memoryMap: $0.memoryMap, memoryCutOff: cutOff, memoryWeight: weight,
                                      pixelThresholds: [Float](repeating: 0, count: types), labels: labels)
            }
            let counts = options.pixelThresholds.map { typeCounts(outcomes, heldOut.map(\.truth), threshold: $0, classCount: labels.classCount) }
            guard let shared = counts.indices.max(by: { counts[$0].meanIoU < counts[$1].meanIoU - 1e-12 }) else { continue }
            var thresholds = [Float](repeating: options.pixelThresholds[shared], count: types), ious: [Double] = []
            for type in 0..<types {
                guard counts[0].truth[type + 1] > 0 else {
                    if let iou = counts[shared].iou(type + 1) { ious.append(iou) }
                    continue
                }
                var pick = 0
                for t in counts.indices where (counts[t].iou(type + 1) ?? 0) > (counts[pick].iou(type + 1) ?? 0) + 1e-12 { pick = t }
                thresholds[type] = options.pixelThresholds[pick]
                ious.append(counts[pick].iou(type + 1) ?? 0)
            }
            let iou = ious.isEmpty ? 0 : ious.reduce(0, +) / Double(ious.count)
            if best == nil || iou > best!.iou + 1e-12 { best = Fusion(weight: weight, thresholds: thresholds, iou: iou) }
        }
        guard let best else { throw InspectionError("", "no fusion candidates for the segmentation") }
        return best
    }

    /// Per class, the pixels marked and true, and their union, over all photos together.
    struct TypeCounts {
        var both: [Int]
        var union: [Int]
        var truth: [Int]

        /// The class's IoU; nil when it has neither true nor marked pixels.
        func iou(_ c: Int) -> Double? { union[c] > 0 ? Double(both[c]) / Double(union[c]) : nil }

        /// Mean over the defect classes with true or marked pixels.
        var meanIoU: Double {
            let ious = (1..<union.count).compactMap(iou)
            return ious.isEmpty ? 0 : ious.reduce(0, +) / Double(ious.count)
        }
    }

    /// The counts of the pixels whose fused score reaches `threshold` against the truth.
    /// `outcomes` were cut at 0, so their classes are the head's best defect class everywhere.
    static func typeCounts(_ outcomes: [SegmentationOutcome], _ truths: [LabelMask], threshold: Float, classCount: Int) -> TypeCounts {
        var both = [Int](repeating: 0, count: classCount), union = both, truth = both
        for (outcome, mask) in zip(outcomes, truths) {
            for i in 0..<outcome.classes.count {
                let marked = outcome.anomaly[i] >= threshold ? Int(outcome.classes[i]) : 0, t = Int(mask.classes[i])
                truth[t] += 1
                if marked == t { if t != 0 { both[t] += 1; union[t] += 1 } } else {
                    if marked != 0 { union[marked] += 1 }
                    if t != 0 { union[t] += 1 }
                }
            }
        }
        return TypeCounts(both: both, union: union, truth: truth)
    }
}
