import Tensors

/// The segmentation head's input: one row per cell of the stride-4 grid (4x4 input pixels).
/// A row is the backbone's stride-4 map at that cell (EfficientNet-Lite0's stage-2 output, 24
/// channels: edges and thin lines where they are), then the cell's patch features (the
/// memory's stride-8 features with their 3x3 neighbourhood and the stride-16 context,
/// `PatchFeatures`) upsampled bilinearly from the stride-8 grid. The head thus predicts on a
/// grid twice as fine as the patches, and the fine channels tell it where inside a patch a
/// thin defect runs.
public enum SegmentationFeatures {
    /// Input pixels per cell side.
    public static let stride = 4

    /// [N, H/4, W/4, C4 + D] from stride-4 maps [N, H/4, W/4, C4] and patch features
    /// [N, H/8, W/8, D] of the same images.
    public static func cells(stride4: Tensor, patches: Tensor) -> Tensor {
        precondition(stride4.rank == 4 && patches.rank == 4 && stride4.shape[0] == patches.shape[0],
                     "SegmentationFeatures: stride-4 maps \(stride4.shape) and patches \(patches.shape) do not match")
        let (n, h, w, c4) = (stride4.shape[0], stride4.shape[1], stride4.shape[2], stride4.shape[3])
        let up = resizeBilinear(patches, height: h, width: w)
        let d = up.shape[3], width = c4 + d
        let out = Tensor(shape: [n, h, w, width])
        for p in 0..<(n * h * w) {
            (out.data + p * width).update(from: stride4.data + p * c4, count: c4)
            (out.data + p * width + c4).update(from: up.data + p * d, count: d)
        }
        return out
    }

    /// One image's cells [1, H/4, W/4, C4 + D] from its stride-4 map and its patch grid.
    static func cells(stride4: Tensor, grid: PatchGrid) -> Tensor {
        cells(stride4: stride4, patches: Tensor(shape: [1, grid.height, grid.width, grid.dimension], data: grid.values))
    }
}

/// A training photo's stride-4 map kept as Float16 (half the memory; 3 significant digits are
/// plenty for features the head standardises), as `PatchGridStore` keeps the patch grids.
struct StoredStride4Map: Sendable {
    let shape: [Int]
    let values: [Float16]

    init(_ map: Tensor) {
        shape = map.shape
        values = (0..<map.count).map { Float16(map.data[$0]) }
    }

    var tensor: Tensor { Tensor(shape: shape, data: values.map { Float($0) }) }
}
