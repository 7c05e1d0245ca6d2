import Dispatch
import Foundation

/// Runs `body` for indices 0..<count on `threads` threads, which take the next index as
/// they finish one (so slow files do not hold up a fixed share), and returns the results
/// in index order.
public func concurrentMap<T: Sendable>(count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                                       _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    // The slots hold their own references (an image's storage): deinitialize them, or every
    // result stays allocated after it is returned.
    defer {
        results.deinitialize()
        results.deallocate()
    }
    let slots = SendableBuffer(results)
    let next = IndexDispenser()
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
        while let i = next.take(below: count) {
            slots.buffer[i] = body(i)  // each slot is written by exactly one thread
        }
    }
    return results.map { $0! }
}

private struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
    init(_ buffer: UnsafeMutableBufferPointer<T?>) { self.buffer = buffer }
}

private final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
