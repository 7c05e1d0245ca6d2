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
    /// All grids' values in two flat arrays, grid after grid: many small long-lived arrays
    /// between the extractor's large short-lived buffers would fragment the heap (resident
    /// memory grew about 0.8 MB per photo instead of 0.22).
    private var leading: [Float16] = []
    private var trailing: [Float16] = []
    private(set) var count = 0

    var patchesPerGrid: Int { width * height }
    private var leadingPerGrid: Int { patchesPerGrid * stride8Channels }
    private var trailingPerGrid: Int {
        guard let cw = coarseWidth, let ch = coarseHeight else { return patchesPerGrid * (dimension - stride8Channels) }
        return cw * ch * (dimension - stride8Channels)
    }

    /// Makes room for `grids` grids in all, in one allocation each.
    func reserve(grids: Int) {
        leading.reserveCapacity(grids * leadingPerGrid)
        trailing.reserveCapacity(grids * trailingPerGrid)
    }

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
        for p in 0..<patchesPerGrid { for j in 0..<c8 { leading.append(Float16(grid.values[p * d + j])) } }
        if let coarse = grid.coarse {
            for v in coarse.values { trailing.append(Float16(v)) }
        } else {
            let tail = d - c8
            for p in 0..<patchesPerGrid { for j in 0..<tail { trailing.append(Float16(grid.values[p * d + c8 + j])) } }
        }
        count += 1
    }

    /// Grid `index` with its stride-8 features scaled by `stride8Weight` (as
    /// `PatchFeatures.combineKeepingCoarse` makes them), carrying its coarse map.
    func grid(_ index: Int, stride8Weight: Float = 1) -> PatchGrid {
        let c8 = stride8Channels, d = dimension, tail = d - c8, n = patchesPerGrid
        var values = [Float](repeating: 0, count: n * d)
        let lead = leading[(index * leadingPerGrid)...], rest = trailing[(index * trailingPerGrid)..<((index + 1) * trailingPerGrid)]
        let l0 = lead.startIndex, r0 = rest.startIndex
        for p in 0..<n { for j in 0..<c8 { values[p * d + j] = Float(lead[l0 + p * c8 + j]) * stride8Weight } }
        guard let cw = coarseWidth, let ch = coarseHeight else {
            for p in 0..<n { for j in 0..<tail { values[p * d + c8 + j] = Float(rest[r0 + p * tail + j]) } }
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
