import Foundation
import Imaging
import WorkerThreads

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

    /// Decodes and resizes in parallel, keeping nothing: each photo's error, or nil when it
    /// reads, in order.
    static func check(_ paths: [String], size: InputSize, threads: Int,
                      progress: @escaping @Sendable (Int) -> Void) -> [InspectionError?] {
        each(paths, size: size, threads: threads, progress: progress) { _ in () }.map { result in
            if case .failure(let error) = result { return error }
            return nil
        }
    }

    /// Decodes and resizes in parallel; the first photo that cannot be read stops it with its
    /// name and reason (photos already checked by `check` read again).
    static func loadAll(_ paths: [String], size: InputSize, threads: Int,
                        progress: @escaping @Sendable (Int) -> Void) throws(InspectionError) -> [PreparedImage] {
        var images: [PreparedImage] = []
        for result in each(paths, size: size, threads: threads, progress: progress, { $0 }) {
            switch result {
            case .success(let image): images.append(image)
            case .failure(let error): throw error
            }
        }
        return images
    }

    /// Each photo decoded and resized on `threads` threads and passed to `use` (which keeps
    /// what it needs of it), in order; `progress` gets the count done so far.
    private static func each<T: Sendable>(_ paths: [String], size: InputSize, threads: Int, progress: @escaping @Sendable (Int) -> Void,
                                          _ use: @escaping @Sendable (PreparedImage) -> T) -> [Result<T, InspectionError>] {
        let counter = ProgressCounter()
        return WorkerPool.shared.map(count: paths.count, maxThreads: threads) { i -> Result<T, InspectionError> in
            defer { progress(counter.increment()) }
            do throws(InspectionError) { return .success(use(try ImagePreparation.load(paths[i], size: size))) }
            catch { return .failure(error) }
        }
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
