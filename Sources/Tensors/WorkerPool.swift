// A persistent pool of worker threads that splits numeric work across the cores.
//
// `parallelFor(count:)` runs `body(job)` for job in 0..<count. Threads take the next job from
// a shared counter, so a thread that the OS delays (a busy machine) leaves its jobs to the
// others instead of holding up the call. Which thread runs a job does not affect its result:
// every kernel in this module gives each output element to exactly one job, which sums in a
// fixed order, and the job boundaries depend only on the problem and the thread count. So
// results are deterministic for a fixed thread count (and in practice independent of it).
// The calling thread takes part. A nested or concurrent call (the pool is busy) runs its jobs
// serially on the calling thread instead of waiting, so the pool can never deadlock on itself.
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

    /// What the worker threads share with the pool. The threads hold it (not the pool), so a
    /// pool that goes away can tell its threads to finish.
    private final class State: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var wakes: [DispatchSemaphore] = []
        // The call being run; written before the workers are woken, read by them afterwards
        // (the semaphores order these accesses).
        var body: ((Int) -> Void)?
        var jobCount = 0
        var nextJob = 0
        let counter = NSLock()
        var stopping = false

        /// The next job index, or nil when all are taken.
        func takeJob() -> Int? {
            counter.lock(); defer { counter.unlock() }
            guard nextJob < jobCount else { return nil }
            nextJob += 1
            return nextJob - 1
        }

        func runJobs(_ body: (Int) -> Void) {
            while let job = takeJob() { body(job) }
        }
    }

    private let busy = NSLock()        // held for the duration of one parallel call
    private let config = NSLock()      // guards `active` and the worker list
    private let state = State()
    private var active: Int

    public init(threads: Int) {
        precondition(threads >= 1, "WorkerPool needs at least one thread, got \(threads)")
        active = threads
        ensureWorkers(threads - 1)
    }

    deinit {
        state.stopping = true
        for wake in state.wakes { wake.signal() }
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
        while state.wakes.count < n {
            let wake = DispatchSemaphore(value: 0)
            state.wakes.append(wake)
            let state = self.state
            let thread = Thread { WorkerPool.workerLoop(state, wake: wake) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func workerLoop(_ state: State, wake: DispatchSemaphore) {
        while true {
            wake.wait()
            if state.stopping { return }
            if let body = state.body { state.runJobs(body) }
            state.done.signal()
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
            state.body = escaping
            state.jobCount = count
            state.nextJob = 0
            for w in 0..<(t - 1) { state.wakes[w].signal() }
            state.runJobs(escaping)
            for _ in 0..<(t - 1) { state.done.wait() }
            state.body = nil
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
