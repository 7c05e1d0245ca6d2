import Tensors

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
            let (d, i) = memory.nearest(p.baseAddress!, count: grid.patchCount, coarse: grid.coarse, gridWidth: grid.width,
                                        gridHeight: grid.height)
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

    /// The map at the model's input size: the patch grid has stride 8 of the input.
    public func inputSizeMap() -> AnomalyMap { map(width: gridWidth * 8, height: gridHeight * 8) }
}
