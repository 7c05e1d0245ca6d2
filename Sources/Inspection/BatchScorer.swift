import Foundation
import Imaging

/// One row of a batch: the image's verdict or why it could not be scored.
public struct ScoredImage: Sendable {
    public var path: String
    public var result: Result<InspectionResult, InspectionError>
    /// The decoded photo (for overlays); nil when it could not be read.
    public var original: Image?
    /// The photo's own size; nil when it could not be read.
    public var photoSize: InputSize?
}

/// Scores many files as a stream: background threads decode and resize ahead (at most
/// `window` images ahead of inference) while the calling thread runs the model on batches
/// of ready images, and results are handed over in input order. An unreadable file becomes
/// an error row; the rest of the batch goes on.
public enum BatchScorer {
    public static func score(_ paths: [String], model: InspectionModel, decodeWorkers: Int = ProcessInfo.processInfo.activeProcessorCount,
                             batchSize: Int = 4, window: Int = 16, keepOriginals: Bool = false,
                             onResult: (Int, ScoredImage) -> Void) {
        let queue = DecodeQueue(paths: paths, size: model.inputSize, window: max(window, batchSize), keepOriginals: keepOriginals)
        let workers = max(1, decodeWorkers)
        let group = DispatchGroup()
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) { queue.work() }
        }
        var next = 0
        while next < paths.count {
            // Take the next run of decoded images (at least one), up to a batch.
            var run: [(Int, Result<PreparedImage, InspectionError>)] = [(next, queue.take(next))]
            while run.count < batchSize, next + run.count < paths.count, let ready = queue.takeIfReady(next + run.count) {
                run.append((next + run.count, ready))
            }
            let decoded = run.compactMap { item -> (Int, PreparedImage)? in
                if case .success(let image) = item.1 { return (item.0, image) } else { return nil }
            }
            let results = decoded.isEmpty ? [] : model.inspect(decoded.map(\.1.resized))
            var byIndex: [Int: (InspectionResult, PreparedImage)] = [:]
            for (item, result) in zip(decoded, results) { byIndex[item.0] = (result, item.1) }
            for (index, outcome) in run {
                switch outcome {
                case .failure(let error):
                    onResult(index, ScoredImage(path: paths[index], result: .failure(error), original: nil, photoSize: nil))
                case .success:
                    if let (result, image) = byIndex[index] {
                        onResult(index, ScoredImage(path: paths[index], result: .success(result), original: keepOriginals ? image.original : nil,
                                                    photoSize: image.photoSize))
                    }
                }
            }
            next += run.count
        }
        group.wait()
    }
}

/// Decoded images waiting for inference, in a bounded window ahead of the consumer.
private final class DecodeQueue: @unchecked Sendable {
    private let paths: [String]
    private let size: InputSize
    private let window: Int
    private let keepOriginals: Bool
    private let condition = NSCondition()
    private var nextToDecode = 0
    private var consumed = 0
    private var ready: [Int: Result<PreparedImage, InspectionError>] = [:]

    init(paths: [String], size: InputSize, window: Int, keepOriginals: Bool) {
        self.paths = paths
        self.size = size
        self.window = window
        self.keepOriginals = keepOriginals
    }

    /// A decoding thread: takes the next index while it is within the window.
    func work() {
        while true {
            condition.lock()
            while nextToDecode < paths.count && nextToDecode >= consumed + window { condition.wait() }
            guard nextToDecode < paths.count else { condition.unlock(); return }
            let index = nextToDecode
            nextToDecode += 1
            condition.unlock()
            let outcome: Result<PreparedImage, InspectionError>
            do throws(InspectionError) {
                var image = try ImagePreparation.load(paths[index], size: size)
                if !keepOriginals { image.original = image.resized }
                outcome = .success(image)
            } catch {
                outcome = .failure(error)
            }
            condition.lock()
            ready[index] = outcome
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Waits for image `index` and removes it.
    func take(_ index: Int) -> Result<PreparedImage, InspectionError> {
        condition.lock()
        defer { condition.unlock() }
        while ready[index] == nil { condition.wait() }
        return remove(index)
    }

    /// Image `index` if it is already decoded.
    func takeIfReady(_ index: Int) -> Result<PreparedImage, InspectionError>? {
        condition.lock()
        defer { condition.unlock() }
        return ready[index] == nil ? nil : remove(index)
    }

    private func remove(_ index: Int) -> Result<PreparedImage, InspectionError> {
        let value = ready.removeValue(forKey: index)!
        consumed = index + 1
        condition.broadcast()
        return value
    }
}
