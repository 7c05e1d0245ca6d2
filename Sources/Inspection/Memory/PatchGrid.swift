import Imaging
import Tensors

/// The patch features of one image: a `width` x `height` grid (stride 8 of the input) of
/// `dimension`-long features, row-major.
public struct PatchGrid: Sendable {
    public let width: Int
    public let height: Int
    public let dimension: Int
    public let values: [Float]
    /// How many leading features of each patch come from the stride-8 map.
    public let stride8Channels: Int
    /// The aggregated stride-16 map whose bilinear upsampling the patches' trailing features
    /// are, when known: it makes the nearest-patch search cheaper (`PatchScore`).
    public let coarse: CoarseGrid?

    public init(width: Int, height: Int, dimension: Int, values: [Float], stride8Channels: Int = 0, coarse: CoarseGrid? = nil) {
        self.width = width
        self.height = height
        self.dimension = dimension
        self.values = values
        self.stride8Channels = stride8Channels
        self.coarse = coarse.flatMap { $0.dimension == dimension - stride8Channels ? $0 : nil }
    }

    /// A row-major `width` x `height` grid of `dimension`-long features.
    public struct CoarseGrid: Sendable {
        public let width: Int
        public let height: Int
        public let dimension: Int
        public let values: [Float]
    }

    public var patchCount: Int { width * height }

    /// The same patches with the stride-8 features scaled by `weight`.
    public func reweighted(stride8Weight weight: Float) -> PatchGrid {
        if weight == 1 { return self }
        var scaled = values
        for p in 0..<(scaled.count / dimension) { for j in 0..<stride8Channels { scaled[p * dimension + j] *= weight } }
        return PatchGrid(width: width, height: height, dimension: dimension, values: scaled, stride8Channels: stride8Channels,
                         coarse: coarse)
    }

    /// Patch grids of resized RGB images, extracted in batches, and from the same pass each
    /// image's deep map [1, h, w, Cd] (when `deep`, for the supervised head) and stride-4 map
    /// [1, H/4, W/4, C4] (when `stride4`, for the segmentation head).
    public static func extractWithMaps(_ images: [Image], with extractor: FeatureExtractor, stride8Weight: Float = 1,
                                       batchSize: Int = 4, deep: Bool, stride4: Bool) -> [(grid: PatchGrid, deep: Tensor?, stride4: Tensor?)] {
        var results: [(grid: PatchGrid, deep: Tensor?, stride4: Tensor?)] = []
        var start = 0
        while start < images.count {
            let slice = Array(images[start..<min(images.count, start + batchSize)])
            let batch = ImagePreparation.batch(slice, normalization: extractor.normalization)
            let (s4, s8, s16, deepMap) = extractor.maps(batch, deep: deep, stride4: stride4)
            let (combined, coarse) = PatchFeatures.combineKeepingCoarse(stride8: s8, stride16: s16, stride8Weight: stride8Weight)
            let (n, h, w, d) = (combined.shape[0], combined.shape[1], combined.shape[2], combined.shape[3])
            let (ch, cw, cd) = (coarse.shape[1], coarse.shape[2], coarse.shape[3])
            for i in 0..<n {
                let values = Array(UnsafeBufferPointer(start: combined.data + i * h * w * d, count: h * w * d))
                let coarseValues = Array(UnsafeBufferPointer(start: coarse.data + i * ch * cw * cd, count: ch * cw * cd))
                let grid = PatchGrid(width: w, height: h, dimension: d, values: values, stride8Channels: s8.shape[3],
                                     coarse: CoarseGrid(width: cw, height: ch, dimension: cd, values: coarseValues))
                results.append((grid, deepMap.map { imageSlice($0, i) }, s4.map { imageSlice($0, i) }))
            }
            start += slice.count
        }
        return results
    }

    /// Image `i` of an NHWC batch as a [1, h, w, C] tensor.
    static func imageSlice(_ batch: Tensor, _ i: Int) -> Tensor {
        let size = batch.count / batch.shape[0]
        let t = Tensor(shape: [1] + batch.shape.dropFirst())
        t.data.update(from: batch.data + i * size, count: size)
        return t
    }
}
