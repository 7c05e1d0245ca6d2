import Foundation
import Testing
@testable import Imaging

/// `concurrentMap`: results in index order, every index once, and nothing kept afterwards.
struct ConcurrentMapTests {
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
        let squares = concurrentMap(count: 1000, threads: 4) { $0 * $0 }
        #expect(squares == (0..<1000).map { $0 * $0 })
        #expect(concurrentMap(count: 0, threads: 2) { $0 }.isEmpty)
    }

    /// The results' references are released once the caller drops them (a leak here kept
    /// every decoded photo of a training run alive).
    @Test func keepsNoReferenceToItsResults() {
        let before = Tracked.lock.withLock { Tracked.live }
        do {
            let objects = concurrentMap(count: 200, threads: 2) { Tracked($0) }
            withExtendedLifetime(objects) {
                #expect(objects.map(\.index) == Array(0..<200))
                #expect(Tracked.lock.withLock { Tracked.live } == before + 200)
            }
        }
        #expect(Tracked.lock.withLock { Tracked.live } == before)
    }
}
