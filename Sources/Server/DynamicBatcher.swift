import Dispatch
import Foundation

/// How requests are grouped into one network pass (`inspect serve --max-batch B --max-wait-ms W`).
public struct BatchingSettings: Sendable, Equatable {
    /// Most requests in one batch; 1 turns batching off.
    public var maxBatch: Int
    /// Longest time a batch waits for more requests after its first arrived, in seconds. With
    /// 0, a batch starts as soon as an inference thread is free for it.
    public var maxWaitSeconds: Double

    public init(maxBatch: Int = 1, maxWaitSeconds: Double = 0) {
        self.maxBatch = maxBatch
        self.maxWaitSeconds = maxWaitSeconds
    }

    public var isEnabled: Bool { maxBatch > 1 }
}

/// Dynamic batching in front of the inference queue, in the spirit of Triton's dynamic
/// batcher: requests for the same model join that model's lane; a lane's batch is handed to
/// the inference queue when it holds `maxBatch` requests or `maxWait` after its first request
/// arrived, and when the inference thread takes it, it runs every request that has arrived by
/// then (up to `maxBatch`) as one call of the lane's batch function. So under load the
/// requests that queue while a batch runs form the next one, and a lone request waits at most
/// `maxWait` (nothing with 0). The batch function returns one result per request: a request
/// that fails (a bad photo) fails alone, the rest of its batch is answered.
/// A lane has at most one batch queued or running at a time; a model scores from one thread at
/// a time anyway (`LoadedInspectionModel`). Requests waiting for a batch count against the
/// queue's capacity: beyond `inferenceQueueCapacity` plus one batch (`maxBatch`) of them, a
/// request gets 503.
final class DynamicBatcher: @unchecked Sendable {
    let settings: BatchingSettings
    private let limits: ServerLimits
    private let queue: InferenceQueue
    private let metrics: PrometheusMetrics
    private let lock = NSLock()
    private var lanes: [String: AnyLane] = [:]
    /// Requests admitted and not yet answered or taken into a running batch.
    private var waiting = 0

    init(settings: BatchingSettings, limits: ServerLimits, queue: InferenceQueue, metrics: PrometheusMetrics) {
        self.settings = settings
        self.limits = limits
        self.queue = queue
        self.metrics = metrics
        metrics.addGauges { [weak self] in
            guard let self else { return [] }
            return [("inspect_batch_waiting", "Requests waiting to join a batch.", Double(self.lock.withLock { self.waiting }))]
        }
    }

    /// Answers `input` as part of a batch of the lane `key` (one per model): `work` runs the
    /// whole batch on an inference thread and returns one result per input, in order. Every
    /// request of a lane must pass the same `work`.
    func submit<Input: Sendable, Output: Sendable>(key: String, model: String, _ input: Input,
                                                   work: @escaping @Sendable ([Input]) -> [Result<Output, any Error>]) async throws -> Output {
        let answer = SingleAnswer<Output>()
        let entry = Lane<Input, Output>.Entry(input: input, answer: answer, arrived: DispatchTime.now().uptimeNanoseconds)
        let dispatch: Lane<Input, Output>? = try lock.withLock {
            guard waiting < max(1, limits.inferenceQueueCapacity) + settings.maxBatch else {
                metrics.recordRejection()
                throw APIError.busy(retryAfterSeconds: limits.retryAfterSeconds)
            }
            waiting += 1
            let lane: Lane<Input, Output>
            if let existing = lanes[key] as? Lane<Input, Output> {
                lane = existing
            } else {
                lane = Lane(key: key, model: model, work: work)
                lanes[key] = lane
            }
            lane.pending.append(entry)
            switch lane.state {
            case .idle:
                if settings.maxWaitSeconds <= 0 || lane.pending.count >= settings.maxBatch {
                    lane.state = .queued
                    return lane
                }
                armTimer(lane, after: settings.maxWaitSeconds)
                return nil
            case .timing where lane.pending.count >= settings.maxBatch:
                lane.state = .queued
                return lane
            case .timing, .queued:
                return nil
            }
        }
        if let dispatch { enqueue(dispatch) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in answer.attach(continuation) }
        } onCancel: {
            answer.resolve(.failure(CancellationError()))
        }
    }

    /// Lane states: no batch pending; a timer will queue the batch; a batch is queued or running.
    enum LaneState { case idle, timing(generation: Int), queued }

    /// A lane as the timer holds it, its element types erased.
    private class AnyLane: @unchecked Sendable {
        let key: String
        var state = LaneState.idle
        var timerGeneration = 0
        init(key: String) { self.key = key }
        var pendingCount: Int { 0 }
        var oldestArrival: UInt64? { nil }
        func enqueue(on batcher: DynamicBatcher) {}
    }

    private final class Lane<Input: Sendable, Output: Sendable>: AnyLane, @unchecked Sendable {
        struct Entry {
            var input: Input
            var answer: SingleAnswer<Output>
            var arrived: UInt64
        }
        let model: String
        let work: @Sendable ([Input]) -> [Result<Output, any Error>]
        var pending: [Entry] = []

        init(key: String, model: String, work: @escaping @Sendable ([Input]) -> [Result<Output, any Error>]) {
            self.model = model
            self.work = work
            super.init(key: key)
        }

        override var pendingCount: Int { pending.count }
        override var oldestArrival: UInt64? { pending.first?.arrived }
        override func enqueue(on batcher: DynamicBatcher) { batcher.enqueue(self) }
    }

    /// Under the lock: queues the lane's batch when its timer fires, unless it was queued already.
    private func armTimer(_ lane: AnyLane, after seconds: Double) {
        lane.timerGeneration += 1
        let generation = lane.timerGeneration
        lane.state = .timing(generation: generation)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            let due = lock.withLock { () -> Bool in
                guard case .timing(let armed) = lane.state, armed == generation else { return false }
                lane.state = .queued
                return true
            }
            if due { lane.enqueue(on: self) }
        }
    }

    /// Hands the lane's batch to the inference queue; when a thread takes it, the batch is
    /// whatever has arrived by then (up to `maxBatch`).
    private func enqueue<Input: Sendable, Output: Sendable>(_ lane: Lane<Input, Output>) {
        Task { [self] in
            do {
                try await queue.run(model: lane.model) { [self] in runBatch(lane) }
            } catch {
                // The queue refused the batch (full) or it failed as a whole: every request waiting
                // in the lane gets that answer, and the lane is free again.
                let failed = lock.withLock { () -> [Lane<Input, Output>.Entry] in
                    let all = lane.pending
                    lane.pending = []
                    waiting -= all.count
                    lane.state = .idle
                    lanes[lane.key] = nil
                    return all
                }
                for entry in failed { entry.answer.resolve(.failure(error)) }
            }
        }
    }

    /// On an inference thread: takes the batch, runs it, answers each request, then queues the
    /// lane's next batch (at once when it is full or its first request waited `maxWait`
    /// already, else when that time comes) or retires the lane.
    private func runBatch<Input: Sendable, Output: Sendable>(_ lane: Lane<Input, Output>) {
        let batch = lock.withLock { () -> [Lane<Input, Output>.Entry] in
            let taken = Array(lane.pending.prefix(settings.maxBatch))
            lane.pending.removeFirst(taken.count)
            waiting -= taken.count
            return taken
        }
        // Requests whose caller gave up (timed out) are not run.
        let live = batch.filter { !$0.answer.isAnswered }
        if !live.isEmpty {
            metrics.recordBatch(model: lane.model, size: live.count)
            let results = lane.work(live.map(\.input))
            for (i, entry) in live.enumerated() {
                entry.answer.resolve(i < results.count ? results[i] : .failure(APIError.internalError("the batch returned no result for this request")))
            }
        }
        let next = lock.withLock { () -> Bool in
            guard let oldest = lane.oldestArrival else {
                lane.state = .idle
                lanes[lane.key] = nil
                return false
            }
            let waited = Double(DispatchTime.now().uptimeNanoseconds - oldest) / 1e9
            if lane.pendingCount >= settings.maxBatch || waited >= settings.maxWaitSeconds {
                lane.state = .queued
                return true
            }
            armTimer(lane, after: settings.maxWaitSeconds - waited)
            return false
        }
        if next { enqueue(lane) }
    }
}
