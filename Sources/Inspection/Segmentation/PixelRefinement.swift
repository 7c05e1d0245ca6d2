import Foundation
import Imaging
import Networks
import SeededRandom
import Tensors

/// The photo's own fine detail at the model's input size, for `PixelRefinement`: per pixel,
/// its grey level (0...1) minus the Gaussian-blurred grey level around it at each of `sigmas`
/// pixels (difference of Gaussians against the pixel itself). A dark crack 2 px wide is
/// strongly negative at sigma 1 and 2 and a broad shading change only at 4, so these say
/// which pixels of a stride-4 cell the defect runs through, which the cell grid cannot.
public struct PhotoContrast: Sendable, Equatable {
    public static let sigmas: [Float] = [1, 2, 4]
    /// Scales of the line channels: the two eigenvalues of the Hessian of the grey level
    /// blurred at each of these, times sigma squared (scale-normalised, Lindeberg 1998), larger
    /// first. A dark line across the pixel gives a large positive first eigenvalue and a
    /// near-zero second one whatever its direction (the ridge measure of Frangi et al. 1998),
    /// a bright line a large negative second one.
    public static let lineSigmas: [Float] = [1, 2]
    /// Values per pixel: the contrasts at `sigmas`, then the two eigenvalues at each of `lineSigmas`.
    public static var channels: Int { sigmas.count + 2 * lineSigmas.count }
    public let width: Int
    public let height: Int
    /// Row-major pixels, `channels` values each.
    public let values: [Float]

    /// The contrasts of an image already at the model's input size (any pixel format; its
    /// grey conversion is used).
    public init(_ image: Image) {
        let grey = image.converted(to: .gray).pixels.map { Float($0) / 255 }
        let (w, h, s, c) = (image.width, image.height, Self.sigmas.count, Self.channels)
        let blurred = Self.sigmas.map { gaussianBlur(grey, width: w, height: h, sigma: $0) }
        var values = [Float](repeating: 0, count: w * h * c)
        for i in 0..<(w * h) { for (j, b) in blurred.enumerated() { values[i * c + j] = grey[i] - b[i] } }
        for (l, sigma) in Self.lineSigmas.enumerated() {
            let g = gaussianBlur(grey, width: w, height: h, sigma: sigma), scale = sigma * sigma
            // Central second differences, the edge pixel repeated beyond the border.
            func at(_ x: Int, _ y: Int) -> Float { g[min(max(y, 0), h - 1) * w + min(max(x, 0), w - 1)] }
            for y in 0..<h {
                for x in 0..<w {
                    let gxx = at(x + 1, y) - 2 * at(x, y) + at(x - 1, y), gyy = at(x, y + 1) - 2 * at(x, y) + at(x, y - 1)
                    let gxy = (at(x + 1, y + 1) - at(x - 1, y + 1) - at(x + 1, y - 1) + at(x - 1, y - 1)) / 4
                    let mean = (gxx + gyy) / 2, spread = (((gxx - gyy) / 2) * ((gxx - gyy) / 2) + gxy * gxy).squareRoot()
                    values[(y * w + x) * c + s + 2 * l] = scale * (mean + spread)
                    values[(y * w + x) * c + s + 2 * l + 1] = scale * (mean - spread)
                }
            }
        }
        self.init(width: w, height: h, values: values)
    }

    init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height * Self.channels, "PhotoContrast: \(values.count) values for \(width)x\(height)")
        self.width = width
        self.height = height
        self.values = values
    }
}

/// A per-pixel second stage on top of the segmentation head. The head predicts on the stride-4
/// cell grid and its probabilities, upsampled bilinearly, mark a band about a cell wide around
/// a crack 1-2 input pixels wide. This stage re-scores each input pixel from the head's anomaly
/// there (as a logit), the memory's map over its cut-off (capped at 2) and the photo's
/// contrasts (`PhotoContrast`), with a small network (`PatchSegmentationHead`: standardised
/// features -> `hiddenUnits` ReLU units -> background / defect), so the band narrows to the
/// pixels that look like the defect. It is trained on the head's out-of-fold probabilities of
/// the training photos (stacking: the head never saw the pixels it is refined on), and its
/// anomaly replaces the head's: the defect types keep the head's proportions (`rescaled`).
public struct PixelRefinement: @unchecked Sendable {
    public let network: PatchSegmentationHead
    public static let hiddenUnits = 16
    /// Features per pixel: the head's anomaly logit, the memory's map, the photo's contrasts.
    public static var featureCount: Int { 2 + PhotoContrast.channels }
    /// Share of the background pixels of the out-of-fold photos kept as training rows (every
    /// defect pixel is kept). One share for every pixel, so the odds the stage learns are the
    /// true odds over this share; `train` corrects them back (its anomaly is a probability).
    static let backgroundShare = 0.1
    /// Passes of its training (each a few hundred minibatches of `SegmentationOptions.batchSize`).
    static let epochs = 8

    public init(network: PatchSegmentationHead) {
        precondition(network.inputs == Self.featureCount && network.classes == 2,
                     "PixelRefinement: a network of \(network.inputs) inputs and \(network.classes) classes")
        self.network = network
    }

    /// A head's anomaly at which the logit is clamped (the head's probabilities reach 0 and 1).
    static let anomalyFloor: Float = 1e-4

    /// The rows [W * H, featureCount] of a photo: `probabilities` the head's [1, H, W, K] at the
    /// input size, `contrast` the photo's, `memoryMap` the memory's map with its cut-off.
    static func features(_ probabilities: Tensor, contrast: PhotoContrast, memoryMap: AnomalyMap, memoryCutOff: Float) -> Tensor {
        let n = memoryMap.values.count, k = probabilities.count / max(n, 1), s = PhotoContrast.channels, f = featureCount
        precondition(probabilities.count == n * k && contrast.values.count == n * s,
                     "PixelRefinement: \(probabilities.count) probabilities, \(contrast.values.count / s) contrast pixels, \(n) map pixels")
        let scale = memoryCutOff > 0 ? 1 / memoryCutOff : 0
        let rows = Tensor(shape: [n, f])
        for i in 0..<n {
            let a = min(max(1 - probabilities.data[i * k], anomalyFloor), 1 - anomalyFloor)
            rows.data[i * f] = logf(a / (1 - a))
            rows.data[i * f + 1] = min(memoryMap.values[i] * scale, 2)
            for j in 0..<s { rows.data[i * f + 2 + j] = contrast.values[i * s + j] }
        }
        return rows
    }

    /// The head's probabilities [1, H, W, K] with the anomaly (1 - background) re-scored per
    /// pixel by this stage.
    func refined(_ probabilities: Tensor, contrast: PhotoContrast, memoryMap: AnomalyMap, memoryCutOff: Float) -> Tensor {
        let p = network.probabilities(Self.features(probabilities, contrast: contrast, memoryMap: memoryMap, memoryCutOff: memoryCutOff))
        return Self.rescaled(probabilities, anomaly: (0..<memoryMap.values.count).map { p.data[$0 * 2 + 1] })
    }

    /// `probabilities` [1, H, W, K] with each pixel's background set to 1 - `anomaly` and its
    /// defect types scaled to share `anomaly` in their old proportions (equally where the head
    /// gave them nothing), so the most likely type stays the head's.
    static func rescaled(_ probabilities: Tensor, anomaly: [Float]) -> Tensor {
        let n = anomaly.count, k = probabilities.count / max(n, 1)
        let out = Tensor(shape: probabilities.shape)
        for i in 0..<n {
            let row = probabilities.data + i * k, target = out.data + i * k
            let old = (1..<k).reduce(Float(0)) { $0 + row[$1] }
            target[0] = 1 - anomaly[i]
            for c in 1..<k { target[c] = old > 0 ? anomaly[i] * row[c] / old : anomaly[i] / Float(k - 1) }
        }
        return out
    }

    /// Trains the stage on held-out photos (`SegmentationFitting.HeldOut`, each with its
    /// contrast) at `photos` (indices into `heldOut`): every defect pixel and
    /// `backgroundShare` of the background ones (its odds corrected for that share), hard
    /// targets (the truth at the input size), the cross entropy plus the soft Dice loss of the
    /// defect as the head's.
    static func train(_ heldOut: [SegmentationFitting.HeldOut], photos: [Int], memoryCutOff: Float, options: SegmentationOptions,
                      seed: UInt64, epochs: Int = epochs) -> PixelRefinement {
        var samples = SegmentationSamples(dimension: featureCount, classCount: 2)
        for index in photos {
            let photo = heldOut[index]
            guard let contrast = photo.contrast else { continue }
            let rows = features(photo.probabilities, contrast: contrast, memoryMap: photo.memoryMap, memoryCutOff: memoryCutOff)
            var targets = [Float](repeating: 0, count: photo.truth.classes.count * 2)
            for (i, c) in photo.truth.classes.enumerated() { targets[i * 2 + (c == 0 ? 0 : 1)] = 1 }
            var rng = SeededGenerator(seed: seed &+ UInt64(index) &* 7_919 &+ 13)
            withExtendedLifetime(rows) {
                samples.add(patches: rows.data, targets: targets, photo: index, backgroundShare: backgroundShare, rng: &rng)
            }
        }
        var stage = options
        stage.hiddenUnits = hiddenUnits
        stage.epochs = epochs
        stage.focalGamma = 0
        let network = SegmentationTrainer.train(samples, rows: Array(samples.photos.indices), options: stage, seed: seed)
        // Prior correction for the sampled background (King and Zeng 2001): the defect's
        // logit minus the background's is the log odds, trained on odds 1 / backgroundShare
        // times the true ones; adding log(backgroundShare) to the defect's bias undoes that.
        network.outputBias.value.data[1] += Float(log(backgroundShare))
        return PixelRefinement(network: network)
    }

    /// The held-out photos refined out of fold: each fold's photos by a stage trained on the
    /// other folds' photos (their head probabilities were out of fold already).
    static func outOfFold(_ heldOut: [SegmentationFitting.HeldOut], folds: Int, memoryCutOff: Float, options: SegmentationOptions,
                          seed: UInt64) -> [SegmentationFitting.HeldOut] {
        var refined = heldOut
        for f in 0..<folds {
            let stage = train(heldOut, photos: heldOut.indices.filter { heldOut[$0].fold != f }, memoryCutOff: memoryCutOff,
                              options: options, seed: seed &+ UInt64(f))
            for i in heldOut.indices where heldOut[i].fold == f {
                guard let contrast = heldOut[i].contrast else { continue }
                refined[i].probabilities = stage.refined(heldOut[i].probabilities, contrast: contrast, memoryMap: heldOut[i].memoryMap,
                                                         memoryCutOff: memoryCutOff)
            }
        }
        return refined
    }
}
