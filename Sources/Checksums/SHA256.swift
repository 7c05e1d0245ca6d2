import CSHA256
import Foundation

/// SHA-256 (FIPS 180-4), the one implementation for dataset provenance (Tabular), model-bundle
/// and backbone integrity (Inspection) and weights-against-card checks (Networks, Faces).
/// Foundation has no hash on Linux.
public enum SHA256 {

    /// Hex digest of the file's bytes, or nil when the file cannot be read (callers turn
    /// that into their own layer's error, naming the file).
    public static func hex(ofFile path: String) -> String? {
        FileManager.default.contents(atPath: path).map { hex($0) }
    }

    public static func hex(_ data: Data) -> String { data.withUnsafeBytes { hex($0) } }
    public static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { hex($0) } }

    /// Whether the x86 SHA extensions compress the blocks (about 8 times faster than the
    /// portable code: the weights hashed at each model load showed in the scoring profile).
    static let hardwareAvailable = csha256_hardware_available() == 1

    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(bytes, hardware: hardwareAvailable) }

    /// The digest with the SHA extensions or the portable code (tests compare the two).
    static func hex(_ bytes: UnsafeRawBufferPointer, hardware: Bool) -> String {
        if hardware {
            var state: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
            let full = bytes.count / 64
            state.withUnsafeMutableBufferPointer { s in
                if let base = bytes.baseAddress, full > 0 {
                    csha256_hardware_blocks(s.baseAddress!, base.assumingMemoryBound(to: UInt8.self), full)
                }
                paddedTail(bytes, fullBlocks: full).withUnsafeBytes { t in
                    csha256_hardware_blocks(s.baseAddress!, t.baseAddress!.assumingMemoryBound(to: UInt8.self), t.count / 64)
                }
            }
            return state.map { String(format: "%08x", $0) }.joined()
        }
        // State, message schedule and constants through raw pointers: with Array indexing
        // (bounds checks, uniqueness checks on every write) hashing the ~14 MB of weights at
        // each model load showed in the scoring profile.
        var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
        let w = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)
        defer { w.deallocate() }
        do {
            let k = csha256_round_constants()
            @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
            /// One 64-byte block at `block`.
            func compress(_ block: UnsafeRawPointer) {
                for t in 0..<16 { w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
                for t in 16..<64 {
                    let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                    let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = h
                for t in 0..<64 {
                    let t1 = hh &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ ((e & f) ^ (~e & g)) &+ k[t] &+ w[t]
                    let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) ^ (a & c) ^ (b & c))
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
            }
            let full = bytes.count / 64
            if let base = bytes.baseAddress {
                for i in 0..<full { compress(base + i * 64) }
            }
            paddedTail(bytes, fullBlocks: full).withUnsafeBytes { t in
                for i in 0..<(t.count / 64) { compress(t.baseAddress! + i * 64) }
            }
        }
        return [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7].map { String(format: "%08x", $0) }.joined()
    }

    /// The bytes after the last full block, then the padding: 0x80, zeros, and the bit length
    /// as a big-endian 64-bit number (one or two blocks).
    private static func paddedTail(_ bytes: UnsafeRawBufferPointer, fullBlocks full: Int) -> [UInt8] {
        var tail = Array(bytes[(full * 64)...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bits = UInt64(bytes.count) * 8
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        return tail
    }
}
