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
    var chosenOn: String
}

/// The segmentation step, on top of a fitted memory: cross-validation over the photos (each
/// fold's head trained without that fold's photos' views, then segmenting them as scored),
/// the fusion weight and pixel threshold that give the best mean IoU out of fold, and the
/// final head trained on every sample.
enum SegmentationFitting {
    /// One held-out photo as the fold's head saw it.
    private struct HeldOut {
        var probabilities: Tensor
        var memoryMap: AnomalyMap
        var truth: LabelMask
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

        // Per candidate loss (focal gamma; 0 is the cross entropy), each fold's head segments
        // its held-out photos; the loss, fusion weight and threshold with the best
        // out-of-fold mean IoU are kept (on a tie the earlier loss), then the final head is
        // trained on every sample with the chosen loss.
        var chosen: (gamma: Float, fusion: (weight: Float, threshold: Float, iou: Double), heldOut: [HeldOut])?
        let gammas = options.focalGammas.isEmpty ? [options.focalGamma] : options.focalGammas
        let head = try phases.run("segmentation head", total: gammas.count * k + 1) { report throws(InspectionError) -> PatchSegmentationHead in
            for (g, gamma) in gammas.enumerated() {
                var candidate = options
                candidate.focalGamma = gamma
                var heldOut: [HeldOut] = []
                for f in 0..<k {
                    let foldHead = SegmentationTrainer.train(samples, rows: rowsByFold[f], options: candidate, seed: seed &+ UInt64(f))
                    for photo in (masked + goods) where foldOf[photo] == f {
                        guard let score = memoryScores[photo] else { continue }
                        let map = score.map(width: size.width, height: size.height)
                        let truth = sampler.masks[photo].map { $0.resized(width: size.width, height: size.height, classCount: labels.classCount) }
                            ?? LabelMask.background(width: size.width, height: size.height)
                        let probabilities = SegmentationModel.probabilityMap(head: foldHead, cells: sampler.cells(photo, store: store),
                                                                             width: size.width, height: size.height)
                        heldOut.append(HeldOut(probabilities: probabilities, memoryMap: map, truth: truth))
                    }
                    report(g * k + f + 1)
                }
                guard heldOut.contains(where: { $0.truth.classes.contains { $0 != 0 } }) else {
                    throw InspectionError("", "no masked training photo could be segmented out of fold")
                }
                let fusion = try bestFusion(heldOut, cutOff: cutOff, labels: labels, options: options)
                if chosen == nil || fusion.iou > chosen!.fusion.iou + 1e-12 { chosen = (gamma, fusion, heldOut) }
            }
            var final = options
            final.focalGamma = chosen?.gamma ?? options.focalGamma
            return SegmentationTrainer.train(samples, rows: Array(samples.photos.indices), options: final, seed: seed &+ 1000)
        }
        guard let chosen else { throw InspectionError("", "no loss candidates for the segmentation") }
        let (best, heldOut) = (chosen.fusion, chosen.heldOut)
        var evaluation = SegmentationEvaluation(labels: labels, width: size.width)
        for photo in heldOut {
            let outcome = SegmentationModel.cut(photo.probabilities, memoryMap: photo.memoryMap, memoryCutOff: cutOff,
                                                memoryWeight: best.weight, pixelThreshold: best.threshold, labels: labels)
            evaluation.add(outcome, truth: photo.truth, memoryMap: photo.memoryMap, memoryCutOff: cutOff)
        }
        let maskedOOF = heldOut.count { $0.truth.classes.contains { $0 != 0 } }
        let measuredOn = "\(heldOut.count) training photos out of fold (\(maskedOOF) with masks), \(k) folds"
        guard head.parameters.allSatisfy({ $0.value.scalars.allSatisfy(\.isFinite) }) else {
            throw InspectionError("", "the segmentation head diverged (non-finite weights)")
        }
        let loss = chosen.gamma > 0 ? String(format: "focal loss (gamma %g)", chosen.gamma) : "cross entropy"
        let chosenOn = String(format: "memory weight %.2f and pixel threshold %.2f", best.weight, best.threshold)
            + ", \(loss) + Dice: the best mean IoU (" + String(format: "%.3f", best.iou) + ") over \(gammas.count) losses x "
            + "\(options.memoryWeights.count) weights x \(options.pixelThresholds.count) thresholds on \(measuredOn)"
        return FittedSegmentation(model: SegmentationModel(head: head, labels: labels, memoryWeight: best.weight, pixelThreshold: best.threshold),
                                  outOfFold: evaluation.report(measuredOn: measuredOn), folds: k, samples: samples.count,
                                  stride4Channels: sampler.stride4Maps.first?.shape.last ?? 0,
                                  maskedPhotos: masked.count, chosenOn: chosenOn)
    }

    /// The fusion weight and threshold with the best out-of-fold mean IoU; on a tie the larger
    /// memory weight (it keeps marking defects the masks never showed).
    private static func bestFusion(_ heldOut: [HeldOut], cutOff: Float, labels: SegmentationLabels,
                                   options: SegmentationOptions) throws(InspectionError) -> (weight: Float, threshold: Float, iou: Double) {
        var best: (weight: Float, threshold: Float, iou: Double)?
        for weight in options.memoryWeights.sorted(by: >) {
            let outcomes = heldOut.map {
                SegmentationModel.cut($0.probabilities, memoryMap: $0.memoryMap, memoryCutOff: cutOff, memoryWeight: weight,
                                      pixelThreshold: 0, labels: labels)
            }
            for threshold in options.pixelThresholds {
                let iou = meanIoU(outcomes, heldOut.map(\.truth), threshold: threshold, classCount: labels.classCount)
                if best == nil || iou > best!.iou + 1e-12 { best = (weight, threshold, iou) }
            }
        }
        guard let best else { throw InspectionError("", "no fusion candidates for the segmentation") }
        return best
    }

    /// Mean over the defect classes (with true or marked pixels) of the IoU of the pixels
    /// whose fused score reaches `threshold`, all photos' pixels together. `outcomes` were cut
    /// at 0, so their classes are the head's best defect class everywhere.
    static func meanIoU(_ outcomes: [SegmentationOutcome], _ truths: [LabelMask], threshold: Float, classCount: Int) -> Double {
        var both = [Int](repeating: 0, count: classCount), union = both
        for (outcome, truth) in zip(outcomes, truths) {
            for i in 0..<outcome.classes.count {
                let marked = outcome.anomaly[i] >= threshold ? Int(outcome.classes[i]) : 0, t = Int(truth.classes[i])
                if marked == t { if t != 0 { both[t] += 1; union[t] += 1 } } else {
                    if marked != 0 { union[marked] += 1 }
                    if t != 0 { union[t] += 1 }
                }
            }
        }
        let ious = (1..<classCount).compactMap { union[$0] > 0 ? Double(both[$0]) / Double(union[$0]) : nil }
        return ious.isEmpty ? 0 : ious.reduce(0, +) / Double(ious.count)
    }
}
