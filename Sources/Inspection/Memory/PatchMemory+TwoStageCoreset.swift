import Tensors

extension PatchMemory {
    /// A memory over the patches of good images: a greedy coreset of `fraction` of all
    /// their patches (`originalPatchCount`), taken over the union of the images' preselected
    /// patches (see `PatchGrid.preselected`).
    public static func build(preselected: [PatchGrid], originalPatchCount: Int, fraction: Double, seed: UInt64) -> PatchMemory {
        precondition(!preselected.isEmpty, "PatchMemory.build: no images")
        var patches: [Float] = []
        patches.reserveCapacity(preselected.reduce(0) { $0 + $1.values.count })
        for grid in preselected { patches += grid.values }
        let available = patches.count / preselected[0].dimension
        let target = Double(originalPatchCount) * fraction
        return build(patches: patches, dimension: preselected[0].dimension,
                     fraction: min(1, target / Double(max(available, 1))), seed: seed)
    }

    /// A memory over the patches of the given grids, by the two-stage greedy coreset.
    public static func build(grids: [PatchGrid], fraction: Double, seed: UInt64) -> PatchMemory {
        build(preselected: grids.map { $0.preselected(seed: seed) }, originalPatchCount: grids.reduce(0) { $0 + $1.patchCount },
              fraction: fraction, seed: seed)
    }
}
