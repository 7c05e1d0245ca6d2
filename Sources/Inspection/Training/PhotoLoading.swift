import Foundation
import Imaging

/// The model's input size, and every photo decoded and resized to it.
enum PhotoLoading {
    /// The input size for photos shaped like the first of `paths` that decodes (the first
    /// training photo): its longer side becomes `longSide`, rounded to the extractor's
    /// stride. Returns that photo's own size too, and the errors of the photos before it;
    /// no sizes when none decodes.
    static func inputSize(fittingFirstReadableOf paths: [String], longSide: Int, extractor: FeatureExtractor)
        -> (sizes: (input: InputSize, photo: InputSize)?, failures: [InspectionError]) {
        var failures: [InspectionError] = []
        for path in paths {
            do throws(InspectionError) {
                let first = try ImagePreparation.load(path, size: InputSize(width: 64, height: 64))
                let input = InputSize.fitting(width: first.original.width, height: first.original.height,
                                              longSide: longSide, multiple: max(extractor.sizeMultiple, 8))
                return ((input, first.photoSize), failures)
            } catch {
                failures.append(error)
            }
        }
        return (nil, failures)
    }

    /// Decodes and resizes in parallel; each photo's result, in order.
    static func loadAll(_ paths: [String], size: InputSize, threads: Int,
                        progress: @escaping @Sendable (Int) -> Void) -> [Result<PreparedImage, InspectionError>] {
        let counter = ProgressCounter()
        return concurrentMap(count: paths.count, threads: threads) { i -> Result<PreparedImage, InspectionError> in
            defer { progress(counter.increment()) }
            do throws(InspectionError) { return .success(try ImagePreparation.load(paths[i], size: size)) }
            catch { return .failure(error) }
        }
    }
}

/// A thread-safe counter for progress from worker threads.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
