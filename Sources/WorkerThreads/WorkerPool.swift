// WorkerThreads: the one pool of worker threads every layer splits its work over (the kernels
// of Tensors, decoding photos in Imaging and Inspection, photos of a faces run, requests of a
// batch in the server). Depends on Foundation, Dispatch and Synchronization only.
//
// `parallelFor(count:)` runs `body(job)` for job in 0..<count. Threads take the next job from
// a shared counter, so a thread that the OS delays (a busy machine) leaves its jobs to the
// others instead of holding up the call, and a slow job (a large photo) does not hold up a
// fixed share of the others. Which thread runs a job does not affect its result: the kernels
// give each output element to exactly one job, which sums in a fixed order, and the job
// boundaries depend only on the problem and the thread count. So results are deterministic
// for a fixed thread count (and in practice independent of it).
// The calling thread takes part. A nested or concurrent call (the pool is busy) runs its jobs
// serially on the calling thread instead of waiting, so the pool can never deadlock on itself.
//
// Waking a sleeping thread (a futex wake, then the scheduler) costs tens of microseconds, as
// much as a whole small layer, and a batch-1 forward pass makes ~70 parallel calls. So an
// idle worker first polls its mailbox for `spinNanoseconds` and only then goes to sleep, and
// the caller polls for the workers' completion the same way before it blocks. A caller that
// makes many calls in a row with serial work between them (a batch-1 network pass) keeps the
// workers polling throughout (`keepingWorkersAwake`).
//
// On a busy machine a polling worker may not get a core for milliseconds. A caller that has
// run every job itself therefore withdraws the call from each polling worker that has not
// picked it up yet, and waits only for those that did: a call never costs more than its jobs
// plus the workers that actually took part (thousands of small calls in a row, as a greedy
// coreset selection makes, would otherwise wait one scheduler slice each).
import Foundation
import Dispatch
import Synchronization

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

    /// How long an idle thread polls before it sleeps: about one layer's gap at batch 1.
    static let spinNanoseconds: UInt64 = 50_000

    /// One worker thread's mailbox: `idle` (polling or working), `sleeping` (waiting on
    /// `wake`), or `posted` (a call, or the stop request, is waiting for it).
    private final class Worker: Sendable {
        static let idle = 0, sleeping = 1, posted = 2
        let mailbox = Atomic<Int>(Worker.idle)
        let wake = DispatchSemaphore(value: 0)

        /// Hands the worker the posted call, waking it if it went to sleep; returns whether it did.
        @discardableResult
        func post() -> Bool {
            guard mailbox.exchange(Worker.posted, ordering: .acquiringAndReleasing) == Worker.sleeping else { return false }
            wake.signal()
            return true
        }

        /// Wakes the worker if it sleeps, without posting a call: it polls again.
        func rouse() {
            if mailbox.compareExchange(expected: Worker.sleeping, desired: Worker.idle, ordering: .acquiringAndReleasing).exchanged {
                wake.signal()
            }
        }

        /// Takes back a call posted to a worker that was polling (not woken), if it has not
        /// seen it yet; returns whether it was taken back. Only the posting caller (holding the
        /// pool's `busy` lock) moves a mailbox to `posted`, so a mailbox still `posted` here
        /// is this call, unseen.
        func withdraw() -> Bool {
            mailbox.compareExchange(expected: Worker.posted, desired: Worker.idle, ordering: .acquiringAndReleasing).exchanged
        }
    }

    /// What the worker threads share with the pool. The threads hold it (not the pool), so a
    /// pool that goes away can tell its threads to finish.
    private final class State: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var workers: [Worker] = []
        // The call being run; written before the workers' mailboxes are posted, read by them
        // afterwards (the mailbox's release/acquire orders these accesses).
        var body: ((Int) -> Void)?
        var jobCount = 0
        let nextJob = Atomic<Int>(0)
        /// Workers of the current call that have not finished yet.
        let pending = Atomic<Int>(0)
        /// Callers inside `keepingWorkersAwake`: while positive, idle workers poll and never sleep.
        let holders = Atomic<Int>(0)
        var stopping = false

        func runJobs(_ body: (Int) -> Void) {
            while true {
                let job = nextJob.wrappingAdd(1, ordering: .relaxed).oldValue
                if job >= jobCount { return }
                body(job)
            }
        }
    }

    /// Polls `ready` for up to `spinNanoseconds`, and beyond while `holding` is true; returns
    /// whether it became true. Each poll yields the core: when the thread it waits for shares
    /// this core (a loaded machine), a plain busy loop would keep that thread from running
    /// until the spin ends.
    @inline(__always)
    private static func spin(until ready: () -> Bool, holding: () -> Bool = { false }) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + spinNanoseconds
        while !ready() {
            if DispatchTime.now().uptimeNanoseconds > deadline && !holding() { return false }
            sched_yield()
        }
        return true
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
        for worker in state.workers { worker.post() }
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
        while state.workers.count < n {
            let worker = Worker()
            state.workers.append(worker)
            let state = self.state
            let thread = Thread { WorkerPool.workerLoop(state, worker) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private static func workerLoop(_ state: State, _ worker: Worker) {
        while true {
            let posted = spin(until: { worker.mailbox.load(ordering: .acquiring) == Worker.posted },
                              holding: { state.holders.load(ordering: .relaxed) > 0 })
            // Going to sleep fails only when a call was posted since the last poll.
            if !posted && worker.mailbox.compareExchange(expected: Worker.idle, desired: Worker.sleeping,
                                                         ordering: .acquiringAndReleasing).exchanged {
                worker.wake.wait()
            }
            // Claim the call (pairing with post()'s release). A caller that finished every job
            // may have withdrawn it first; then there is nothing to do but wait again.
            guard worker.mailbox.compareExchange(expected: Worker.posted, desired: Worker.idle,
                                                 ordering: .acquiringAndReleasing).exchanged else { continue }
            if state.stopping { return }
            if let body = state.body { state.runJobs(body) }
            state.pending.subtract(1, ordering: .releasing)
            state.done.signal()
        }
    }

    /// Runs `body` with the workers kept awake between parallel calls: they poll for the next
    /// call instead of going to sleep after `spinNanoseconds`, and sleeping ones are woken now.
    /// For a sequence of many short parallel calls with serial gaps of unknown length between
    /// them (one batch-1 network pass): a sleeping worker costs a wake-up of tens of
    /// microseconds, and the scheduler tends to wake it on the caller's core, where it only
    /// runs once the caller waits.
    public func keepingWorkersAwake<T>(_ body: () throws -> T) rethrows -> T {
        if threads == 1 { return try body() }
        state.holders.add(1, ordering: .relaxed)
        defer { state.holders.subtract(1, ordering: .relaxed) }
        config.lock()
        let workers = state.workers.prefix(active - 1)
        config.unlock()
        for worker in workers { worker.rouse() }
        return try body()
    }

    /// Runs `body(job)` for every job in 0..<count, spread over the pool's threads, at most
    /// `maxThreads` of them (the caller included). `body` must only write memory that no
    /// other job writes.
    public func parallelFor(count: Int, maxThreads: Int = .max, _ body: (Int) -> Void) {
        if count <= 0 { return }
        let t = max(1, min(threads, count, maxThreads))
        if t == 1 || !busy.try() {
            for job in 0..<count { body(job) }
            return
        }
        defer { busy.unlock() }
        withoutActuallyEscaping(body) { escaping in
            state.body = escaping
            state.jobCount = count
            state.nextJob.store(0, ordering: .relaxed)
            state.pending.store(t - 1, ordering: .relaxed)
            var woken = [Bool](repeating: false, count: t - 1)
            for w in 0..<(t - 1) { woken[w] = state.workers[w].post() }
            state.runJobs(escaping)
            // Every job has been taken. A polling worker that has not seen the call yet is
            // withdrawn from it; a woken one cannot be (its semaphore is already signalled).
            var taking = t - 1
            for w in 0..<(t - 1) where !woken[w] && state.workers[w].withdraw() {
                taking -= 1
                state.pending.subtract(1, ordering: .relaxed)
            }
            // Every taking worker signals `done` once; after a successful spin these waits
            // return at once. No spinning after waking a sleeper: the scheduler tends to put it
            // on the caller's core, where it would only run once the caller blocks.
            if !woken.contains(true) { _ = Self.spin { state.pending.load(ordering: .acquiring) == 0 } }
            for _ in 0..<taking { state.done.wait() }
            state.body = nil
        }
    }
}
