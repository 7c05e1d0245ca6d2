// Per-thread scratch buffers (GEMM packing, im2col columns), allocated on first use, grown
// when a larger one is needed and then reused by every later call on that thread, so that
// repeated inference does not allocate in its hot loops.
import Foundation

final class ThreadScratch {
    /// One buffer per job; two callers on the same thread never need the same slot at once.
    enum Slot: Int, CaseIterable {
        case gemmA, gemmB, gemmTile, columns, columnGradient, expandedRows, depthwiseRows
    }

    private var buffers: [UnsafeMutablePointer<Float>?] = Array(repeating: nil, count: Slot.allCases.count)
    private var capacities = Array(repeating: 0, count: Slot.allCases.count)

    deinit {
        for buffer in buffers { buffer?.deallocate() }
    }

    /// A 64-byte aligned buffer of at least `count` floats (contents unspecified).
    func buffer(_ slot: Slot, count: Int) -> UnsafeMutablePointer<Float> {
        let i = slot.rawValue
        if let buffer = buffers[i], capacities[i] >= count { return buffer }
        buffers[i]?.deallocate()
        let capacity = max(count, 16)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: capacity)
        buffers[i] = buffer
        capacities[i] = capacity
        return buffer
    }

    private static let key = "Inspect.Tensors.ThreadScratch"

    /// The calling thread's scratch buffers.
    static var current: ThreadScratch {
        let dictionary = Thread.current.threadDictionary
        if let scratch = dictionary[key] as? ThreadScratch { return scratch }
        let scratch = ThreadScratch()
        dictionary[key] = scratch
        return scratch
    }
}
