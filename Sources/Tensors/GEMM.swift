// SGEMM driver: C = alpha * op(A) * op(B) + beta * C for row-major Float32 matrices.
//
// Blocking after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"
// (ACM TOMS 2008), with the loop order that measured best on the development machine:
//   jc over NC columns of C    (a KC x NC block of B is packed into NR-wide panels; L2/L3)
//     pc over KC of the k dimension
//       ir over MR rows of C   (one MR x KC sliver of A, packed or read in place, stays in L1)
//         jr over NR columns   -> micro-kernel on an MR x NR tile of C in registers
// The C tiles of one sliver are adjacent along its rows, so C is written in sequential
// streams, and the B block is read by every sliver from L2/L3.
// Threads split C into contiguous row blocks (or column blocks when C is wide); each block
// runs the whole loop nest with the packing buffers of the thread that takes it. Every element of C is
// computed by one thread in a fixed k order, so results do not depend on the thread count.

import Foundation

enum GEMMBlocking {
    // Chosen by measurement on the 2-core AVX2 development machine (32 KiB L1d, 512 KiB L2).
    static let kc = 384              // an A sliver is 6 x 384 floats (9 KiB, L1); a B panel 24 KiB
    static let nc = 256 * gemmNR     // 4096 columns: a 384 x 4096 packed B block is 6 MiB (L3)
}

/// Row-major SGEMM: C[m x n] = alpha * op(A) * op(B) + beta * C, where op(A) is m x k and
/// op(B) is k x n. `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored (so for
/// `transA` A is stored k x m with row stride lda). When beta is 0, C is not read.
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                  pool: WorkerPool = .shared) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(ldc >= n, "sgemm: ldc \(ldc) < n \(n)")
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n), "sgemm: leading dimension too small")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, rows: m, cols: n, ldc: ldc, beta: beta)
        return
    }
    let av = MatrixView(a, ld: lda, transposed: transA)
    let bv = MatrixView(b, ld: ldb, transposed: transB)
    let threads = pool.threads
    // Below ~0.5 MFLOP the wake-up of a worker costs more than it saves.
    if threads == 1 || m * n * k < 1 << 18 {
        gemmBlock(av, bv, rows: 0..<m, cols: 0..<n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
        return
    }
    // Split the larger dimension of C into a few jobs per thread (so a delayed thread's share
    // is taken over by the others); each job packs the parts of B it needs.
    let splitRows = m >= n
    let jobs = threads * (m * n * k >= 1 << 24 ? 3 : 1)
    let parts = splitRows ? splitRange(m, parts: jobs, align: gemmMR)
                          : splitRange(n, parts: jobs, align: gemmNR)
    pool.parallelFor(count: parts.count) { job in
        gemmBlock(av, bv, rows: splitRows ? parts[job] : 0..<m, cols: splitRows ? 0..<n : parts[job],
                  k: k, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
}

private func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int, beta: Float) {
    for i in 0..<rows {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: cols)
        } else {
            for j in 0..<cols { row[j] *= beta }
        }
    }
}

/// The single-threaded blocked loop nest on C[rows, cols].
private func gemmBlock(_ a: MatrixView, _ b: MatrixView, rows: Range<Int>, cols: Range<Int>, k: Int,
                       alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let scratch = ThreadScratch.current
    // A wide C passes each A sliver through many B panels, which repays packing it into a
    // contiguous L1 buffer (rows of a large power-of-two stride would otherwise compete for
    // the same cache sets). For at most 256 columns it does not pay: the kernel reads A in
    // place (six sequential row streams, or six adjacent values per k step for a transposed
    // A). Partial row tiles are always packed (zero-padded). Measured on EfficientNet-Lite0's
    // 1x1-convolution shapes and on the squares.
    let packsA = cols.count > 16 * gemmNR
    let sliver = scratch.buffer(.gemmA, count: gemmMR * GEMMBlocking.kc)
    let packedB = scratch.buffer(.gemmB, count: GEMMBlocking.kc * min(GEMMBlocking.nc, cols.count + gemmNR))
    let tileBuffer = scratch.buffer(.gemmTile, count: gemmMR * gemmNR)
    for jc in stride(from: cols.lowerBound, to: cols.upperBound, by: GEMMBlocking.nc) {
        let nc = min(GEMMBlocking.nc, cols.upperBound - jc)
        for pc in stride(from: 0, to: k, by: GEMMBlocking.kc) {
            let kc = min(GEMMBlocking.kc, k - pc)
            packB(b, p0: pc, kc: kc, j0: jc, nc: nc, into: packedB)
            // The first k block applies beta; later ones accumulate onto it.
            let betaNow: Float = pc == 0 ? beta : 1
            for ir in stride(from: rows.lowerBound, to: rows.upperBound, by: gemmMR) {
                let mr = min(gemmMR, rows.upperBound - ir)
                // Where this row tile's A values are, and their row and k strides.
                let packed = packsA || mr < gemmMR
                var ap = UnsafePointer(sliver), aRow = 1, aCol = gemmMR
                if packed {
                    packA(a, i0: ir, mc: mr, p0: pc, kc: kc, into: sliver)
                } else {
                    ap = a.base + ir * a.rowStride + pc * a.colStride
                    aRow = a.rowStride
                    aCol = a.colStride
                }
                for jr in stride(from: 0, to: nc, by: gemmNR) {
                    gemmTile(kc: kc, a: ap, aRow: aRow, aCol: aCol, packedA: packed, b: packedB + jr * kc,
                             c: c + ir * ldc + jc + jr, ldc: ldc, rows: mr, cols: min(gemmNR, nc - jr),
                             alpha: alpha, beta: betaNow, scratch: tileBuffer)
                }
            }
        }
    }
}

/// One MR x NR tile of C (or a partial one at the edges) with the right kernel.
@inline(__always)
private func gemmTile(kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int, packedA: Bool, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, alpha: Float, beta: Float,
                      scratch: UnsafeMutablePointer<Float>) {
    if rows == gemmMR && cols == gemmNR {
        if packedA {
            gemmKernelPacked(kc: kc, a: a, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
        } else {
            gemmKernelStrided(kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
        }
    } else if rows == gemmMR && cols == gemmNR / 2 {
        gemmKernelNarrow(kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
    } else {
        // Edge tile: compute the full tile aside, then merge the valid part.
        gemmKernelStrided(kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: scratch, ldc: gemmNR, alpha: alpha, beta: 0)
        for r in 0..<rows {
            let crow = c + r * ldc
            let trow = scratch + r * gemmNR
            if beta == 0 {
                for j in 0..<cols { crow[j] = trow[j] }
            } else {
                for j in 0..<cols { crow[j] = trow[j] + beta * crow[j] }
            }
        }
    }
}
