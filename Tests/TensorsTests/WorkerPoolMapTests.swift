import Foundation
import Testing
import WorkerThreads

/// `WorkerPool.map`: results in index order, every index once, at most the asked number of
/// threads, and no reference kept to the results afterwards.
struct WorkerPoolMapTests {
    /// Counts its live instances.
    final class Tracked: @unchecked Sendable {
        static let lock = NSLock()
        nonisolated(unsafe) static var live = 0
        let index: Int
        init(_ index: Int) {
            self.index = index
            Self.lock.withLock { Self.live += 1 }
        }
        deinit { Self.lock.withLock { Self.live -= 1 } }
    }

    @Test func resultsComeInIndexOrder() {
        let squares = WorkerPool.shared.map(count: 1000) { $0 * $0 }
        #expect(squares == (0..<1000).map { $0 * $0 })
        #expect(WorkerPool.shared.map(count: 0) { $0 }.isEmpty)
    }

    /// With `maxThreads: 1` every job runs on the calling thread, one after another.
    @Test func oneThreadRunsEveryJobOnTheCaller() {
        let caller = Thread.current
        let onCaller = WorkerPool.shared.map(count: 64, maxThreads: 1) { _ in Thread.current == caller }
        #expect(onCaller.allSatisfy { $0 })
    }

    /// The results' references are released once the caller drops them (a leak here kept
    /// every decoded photo of a training run alive).
    @Test func keepsNoReferenceToItsResults() {
        let before = Tracked.lock.withLock { Tracked.live }
        do {
            let objects = WorkerPool.shared.map(count: 200, maxThreads: 2) { Tracked($0) }
            withExtendedLifetime(objects) {
                #expect(objects.map(\.index) == Array(0..<200))
                #expect(Tracked.lock.withLock { Tracked.live } == before + 200)
            }
        }
        #expect(Tracked.lock.withLock { Tracked.live } == before)
    }
}
