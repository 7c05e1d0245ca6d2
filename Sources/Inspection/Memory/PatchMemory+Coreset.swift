import Foundation

extension PatchMemory {
    /// Default of the most patches a memory keeps (`TrainingOptions.maxMemoryPatches`).
    public static let defaultMaximumSize = 8192
    /// The fewest patches a memory keeps (when the training photos have that many).
    public static let minimumSize = 64

    /// Patches in a memory over `patches` training patches: `fraction` of them, at least
    /// `minimumSize` and at most `maximum` (never more than there are).
    public static func size(patches: Int, fraction: Double, maximum: Int) -> Int {
        min(patches, max(minimumSize, min(maximum, Int((Double(patches) * fraction).rounded()))))
    }

    /// A memory over the patches of the given grids (all of one shape), by the two-stage
    /// greedy coreset: candidates per grid (`CoresetCandidates`), then a selection over them
    /// (`MemoryCoreset`) of `size(patches:fraction:maximum:)` patches.
    public static func build(grids: [PatchGrid], fraction: Double, maximum: Int = defaultMaximumSize, seed: UInt64) -> PatchMemory {
        precondition(!grids.isEmpty, "PatchMemory.build: no grids")
        let store = PatchGridStore(shapedLike: grids[0])
        for grid in grids { store.append(grid) }
        let target = size(patches: grids.count * store.patchesPerGrid, fraction: fraction, maximum: maximum)
        let candidates = CoresetCandidates.select(store, photos: Array(grids.indices),
                                                  perPhoto: CoresetCandidates.perPhoto(memorySize: target, photos: grids.count),
                                                  stride8Weight: 1, seed: seed)
        return MemoryCoreset(candidates, including: { _ in true }, target: target, seed: seed).memory
    }
}
