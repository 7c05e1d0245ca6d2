// A persistent pool of worker threads that splits numeric work across the cores.
//
// `parallelFor(count:)` runs `body(job)` for job in 0..<count. Jobs are assigned statically
// (worker w runs jobs w, w+T, w+2T, ...), and every kernel in this module gives each output
// element to exactly one job with a fixed summation order, so results are deterministic for a
// fixed thread count (and in practice independent of it). The calling thread takes part as
// worker 0. A nested or concurrent call (the pool is busy) runs its jobs serially on the
// calling thread instead of waiting, so the pool can never deadlock on itself.
import Foundation
import Dispatch

public final class WorkerPool: @unchecked Sendable {
    /// The pool every op uses. Its size comes from `INSPECT_THREADS` when set (a positive
    /// integer), otherwise from the number of active processors. Change it with `threads`.
    public static let shared = WorkerPool(threads: WorkerPool.defaultThreadCount())

    static func defaultThreadCount() -> Int {
        if let text = ProcessInfo.processInfo.environment["INSPECT_THREADS"],
           let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 {
            return n
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    private final class Worker: @unchecked Sendable {
        let wake = DispatchSemaphore(value: 0)
    }

    private let busy = NSLock()        // held for the duration of one parallel call
    private let config = NSLock()      // guards `workers` and `active`
    private let done = DispatchSemaphore(value: 0)
    private var workers: [Worker] = []
    private var active: Int
    // The job being run; written before the workers are woken, read by them afterwards
    // (the semaphores order these accesses).
    private var body: ((Int) -> Void)?
    private var jobCount = 0
    private var threadsInCall = 1

    public init(threads: Int) {
        precondition(threads >= 1, "WorkerPool needs at least one thread, got \(threads)")
        active = threads
        ensureWorkers(threads - 1)
    }

    /// Number of threads (including the caller) that a parallel call uses.
    public var threads: Int {
        get { config.lock(); defer { config.unlock() }; return active }
        set {
            precondition(newValue >= 1, "WorkerPool needs at least one thread, got \(newValue)")
            busy.lock(); defer { busy.unlock() }
            config.lock(); defer { config.unlock() }
            active = newValue
            ensureWorkers(newValue - 1)
        }
    }

    private func ensureWorkers(_ n: Int) {
        while workers.count < n {
            let worker = Worker()
            let index = workers.count + 1
            workers.append(worker)
            let thread = Thread { [unowned self] in self.workerLoop(worker, index: index) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func workerLoop(_ worker: Worker, index: Int) {
        while true {
            worker.wake.wait()
            if let body {
                var job = index
                while job < jobCount {
                    body(job)
                    job += threadsInCall
                }
            }
            done.signal()
        }
    }

    /// Runs `body(job)` for every job in 0..<count, spread over the pool's threads.
    /// `body` must only write memory that no other job writes.
    public func parallelFor(count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let t = min(threads, count)
        if t == 1 || !busy.try() {
            for job in 0..<count { body(job) }
            return
        }
        defer { busy.unlock() }
        withoutActuallyEscaping(body) { escaping in
            self.body = escaping
            self.jobCount = count
            self.threadsInCall = t
            for w in 0..<(t - 1) { workers[w].wake.signal() }
            var job = 0
            while job < count {
                escaping(job)
                job += t
            }
            for _ in 0..<(t - 1) { done.wait() }
            self.body = nil
        }
    }
}

/// Splits 0..<n into `parts` contiguous ranges whose boundaries are multiples of `align`
/// (except the last), as evenly as possible. Deterministic: depends only on its arguments.
func splitRange(_ n: Int, parts: Int, align: Int = 1) -> [Range<Int>] {
    let units = (n + align - 1) / align
    let p = max(1, min(parts, units))
    var ranges: [Range<Int>] = []
    ranges.reserveCapacity(p)
    for i in 0..<p {
        let lo = min(n, (units * i / p) * align)
        let hi = min(n, (units * (i + 1) / p) * align)
        if hi > lo { ranges.append(lo..<hi) }
    }
    return ranges
}
