import Foundation
import Imaging

/// The first training step: the model's input size, and every photo decoded and resized to it.
enum PhotoLoading {
    /// The input size for photos shaped like the one at `path` (the first training photo):
    /// its longer side becomes `longSide`, rounded to the extractor's stride. Returns the
    /// photo's own size too.
    static func inputSize(fittingPhotoAt path: String, longSide: Int, extractor: FeatureExtractor) throws(InspectionError)
        -> (input: InputSize, photo: InputSize) {
        let first = try ImagePreparation.load(path, size: InputSize(width: 64, height: 64))
        let input = InputSize.fitting(width: first.original.width, height: first.original.height,
                                      longSide: longSide, multiple: max(extractor.sizeMultiple, 8))
        return (input, first.photoSize)
    }

    /// Decodes and resizes in parallel; the first unreadable training image stops training
    /// with its name and reason.
    static func loadAll(_ paths: [String], size: InputSize, threads: Int, progress: @escaping @Sendable (Int) -> Void) throws(InspectionError) -> [PreparedImage] {
        let counter = ProgressCounter()
        let results = concurrentMap(count: paths.count, threads: threads) { i -> Result<PreparedImage, InspectionError> in
            defer { progress(counter.increment()) }
            do throws(InspectionError) { return .success(try ImagePreparation.load(paths[i], size: size)) }
            catch { return .failure(error) }
        }
        var images: [PreparedImage] = []
        for result in results {
            switch result {
            case .success(let image): images.append(image)
            case .failure(let error): throw error
            }
        }
        return images
    }
}

/// A thread-safe counter for progress from worker threads.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { add(1) }

    /// Adds `count`; returns the new total.
    func add(_ count: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += count
        return value
    }
}
