import Imaging
import Tensors

/// The patch features of one image: a `width` x `height` grid (stride 8 of the input) of
/// `dimension`-long features, row-major.
public struct PatchGrid: Sendable {
    public let width: Int
    public let height: Int
    public let dimension: Int
    public let values: [Float]

    public var patchCount: Int { width * height }

    /// Patch grids of resized RGB images, extracted in batches.
    public static func extract(_ images: [Image], with extractor: FeatureExtractor, batchSize: Int = 4) -> [PatchGrid] {
        var grids: [PatchGrid] = []
        var start = 0
        while start < images.count {
            let slice = Array(images[start..<min(images.count, start + batchSize)])
            let (s8, s16) = extractor.extract(ImagePreparation.batch(slice, normalization: extractor.normalization))
            let combined = PatchFeatures.combine(stride8: s8, stride16: s16)
            let (n, h, w, d) = (combined.shape[0], combined.shape[1], combined.shape[2], combined.shape[3])
            for i in 0..<n {
                let values = Array(UnsafeBufferPointer(start: combined.data + i * h * w * d, count: h * w * d))
                grids.append(PatchGrid(width: w, height: h, dimension: d, values: values))
            }
            start += slice.count
        }
        return grids
    }
}

/// An image's anomaly score and map under a memory.
public struct PatchScore: Sendable {
    /// PatchCore's reweighted maximum patch distance.
    public var score: Float
    /// Patch distances on the grid (before upsampling and smoothing).
    public var patchDistances: [Float]
    public var gridWidth: Int
    public var gridHeight: Int

    public init(grid: PatchGrid, memory: PatchMemory) {
        precondition(grid.dimension == memory.dimension, "PatchScore: grid features of \(grid.dimension), memory of \(memory.dimension)")
        let (distances, indices, score) = grid.values.withUnsafeBufferPointer { p in
            let (d, i) = memory.nearest(p.baseAddress!, count: grid.patchCount)
            return (d, i, memory.imageScore(patches: p.baseAddress!, distances: d, indices: i))
        }
        self.score = score
        patchDistances = distances
        _ = indices
        gridWidth = grid.width
        gridHeight = grid.height
    }

    /// The smoothed map at `width` x `height` (the model's input size).
    public func map(width: Int, height: Int) -> AnomalyMap {
        AnomalyMap.fromPatchScores(patchDistances, gridWidth: gridWidth, gridHeight: gridHeight, width: width, height: height)
    }
}

extension PatchMemory {
    /// A memory over the patches of the given grids (a greedy coreset of `fraction`).
    public static func build(grids: [PatchGrid], fraction: Double, seed: UInt64) -> PatchMemory {
        precondition(!grids.isEmpty, "PatchMemory.build: no images")
        var patches: [Float] = []
        patches.reserveCapacity(grids.reduce(0) { $0 + $1.values.count })
        for grid in grids { patches += grid.values }
        return build(patches: patches, dimension: grids[0].dimension, fraction: fraction, seed: seed)
    }
}
