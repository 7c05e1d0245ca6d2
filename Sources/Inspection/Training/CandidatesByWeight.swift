/// The coreset candidates of the good training photos for each stride-8 weight, selected when
/// first asked (shared by the final model, its folds and the hold-out model).
final class CandidatesByWeight {
    private let store: PatchGridStore
    private let goodPhotos: [Int]
    private let perPhoto: Int
    private let seed: UInt64
    private let exact: Bool
    private let phases: TrainingPhases
    private var selected: [Float: CoresetCandidates] = [:]

    /// Candidates for a memory over all of `goodPhotos` (the final model's); a memory over
    /// fewer photos chooses among fewer of them.
    init(store: PatchGridStore, goodPhotos: [Int], options: TrainingOptions, phases: TrainingPhases) {
        self.store = store
        self.goodPhotos = goodPhotos
        perPhoto = CoresetCandidates.perPhoto(memorySize: options.memorySize(patches: goodPhotos.count * store.patchesPerGrid),
                                              photos: goodPhotos.count)
        seed = options.seed
        exact = options.selectsExactly(patches: goodPhotos.count * store.patchesPerGrid)
        self.phases = phases
    }

    func callAsFunction(_ weight: Float) throws(InspectionError) -> CoresetCandidates {
        if let c = selected[weight] { return c }
        let (store, goodPhotos, perPhoto, seed, exact) = (store, goodPhotos, perPhoto, seed, exact)
        let c = try phases.run("coreset candidates", total: goodPhotos.count) { report in
            exact ? CoresetCandidates.all(store, photos: goodPhotos, stride8Weight: weight, progress: report)
                : CoresetCandidates.select(store, photos: goodPhotos, perPhoto: perPhoto, stride8Weight: weight, seed: seed, progress: report)
        }
        selected[weight] = c
        return c
    }
}
