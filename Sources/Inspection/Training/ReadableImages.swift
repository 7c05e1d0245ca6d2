/// The first training step: the training images hashed into their canonical order, then
/// every training and test image decoded once to check it (and dropped: the features are
/// extracted later, a chunk at a time). Every image that cannot be read is found in this one
/// pass; they stop training with the whole list, or, with `skipUnreadable`, are left out and
/// reported.
struct ReadableImages {
    var dataset: InspectionDataset
    var test: InspectionDataset?
    var size: InputSize
    /// The first readable training photo's own size.
    var photoSize: InputSize
    var skipped: [SkippedImage]
    var photosInBothClasses: [(good: String, anomalous: String)]
    /// The training photos kept, counted and hashed by content, for the card.
    var trainingData: ModelCard.TrainingData

    static let phase = "check photos"

    static func check(_ dataset: InspectionDataset, test: InspectionDataset?, extractor: FeatureExtractor,
                     options: TrainingOptions, progress: @escaping TrainingProgress) throws(InspectionError) -> ReadableImages {
        let total = dataset.images.count + (test?.images.count ?? 0)
        var unreadable: [InspectionError] = []
        var hashed: [(image: LabeledImage, hash: String)] = []
        for (image, hash) in zip(dataset.images, dataset.contentHashes(threads: options.threads)) {
            switch hash {
            case .success(let h): hashed.append((image, h))
            case .failure(let error): unreadable.append(error)
            }
        }
        let readableBytes = InspectionDataset(images: hashed.map(\.image), maskLabels: dataset.maskLabels)
        let hashes = hashed.map(\.hash)
        let ordered = readableBytes.inCanonicalOrder(hashes: hashes)
        let candidates = ordered.images + (test?.images ?? [])
        let paths = candidates.map(\.path)
        let first = PhotoLoading.inputSize(fittingFirstReadableOf: paths, longSide: options.inputLongSide, extractor: extractor)
        guard let sizes = first.sizes else { throw InspectionError.unreadableImages(unreadable + first.failures, of: total) }
        let results = PhotoLoading.check(paths, size: sizes.input, threads: options.threads) {
            progress(TrainingProgressEvent(phase: phase, done: $0, total: paths.count, overall: 0))
        }

        var keptTrain: [LabeledImage] = [], keptTest: [LabeledImage] = []
        for (i, failure) in results.enumerated() {
            if let failure {
                unreadable.append(failure)
            } else if i < ordered.images.count {
                keptTrain.append(candidates[i])
            } else {
                keptTest.append(candidates[i])
            }
        }
        if !unreadable.isEmpty && !options.skipUnreadable { throw InspectionError.unreadableImages(unreadable, of: total) }
        let hashByPath = Dictionary(zip(readableBytes.images.map(\.path), hashes), uniquingKeysWith: { first, _ in first })
        let trainingData = ModelCard.TrainingData(photos: keptTrain.compactMap { image in
            hashByPath[image.path].map { (isAnomalous: image.isAnomalous, sha256: $0) }
        })
        return ReadableImages(dataset: InspectionDataset(images: keptTrain, maskLabels: dataset.maskLabels),
                              test: test.map { InspectionDataset(images: keptTest, maskLabels: $0.maskLabels) },
                              size: sizes.input, photoSize: sizes.photo,
                              skipped: unreadable.map { SkippedImage(file: $0.source, reason: $0.reason) },
                              photosInBothClasses: readableBytes.photosInBothClasses(hashes: hashes), trainingData: trainingData)
    }
}
