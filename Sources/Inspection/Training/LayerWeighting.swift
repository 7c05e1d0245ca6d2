import Imaging

/// Patch grids and their coreset preselections per stride-8 weight, made when first asked.
final class LayerWeighting {
    private let base: [PatchGrid]
    private let trainCount: Int
    private let seed: UInt64
    private var scaled: [Float: [PatchGrid]] = [:]
    private var kept: [Float: [PatchGrid]] = [:]

    init(grids: [PatchGrid], trainCount: Int, seed: UInt64) {
        base = grids
        self.trainCount = trainCount
        self.seed = seed
    }

    func grids(_ weight: Float) -> [PatchGrid] {
        if let g = scaled[weight] { return g }
        let g = base.map { $0.reweighted(stride8Weight: weight) }
        scaled[weight] = g
        return g
    }

    /// Preselections of the training images (test images never enter a memory).
    func preselected(_ weight: Float) -> [PatchGrid] {
        if let p = kept[weight] { return p }
        let g = grids(weight)
        let seed = self.seed
        let p = concurrentMap(count: trainCount) { g[$0].preselected(seed: seed) }
        kept[weight] = p
        return p
    }
}
