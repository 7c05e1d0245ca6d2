import Imaging

/// The features step: every photo's patch grid and, when the supervised head is trained,
/// its deep map (variant 0 of `DeepMaps`), from one pass of the extractor.
struct TrainingFeatures {
    var grids: [PatchGrid]
    var deepMaps: DeepMaps

    /// Extracts 4 photos per batch.
    static func extract(_ photos: [Image], extractor: FeatureExtractor, deep: Bool,
                        progress: (Int, Int) -> Void) -> TrainingFeatures {
        var features = TrainingFeatures(grids: [], deepMaps: DeepMaps(variants: []))
        for start in stride(from: 0, to: photos.count, by: 4) {
            let extracted = PatchGrid.extractWithDeep(Array(photos[start..<min(start + 4, photos.count)]), with: extractor, deep: deep)
            features.grids += extracted.map(\.grid)
            features.deepMaps.variants += extracted.compactMap { $0.deep.map { [$0] } }
            progress(features.grids.count, photos.count)
        }
        return features
    }
}
