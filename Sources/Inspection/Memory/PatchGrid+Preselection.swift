import Tensors

extension PatchGrid {
    /// Share of an image's patches kept by the per-image first stage of the coreset.
    public static let preselectionFraction = 0.3

    /// The first stage of a two-stage coreset: a greedy coreset of this image's own patches
    /// (`preselectionFraction` of them). Greedy k-center selection costs patches x chosen
    /// per step; selecting per image first, then over the union, costs a fraction of one
    /// global pass and keeps every image's rare patches (an image's outlying patches are the
    /// first a greedy selection takes). Computed once per image and shared by all folds.
    public func preselected(seed: UInt64) -> PatchGrid {
        let keep = max(1, Int((Double(patchCount) * PatchGrid.preselectionFraction).rounded()))
        let chosen = Coreset.greedySelection(values, dimension: dimension, count: keep, projectedDimension: 128, seed: seed)
        var kept = [Float](repeating: 0, count: chosen.count * dimension)
        for (row, index) in chosen.enumerated() {
            for j in 0..<dimension { kept[row * dimension + j] = values[index * dimension + j] }
        }
        return PatchGrid(width: chosen.count, height: 1, dimension: dimension, values: kept, stride8Channels: stride8Channels)
    }
}
