import Dispatch
import Foundation

/// A bounded queue in front of the models: at most `inferenceThreads` jobs run at once, on
/// dedicated threads (never on Swift's cooperative pool, which the HTTP handlers need), at
/// most `inferenceQueueCapacity` more wait; a job beyond that is refused at once with 503 and
/// Retry-After.
/// A caller that gives up (its request timed out) gets its answer immediately; a job that
/// has not started by then is skipped, one already running finishes and is dropped. (A client
/// that disconnects does not cancel its request: Hummingbird lets the handler finish.)
final class InferenceQueue: @unchecked Sendable {
    private let limits: ServerLimits
    private let metrics: PrometheusMetrics
    private let threads: InferenceThreads
    private let lock = NSLock()
    private var admitted = 0
    private var running = 0

    init(limits: ServerLimits, metrics: PrometheusMetrics) {
        self.limits = limits
        self.metrics = metrics
        threads = InferenceThreads(count: max(1, limits.inferenceThreads))
        metrics.addGauges { [weak self] in
            guard let self else { return [] }
            let (admitted, running) = self.lock.withLock { (self.admitted, self.running) }
            return [("inspect_inference_running", "Inference jobs running now.", Double(running)),
                    ("inspect_inference_waiting", "Inference jobs waiting for an inference thread.", Double(admitted - running))]
        }
    }

    /// Runs `work` on an inference thread, recording its time under `model`.
    func run<T: Sendable>(model: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let accepted = lock.withLock {
            guard admitted < max(1, limits.inferenceThreads) + limits.inferenceQueueCapacity else { return false }
            admitted += 1
            return true
        }
        guard accepted else {
            metrics.recordRejection()
            throw APIError.busy(retryAfterSeconds: limits.retryAfterSeconds)
        }
        let answer = SingleAnswer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.attach(continuation)
                threads.submit { [self] in
                    lock.withLock { running += 1 }
                    var result: Result<T, any Error>?
                    if !answer.isAnswered {
                        if limits.artificialInferenceDelaySeconds > 0 { Thread.sleep(forTimeInterval: limits.artificialInferenceDelaySeconds) }
                        let start = DispatchTime.now().uptimeNanoseconds
                        result = Result { try work() }
                        metrics.recordInference(model: model, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    }
                    // The slot is freed before the answer goes out: a client that sends its next
                    // request as soon as it has this answer finds room for it.
                    lock.withLock { running -= 1; admitted -= 1 }
                    if let result { answer.resolve(result) }
                }
            }
        } onCancel: {
            answer.resolve(.failure(CancellationError()))
        }
    }
}

/// A continuation resumed exactly once, whichever comes first: the result or a cancellation
/// (which may arrive before the continuation is attached).
final class SingleAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var answered = false

    var isAnswered: Bool { lock.withLock { answered } }

    func attach(_ c: CheckedContinuation<T, any Error>) {
        let pending: Result<T, any Error>? = lock.withLock {
            if let early { self.early = nil; return early }
            continuation = c
            return nil
        }
        if let pending { c.resume(with: pending) }
    }

    func resolve(_ result: Result<T, any Error>) {
        let c: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !answered else { return nil }
            answered = true
            if let continuation { self.continuation = nil; return continuation }
            early = result
            return nil
        }
        c?.resume(with: result)
    }
}

/// A fixed set of long-lived threads taking jobs in order. Inference runs only on these, so
/// the per-thread scratch buffers of the kernels exist once per inference thread; on
/// Dispatch's threads, which come and go and multiply while jobs wait, each new thread grew
/// its own and the server's memory grew with every burst of requests.
private final class InferenceThreads: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0

    init(count: Int) {
        for index in 0..<count {
            let thread = Thread { [self] in work() }
            thread.name = "inspect.inference.\(index)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count { jobs.removeFirst(head); head = 0 }
            condition.unlock()
            job()
        }
    }
}
