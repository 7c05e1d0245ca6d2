import Foundation
import Testing
@testable import Tensors
import WorkerThreads

@Suite("Worker pool") struct WorkerPoolTests {
    @Test func everyJobRunsExactlyOnceAndNestedCallsRunSerially() {
        let pool = WorkerPool(threads: 3)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 100)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: 100)
        pool.parallelFor(count: 10) { outer in
            // A nested call on the same pool runs on the calling thread instead of deadlocking.
            pool.parallelFor(count: 10) { inner in counts[outer * 10 + inner] += 1 }
        }
        #expect((0..<100).allSatisfy { counts[$0] == 1 })
        pool.threads = 1
        #expect(pool.threads == 1)
    }

    /// Many tiny calls in a row on more threads than cores: callers often finish every job
    /// before a worker is scheduled and withdraw the call from it. Each job must still run
    /// exactly once, and no call may wait for (or be counted by) a worker that never took it.
    @Test(.timeLimit(.minutes(1))) func tinyCallsOnAnOversubscribedPoolRunEveryJobOnce() {
        let pool = WorkerPool(threads: 2 * max(2, ProcessInfo.processInfo.activeProcessorCount))
        let calls = 20_000, jobs = 7
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: calls * jobs)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0, count: calls * jobs)
        for call in 0..<calls {
            pool.parallelFor(count: jobs) { job in counts[call * jobs + job] += 1 }
        }
        let wrong = (0..<(calls * jobs)).filter { counts[$0] != 1 }.count
        print("tiny calls: \(calls) calls of \(jobs) jobs, \(wrong) jobs not run exactly once")
        #expect(wrong == 0)
    }

    @Test func splitRangeCoversEverythingOnAlignedBoundaries() {
        for (n, parts, align) in [(100, 3, 6), (7, 4, 1), (5, 8, 16), (0, 2, 1)] {
            let ranges = splitRange(n, parts: parts, align: align)
            #expect(ranges.reduce(0) { $0 + $1.count } == n)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(ranges.dropLast().allSatisfy { $0.upperBound % align == 0 })
        }
    }
}

@Suite("Tensor") struct TensorTests {
    @Test func layoutIsRowMajorNHWC() {
        // An HWC image as the Imaging layer hands it over: value = 100 * y + 10 * x + channel.
        let (h, w, c) = (3, 4, 2)
        var hwc: [Float] = []
        for y in 0..<h { for x in 0..<w { for ch in 0..<c { hwc.append(Float(100 * y + 10 * x + ch)) } } }
        let t = Tensor(shape: [1, h, w, c], data: hwc)
        #expect(t[0, 2, 3, 1] == 231 && t[0, 1, 0, 0] == 100)
        t.resize(to: [2, 3])
        #expect(t.count == 6 && t.shape == [2, 3])
    }

    @Test func validatingInitializerThrowsOnBadData() {
        #expect(throws: TensorError.elementCountMismatch(shape: [2, 3], expected: 6, actual: 5)) {
            try Tensor(shape: [2, 3], validating: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.invalidShape([2, -1])) { try Tensor(shape: [2, -1], validating: []) }
        #expect((try? Tensor(shape: [2, 2], validating: [1, 2, 3, 4]))?.scalars == [1, 2, 3, 4])
    }
}
