// Per-thread scratch buffers (GEMM packing, im2col columns), allocated on first use, grown
// when a larger one is needed and then reused by every later call on that thread, so that
// repeated inference does not allocate in its hot loops.
import Foundation   // pthread_key_create, pthread_getspecific (Glibc on Linux)

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

    /// The POSIX thread-local slot that holds each thread's scratch (retained; released by the
    /// slot's destructor when the thread exits). `pthread_getspecific` is a few instructions;
    /// Foundation's `Thread.current.threadDictionary` lookup it replaces was a dictionary search
    /// with bridging on every GEMM and convolution band (2.4% of the faces benchmark's CPU time).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { value in
            let pointer: UnsafeMutableRawPointer? = value
            if let pointer { Unmanaged<ThreadScratch>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "ThreadScratch: pthread_key_create failed with \(status)")
        return key
    }()

    /// The calling thread's scratch buffers.
    static var current: ThreadScratch {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadScratch>.fromOpaque(pointer).takeUnretainedValue()
        }
        let scratch = ThreadScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
    }
}
