// Running a check at several thread counts of the shared worker pool.
import Tensors
import WorkerThreads

/// Runs `body` with the shared pool at each thread count, restoring it afterwards.
public func withThreadCounts(_ counts: [Int] = [1, 2, 3], _ body: (Int) -> Void) {
    let saved = WorkerPool.shared.threads
    defer { WorkerPool.shared.threads = saved }
    for count in counts {
        WorkerPool.shared.threads = count
        body(count)
    }
}
