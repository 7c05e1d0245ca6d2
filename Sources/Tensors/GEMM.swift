// SGEMM driver: C = alpha * op(A) * op(B) + beta * C for row-major Float32 matrices.
//
// Blocking follows Goto & van de Geijn (ACM TOMS 2008) and the BLIS loop order:
//   jc over NC columns of C   (a KC x NC block of B is packed, it lives in L3/L2)
//     pc over KC of the k dimension
//       ic over MC rows of C (an MC x KC block of A is packed, it lives in L2)
//         jr over NR columns  (one KC x NR micro-panel of B stays in L1)
//           ir over MR rows   -> micro-kernel on an MR x NR tile of C in registers
// Threads split C into contiguous row blocks (or column blocks when C is wide); each thread
// runs the whole loop nest on its block with its own packing buffers. Every element of C is
// computed by one thread in a fixed k order, so results do not depend on the thread count.


enum GEMMBlocking {
    // Chosen by measurement on the 2-core AVX2 development machine (32 KiB L1d, 512 KiB L2).
    static let kc = 384              // a 384 x 16 packed B micro-panel is 24 KiB (L1)
    static let mc = 24 * gemmMR      // 144 rows: a 144 x 384 packed A block is 216 KiB (L2)
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
    // Split the larger dimension of C; the other operand is packed by every thread.
    let splitRows = m >= n
    let parts = splitRows ? splitRange(m, parts: threads, align: gemmMR)
                          : splitRange(n, parts: threads, align: gemmNR)
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
    let packedA = scratch.buffer(.gemmA, count: GEMMBlocking.mc * GEMMBlocking.kc)
    let packedB = scratch.buffer(.gemmB, count: GEMMBlocking.kc * GEMMBlocking.nc)
    let tile = scratch.buffer(.gemmTile, count: gemmMR * gemmNR)
    for jc in stride(from: cols.lowerBound, to: cols.upperBound, by: GEMMBlocking.nc) {
        let nc = min(GEMMBlocking.nc, cols.upperBound - jc)
        for pc in stride(from: 0, to: k, by: GEMMBlocking.kc) {
            let kc = min(GEMMBlocking.kc, k - pc)
            packB(b, p0: pc, kc: kc, j0: jc, nc: nc, into: packedB)
            // The first k block applies beta; later ones accumulate onto it.
            let betaNow: Float = pc == 0 ? beta : 1
            for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: GEMMBlocking.mc) {
                let mc = min(GEMMBlocking.mc, rows.upperBound - ic)
                packA(a, i0: ic, mc: mc, p0: pc, kc: kc, alpha: alpha, into: packedA)
                for jr in stride(from: 0, to: nc, by: gemmNR) {
                    let nr = min(gemmNR, nc - jr)
                    let bp = packedB + jr * kc
                    for ir in stride(from: 0, to: mc, by: gemmMR) {
                        let mr = min(gemmMR, mc - ir)
                        let ap = packedA + ir * kc
                        let cp = c + (ic + ir) * ldc + jc + jr
                        if mr == gemmMR && nr == gemmNR {
                            gemmMicroKernel(kc: kc, a: ap, b: bp, c: cp, ldc: ldc, beta: betaNow)
                        } else {
                            // Edge tile: compute the full tile aside, then merge the valid part.
                            gemmMicroKernel(kc: kc, a: ap, b: bp, c: tile, ldc: gemmNR, beta: 0)
                            for r in 0..<mr {
                                let crow = cp + r * ldc
                                let trow = tile + r * gemmNR
                                if betaNow == 0 {
                                    for j in 0..<nr { crow[j] = trow[j] }
                                } else {
                                    for j in 0..<nr { crow[j] = trow[j] + betaNow * crow[j] }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
