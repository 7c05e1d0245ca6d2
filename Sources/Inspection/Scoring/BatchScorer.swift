import Foundation
import Imaging
import Synchronization
import Tensors
import WorkerThreads

/// One row of a batch: the image's verdict or why it could not be scored.
public struct ScoredImage: Sendable {
    public var path: String
    public var result: Result<InspectionResult, InspectionError>
    /// The decoded photo (for overlays); nil when it could not be read.
    public var original: Image?
    /// The photo's own size; nil when it could not be read.
    public var photoSize: InputSize?
}

/// Scores many files as a stream on `threads` threads of the shared pool: each takes the next
/// file, decodes it and runs the model on it, its ops serial on that thread, while the other
/// threads do the same with the next files (one thread: one file at a time, its ops split
/// across the pool). No barrier between the cores per layer or
/// per batch, and no decoding threads competing with them: measured on lookout-aliens, the
/// cores stayed busier than with batches split layer by layer and decoders ahead of them.
/// Results are handed to `onResult` in input order, one call at a time. An unreadable file
/// becomes an error row; the rest go on.
public enum BatchScorer {
    public static func score(_ paths: [String], model: InspectionModel, threads: Int = WorkerPool.shared.threads,
                             keepOriginals: Bool = false, onResult: (Int, ScoredImage) -> Void) {
        if paths.isEmpty { return }
        let next = Atomic<Int>(0)
        let delivery = InOrderDelivery(count: paths.count)
        let threadCount = max(1, min(threads, WorkerPool.shared.threads, paths.count))
        WorkerPool.shared.parallelFor(count: threadCount) { _ in
            while true {
                let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if index >= paths.count { return }
                let row = scoreOne(paths[index], model: model, keepOriginals: keepOriginals)
                delivery.deliver(index, row, onResult)
            }
        }
    }

    /// One file: decoded, resized and scored on the calling thread.
    static func scoreOne(_ path: String, model: InspectionModel, keepOriginals: Bool) -> ScoredImage {
        do throws(InspectionError) {
            let image = try ImagePreparation.load(path, size: model.inputSize)
            guard let result = model.inspect([image.resized]).first else {
                return ScoredImage(path: path, result: .failure(InspectionError(path, "the model returned no result")),
                                   original: nil, photoSize: nil)
            }
            return ScoredImage(path: path, result: .success(result), original: keepOriginals ? image.original : nil,
                               photoSize: image.photoSize)
        } catch {
            return ScoredImage(path: path, result: .failure(error), original: nil, photoSize: nil)
        }
    }
}

/// Rows finished in any order, handed on in input order: each finished row is stored, and
/// whoever finishes the next row due passes on every consecutive finished row (under a lock,
/// so the receiver is called by one thread at a time).
private final class InOrderDelivery: @unchecked Sendable {
    private let lock = NSLock()
    private var finished: [ScoredImage?]
    private var nextDue = 0

    init(count: Int) { finished = Array(repeating: nil, count: count) }

    func deliver(_ index: Int, _ row: ScoredImage, _ onResult: (Int, ScoredImage) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        finished[index] = row
        while nextDue < finished.count, let due = finished[nextDue] {
            finished[nextDue] = nil
            onResult(nextDue, due)
            nextDue += 1
        }
    }
}
