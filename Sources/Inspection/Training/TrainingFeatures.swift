import Imaging
import WorkerThreads

/// The features step: the training photos decoded a chunk at a time and their features kept,
/// the decoded photos dropped (except the originals the supervised head's augmentation
/// needs): every photo's patch grid, compactly (`PatchGridStore`), and, when the supervised
/// head is trained, its deep map (variant 0 of `DeepMaps`), from one pass of the extractor.
struct TrainingFeatures {
    var store: PatchGridStore
    var deepMaps: DeepMaps
    /// Each photo's own size.
    var photoSizes: [InputSize]
    /// Each photo's image statistics (for the monitoring baseline), from the same decode.
    var statistics: [ImageStatistics]
    /// The decoded photos, when asked for (for the augmented variants).
    var originals: [Image]
    /// Each photo's stride-4 map, when asked for (the segmentation head's fine features).
    var stride4Maps: [StoredStride4Map] = []
    /// Each photo at the input size in grey, with the stride-4 maps (the segmentation's pixel
    /// refinement reads its contrasts).
    var greyPhotos: [Image] = []

    /// Photos decoded per chunk (in parallel on `threads` threads), then extracted 4 at a time.
    static let chunk = 16

    /// Reads and extracts the photos at `paths`; the first unreadable one stops training with
    /// its name and reason. Timed as the phases "decode" and "features".
    static func extract(_ paths: [String], size: InputSize, extractor: FeatureExtractor, deep: Bool, keepOriginals: Bool,
                        stride4: Bool = false, threads: Int, phases: TrainingPhases) throws(InspectionError) -> TrainingFeatures {
        var store: PatchGridStore?
        var deepMaps = DeepMaps(variants: [])
        var photoSizes: [InputSize] = [], originals: [Image] = [], statistics: [ImageStatistics] = []
        var stride4Maps: [StoredStride4Map] = [], greyPhotos: [Image] = []
        for start in stride(from: 0, to: paths.count, by: chunk) {
            let chunkPaths = Array(paths[start..<min(paths.count, start + chunk)])
            let photos = try phases.time("decode") { () throws(InspectionError) -> [PreparedImage] in
                try PhotoLoading.loadAll(chunkPaths, size: size, threads: threads) { _ in }
            }
            try phases.time("features") {
                for batch in stride(from: 0, to: photos.count, by: 4) {
                    let extracted = PatchGrid.extractWithMaps(photos[batch..<min(photos.count, batch + 4)].map(\.resized), with: extractor,
                                                              deep: deep, stride4: stride4)
                    for (grid, deepMap, stride4Map) in extracted {
                        if let stride4Map { stride4Maps.append(StoredStride4Map(stride4Map)) }
                        let target = store ?? PatchGridStore(shapedLike: grid)
                        target.append(grid)
                        store = target
                        if let deepMap { deepMaps.variants.append([deepMap]) }
                    }
                }
            }
            statistics += try phases.time("decode") { () throws(InspectionError) -> [ImageStatistics] in
                WorkerPool.shared.map(count: photos.count, maxThreads: threads) {
                    photos[$0].original.statistics(photoWidth: photos[$0].photoSize.width, photoHeight: photos[$0].photoSize.height)
                }
            }
            photoSizes += photos.map(\.photoSize)
            if keepOriginals { originals += photos.map(\.original) }
            if stride4 { greyPhotos += photos.map { $0.resized.converted(to: .gray) } }
            phases.update("features", photoSizes.count, paths.count)
        }
        phases.finish()
        guard let store else { throw InspectionError("", "no training photos") }
        return TrainingFeatures(store: store, deepMaps: deepMaps, photoSizes: photoSizes, statistics: statistics, originals: originals,
                                stride4Maps: stride4Maps, greyPhotos: greyPhotos)
    }
}
