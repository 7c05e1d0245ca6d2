import Imaging
import SeededRandom
import Tensors

/// What the segmentation head trains on: cell features (rows of `dimension` values,
/// `SegmentationFeatures` with the patch features at stride-8 weight 1) with their target class distributions (rows
/// of `classCount`: the share of the cell's pixels of each class), and the training photo
/// each row came from (the cross-validation's folds are photos).
struct SegmentationSamples {
    let dimension: Int
    let classCount: Int
    var features: [Float] = []
    var targets: [Float] = []
    var photos: [Int] = []

    var count: Int { photos.count }

    /// Keeps the cells of one view of a photo: every cell with any defect pixel, and a
    /// seeded share `backgroundShare` of the others (the background is plentiful and alike).
    mutating func add(patches: UnsafePointer<Float>, targets patchTargets: [Float], photo: Int, backgroundShare: Double,
                      rng: inout SeededGenerator) {
        let n = patchTargets.count / classCount
        for p in 0..<n {
            let defect = 1 - patchTargets[p * classCount]
            guard defect > 0.01 || Double.random(in: 0..<1, using: &rng) < backgroundShare else { continue }
            features.append(contentsOf: UnsafeBufferPointer(start: patches + p * dimension, count: dimension))
            targets.append(contentsOf: patchTargets[(p * classCount)..<((p + 1) * classCount)])
            photos.append(photo)
        }
    }

    /// The rows at `rows` as tensors [B, D] and [B, K].
    func batch(_ rows: ArraySlice<Int>) -> (features: Tensor, targets: Tensor) {
        let x = Tensor(shape: [rows.count, dimension]), t = Tensor(shape: [rows.count, classCount])
        features.withUnsafeBufferPointer { f in
            for (r, row) in rows.enumerated() { (x.data + r * dimension).update(from: f.baseAddress! + row * dimension, count: dimension) }
        }
        targets.withUnsafeBufferPointer { s in
            for (r, row) in rows.enumerated() { (t.data + r * classCount).update(from: s.baseAddress! + row * classCount, count: classCount) }
        }
        return (x, t)
    }

    /// Per-feature mean and standard deviation over all rows.
    func featureMoments() -> (mean: [Float], std: [Float]) {
        var mean = [Double](repeating: 0, count: dimension), square = [Double](repeating: 0, count: dimension)
        for r in 0..<count {
            for j in 0..<dimension {
                let v = Double(features[r * dimension + j])
                mean[j] += v
                square[j] += v * v
            }
        }
        let n = Double(max(count, 1))
        return (mean.map { Float($0 / n) }, zip(mean, square).map { Float(max($1 / n - ($0 / n) * ($0 / n), 0).squareRoot()) })
    }
}

/// Cell targets from class coverage: per cell of the stride-4 grid (`SegmentationFeatures`),
/// each defect class's share of its 4x4 pixels, and the background the rest. The targets stay
/// soft, so the head learns each cell's defect share and its probabilities, upsampled to the
/// pixels and cut at the chosen threshold, mark a 2 px scratch about 2 px wide.
enum PatchTargets {
    static let stride = SegmentationFeatures.stride

    /// `layers`: one grey coverage image per defect class at the model's input size (255 fully
    /// covered). Returns rows of `layers.count + 1` values per cell, row-major over the grid.
    static func fromCoverage(_ layers: [Image], width: Int, height: Int) -> [Float] {
        let (gw, gh, k) = (width / stride, height / stride, layers.count + 1)
        var targets = [Float](repeating: 0, count: gw * gh * k)
        let scale = 1 / Float(stride * stride * 255)
        for gy in 0..<gh {
            for gx in 0..<gw {
                let row = (gy * gw + gx) * k
                var defect: Float = 0
                for (c, layer) in layers.enumerated() {
                    var sum = 0
                    for y in (gy * stride)..<(gy * stride + stride) {
                        for x in (gx * stride)..<(gx * stride + stride) { sum += Int(layer.pixels[y * width + x]) }
                    }
                    targets[row + c + 1] = Float(sum) * scale
                    defect += targets[row + c + 1]
                }
                if defect > 1 { for c in 1..<k { targets[row + c] /= defect } }
                targets[row] = max(0, 1 - defect)
            }
        }
        return targets
    }

    /// A photo's targets as scored (no augmentation): its mask resized to the input size.
    static func asScored(_ mask: LabelMask, size: InputSize, classCount: Int) -> [Float] {
        fromCoverage(mask.classImages(classCount: classCount).map { $0.resized(width: size.width, height: size.height, filter: .antialiased) },
                     width: size.width, height: size.height)
    }

    /// A variant's targets: the mask's class images through the variant's geometry.
    static func augmented(_ classImages: [Image], draw: AugmentationDraw, size: InputSize) -> [Float] {
        fromCoverage(classImages.map { draw.geometry($0, size: size) }, width: size.width, height: size.height)
    }
}

/// Collects segmentation samples while the supervised head's augmented variants are
/// extracted (the same views, so the masks cost no extra feature extraction): good photos'
/// cells are all background; anomalous photos with a mask give their mask's targets;
/// anomalous photos without a mask are left out (their defect pixels are unknown).
final class SegmentationSampler: @unchecked Sendable {
    let labels: SegmentationLabels
    let size: InputSize
    /// The decoded masks of the anomalous training photos that have one, by photo index.
    let masks: [Int: LabelMask]
    let isGood: [Bool]
    let seed: UInt64
    /// Each training photo's stride-4 map as scored (for its cells, `cells(_:store:)`).
    let stride4Maps: [StoredStride4Map]
    /// Each training photo at the input size in grey (for its contrasts, `PhotoContrast`);
    /// empty when not kept.
    let greyPhotos: [Image]
    private let classImages: [Int: [Image]]
    /// Background share kept per view: of masked anomalous photos, and of good photos (a
    /// quarter of the shares once taken of the 4 times fewer stride-8 patches, so about as
    /// many background rows).
    static let maskedBackgroundShare = 0.025, goodBackgroundShare = 0.0075
    private(set) var samples: SegmentationSamples

    init(labels: SegmentationLabels, size: InputSize, masks: [Int: LabelMask], isGood: [Bool], stride4Maps: [StoredStride4Map],
         greyPhotos: [Image] = [], dimension: Int, seed: UInt64) {
        self.labels = labels
        self.size = size
        self.masks = masks
        self.isGood = isGood
        self.seed = seed
        self.stride4Maps = stride4Maps
        self.greyPhotos = greyPhotos
        classImages = masks.mapValues { $0.classImages(classCount: labels.classCount) }
        samples = SegmentationSamples(dimension: dimension, classCount: labels.classCount)
    }

    /// A training photo as scored: its cells [1, H/4, W/4, C4 + D] (`SegmentationFeatures`).
    func cells(_ photo: Int, store: PatchGridStore) -> Tensor {
        SegmentationFeatures.cells(stride4: stride4Maps[photo].tensor, grid: store.grid(photo, stride8Weight: 1))
    }

    /// Whether the photo's views are sampled.
    func uses(_ photo: Int) -> Bool { isGood[photo] || masks[photo] != nil }

    /// The cell targets of a view of a photo (nil when the photo is not used): `draw` nil is
    /// the photo as scored. Safe to call from several threads.
    func targets(photo: Int, draw: AugmentationDraw?) -> [Float]? {
        let k = labels.classCount, cells = (size.width / PatchTargets.stride) * (size.height / PatchTargets.stride)
        if isGood[photo] {
            var t = [Float](repeating: 0, count: cells * k)
            for p in 0..<cells { t[p * k] = 1 }
            return t
        }
        guard let mask = masks[photo], let images = classImages[photo] else { return nil }
        guard let draw else { return PatchTargets.asScored(mask, size: size, classCount: k) }
        return PatchTargets.augmented(images, draw: draw, size: size)
    }

    /// Adds one view's cells [h * w, D] (row-major) with their targets; `variant` seeds the
    /// background sampling.
    func add(photo: Int, variant: Int, cells patches: UnsafePointer<Float>, targets: [Float]) {
        var rng = SeededGenerator(seed: seed &+ UInt64(photo) &* 7_919 &+ UInt64(variant) &* 104_729 &+ 31)
        samples.add(patches: patches, targets: targets, photo: photo,
                    backgroundShare: isGood[photo] ? Self.goodBackgroundShare : Self.maskedBackgroundShare, rng: &rng)
    }
}

/// The trainer's segmentation steps before the head's training: the masks decoded, and the
/// photos as scored added to the samples.
enum SegmentationSampling {
    /// A sampler over the dataset's masks (every anomalous photo's mask decoded with the
    /// dataset's colour map, or as a white mask; the first undecodable one stops training,
    /// naming it and its photo). A mask of another size than its photo (`photoSizes`, as
    /// decoded) is resized to the photo's. Timed as the phase "masks".
    static func sampler(_ dataset: InspectionDataset, size: InputSize, photoSizes: [InputSize], stride4Maps: [StoredStride4Map],
                        greyPhotos: [Image], patchDimension: Int, seed: UInt64, phases: TrainingPhases) throws(InspectionError) -> SegmentationSampler {
        let labels = dataset.maskLabels ?? .white
        let masks = try phases.time("masks") { () throws(InspectionError) -> [Int: LabelMask] in
            var masks: [Int: LabelMask] = [:]
            for (i, image) in dataset.images.enumerated() where image.isAnomalous {
                guard let path = image.maskPath else { continue }
                let mask = try LabelMask.load(path, photo: image.path, labels: labels)
                let photo = i < photoSizes.count ? photoSizes[i] : InputSize(width: mask.width, height: mask.height)
                masks[i] = mask.resized(width: photo.width, height: photo.height, classCount: labels.classCount)
            }
            return masks
        }
        guard stride4Maps.count == dataset.images.count, let fine = stride4Maps.first?.shape.last else {
            throw InspectionError("", "segmentation needs the stride-4 map of every training photo, got \(stride4Maps.count) of \(dataset.images.count)")
        }
        return SegmentationSampler(labels: labels, size: size, masks: masks, isGood: dataset.images.map { !$0.isAnomalous },
                                   stride4Maps: stride4Maps, greyPhotos: greyPhotos.count == dataset.images.count ? greyPhotos : [],
                                   dimension: fine + patchDimension, seed: seed)
    }

    /// Each used photo as scored (variant 0), from the stored features.
    static func addPhotosAsScored(_ sampler: SegmentationSampler, store: PatchGridStore) {
        for photo in 0..<min(store.count, sampler.isGood.count) where sampler.uses(photo) {
            guard let targets = sampler.targets(photo: photo, draw: nil) else { continue }
            // The cells tensor owns the memory `add` reads: it must outlive the call.
            let cells = sampler.cells(photo, store: store)
            withExtendedLifetime(cells) { sampler.add(photo: photo, variant: 0, cells: cells.data, targets: targets) }
        }
    }
}
