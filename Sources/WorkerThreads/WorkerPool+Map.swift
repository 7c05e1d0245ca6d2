extension WorkerPool {
    /// `body(i)` for every i in 0..<count, spread over at most `maxThreads` of the pool's
    /// threads as `parallelFor` does, returned in index order. Each result is written by the
    /// one job that made it, and the pool keeps no reference to any of them.
    public func map<T>(count: Int, maxThreads: Int = .max, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { out in
            parallelFor(count: count, maxThreads: maxThreads) { i in out[i] = body(i) }
        }
        return results.map { $0! }
    }
}
