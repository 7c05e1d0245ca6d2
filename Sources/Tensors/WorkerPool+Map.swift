extension WorkerPool {
    /// `body(i)` for every i in 0..<count, spread over the pool's threads as `parallelFor`
    /// does, returned in index order. Each result is written by the one job that made it.
    public func map<T>(count: Int, _ body: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { out in
            parallelFor(count: count) { i in out[i] = body(i) }
        }
        return results.map { $0! }
    }
}
