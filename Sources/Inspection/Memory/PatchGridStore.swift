import Tensors

/// The patch grids of many photos of one input size, kept compactly while training: per photo
/// the leading (stride-8) features of every patch and, when the grid has one, the coarse
/// stride-16 map whose bilinear upsampling the trailing features are (otherwise the trailing
/// features themselves), as Float16. A 40x40 grid of 40 + 112 features takes 218 KB instead
/// of the 973 KB of its Float32 patches; Float16 keeps 11 significant bits, far finer than
/// the distances between patches that the memory compares.
final class PatchGridStore: @unchecked Sendable {
    let width: Int
    let height: Int
    let dimension: Int
    let stride8Channels: Int
    /// The coarse map's size, when the grids have one.
    let coarseWidth: Int?
    let coarseHeight: Int?
    private var leading: [[Float16]] = []
    private var trailing: [[Float16]] = []

    var count: Int { leading.count }
    var patchesPerGrid: Int { width * height }

    /// An empty store for grids shaped like `grid`.
    init(shapedLike grid: PatchGrid) {
        width = grid.width
        height = grid.height
        dimension = grid.dimension
        stride8Channels = grid.stride8Channels
        coarseWidth = grid.coarse?.width
        coarseHeight = grid.coarse?.height
    }

    /// Whether `grid` has this store's shape.
    func accepts(_ grid: PatchGrid) -> Bool {
        grid.width == width && grid.height == height && grid.dimension == dimension && grid.stride8Channels == stride8Channels
            && grid.coarse?.width == coarseWidth && grid.coarse?.height == coarseHeight
    }

    /// Appends a grid of this store's shape, extracted with stride-8 weight 1.
    func append(_ grid: PatchGrid) {
        precondition(accepts(grid), "PatchGridStore: a \(grid.width)x\(grid.height)x\(grid.dimension) grid in a store of \(width)x\(height)x\(dimension)")
        let c8 = stride8Channels, d = dimension
        var lead = [Float16](repeating: 0, count: patchesPerGrid * c8)
        for p in 0..<patchesPerGrid { for j in 0..<c8 { lead[p * c8 + j] = Float16(grid.values[p * d + j]) } }
        leading.append(lead)
        if let coarse = grid.coarse {
            trailing.append(coarse.values.map { Float16($0) })
        } else {
            let tail = d - c8
            var rest = [Float16](repeating: 0, count: patchesPerGrid * tail)
            for p in 0..<patchesPerGrid { for j in 0..<tail { rest[p * tail + j] = Float16(grid.values[p * d + c8 + j]) } }
            trailing.append(rest)
        }
    }

    /// Grid `index` with its stride-8 features scaled by `stride8Weight` (as
    /// `PatchFeatures.combineKeepingCoarse` makes them), carrying its coarse map.
    func grid(_ index: Int, stride8Weight: Float = 1) -> PatchGrid {
        let c8 = stride8Channels, d = dimension, tail = d - c8, n = patchesPerGrid
        var values = [Float](repeating: 0, count: n * d)
        let lead = leading[index], rest = trailing[index]
        for p in 0..<n { for j in 0..<c8 { values[p * d + j] = Float(lead[p * c8 + j]) * stride8Weight } }
        guard let cw = coarseWidth, let ch = coarseHeight else {
            for p in 0..<n { for j in 0..<tail { values[p * d + c8 + j] = Float(rest[p * tail + j]) } }
            return PatchGrid(width: width, height: height, dimension: d, values: values, stride8Channels: c8)
        }
        let coarseValues = rest.map { Float($0) }
        let upsampled = resizeBilinear(Tensor(shape: [1, ch, cw, tail], data: coarseValues), height: height, width: width)
        values.withUnsafeMutableBufferPointer { v in
            for p in 0..<n { (v.baseAddress! + p * d + c8).update(from: upsampled.data + p * tail, count: tail) }
        }
        return PatchGrid(width: width, height: height, dimension: d, values: values, stride8Channels: c8,
                         coarse: PatchGrid.CoarseGrid(width: cw, height: ch, dimension: tail, values: coarseValues))
    }
}
