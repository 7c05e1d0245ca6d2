import Imaging
import Tensors
import WorkerThreads

extension FaceAnalyzer {
    /// Analyses several encoded photos, one photo per core at a time: each photo's decode,
    /// detection, landmarks, chips and network passes run on the pool thread that took it (its
    /// network layers are then not split across the cores), while the other cores take the next
    /// photos. For a folder or a batch of requests this keeps both cores busy where one photo
    /// alone leaves them waiting on each other between layers and in the serial decode and
    /// detection steps. Each photo's faces are the ones `analyze(encoded:source:limits:)` gives
    /// it alone; a photo that cannot be read gets its error and the others are analysed.
    public func analyze(encodedPhotos photos: [(bytes: [UInt8], source: String)],
                        limits: DecodeOptions = DecodeOptions()) -> [Result<[AnalyzedFace], ImagingError>] {
        WorkerPool.shared.map(count: photos.count) { i in
            Result { () throws(ImagingError) -> [AnalyzedFace] in
                try analyze(encoded: photos[i].bytes, source: photos[i].source, limits: limits)
            }
        }
    }

    /// Photo files analysed as `analyze(encodedPhotos:limits:)` does, each read where it is analysed.
    public func analyze(files paths: [String], limits: DecodeOptions = DecodeOptions()) -> [Result<[AnalyzedFace], ImagingError>] {
        WorkerPool.shared.map(count: paths.count) { i in
            Result { () throws(ImagingError) -> [AnalyzedFace] in try analyze(file: paths[i], limits: limits) }
        }
    }
}
