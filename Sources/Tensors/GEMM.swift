// SGEMM driver: C = alpha * op(A) * op(B) + beta * C for row-major Float32 matrices.
//
// Blocking after Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"
// (ACM TOMS 2008), with the loop order that measured best on the development machines:
//   jc over NC columns of C    (a KC x NC block of B is packed into NR-wide panels; L2/L3)
//     pc over KC of the k dimension
//       ir over MR rows of C   (one MR x KC sliver of A, packed or read in place, stays in L1)
//         jr over NR columns   -> micro-kernel on an MR x NR tile of C in registers
// The C tiles of one sliver are adjacent along its rows, so C is written in sequential
// streams, and the B block is read by every sliver from L2/L3.
// Threads: B's column block is packed once for all of k (split across the pool when large)
// into one buffer that every thread reads; then the C block is split into jobs of whole row
// tiles (and whole panels when there are few rows), taken from a shared counter, each running
// the pc and ir loops on its part. Every element of C is computed by one job in a fixed k
// order, so results do not depend on the thread count. The jobs run with subnormal results and
// operands as zero (SubnormalsAsZero.swift): on Intel cores each subnormal FMA takes an assist.

import Foundation
import WorkerThreads

enum GEMMBlocking {
    // Measured on the 2-core AVX2 (Zen 2: 32 KiB L1d, 512 KiB L2) and AVX-512 (Zen 4: 32 KiB
    // L1d, 1 MiB L2) machines; on Zen 4 the micro-kernel ran at the FMA peak for any kc from
    // 256 to 1024 and with the B block in L2 or L3, so the Zen 2 values stay.
    static let kc = 384              // an A sliver is 6 x 384 floats (9 KiB, L1); a B panel 24 KiB
    static let nc = 256 * gemmNR     // 4096 columns: a 384 x 4096 packed B block is 6 MiB (L3)
    /// At most this many floats of B are packed per call (12 MiB: what the per-thread buffers
    /// of two threads held when each thread packed its own kc x nc block).
    static let packedBLimit = 3 << 20

    /// The depth of the k blocks for a product with inner dimension k: k split into the fewest
    /// blocks of at most `kc`, as equal as possible (the last may be shorter by a few), so that
    /// no block is left with a short, inefficient depth (k = 1024 gives 342, 342, 340, not
    /// 384, 384, 256). PackedMatrix lays out its k blocks with the same depth.
    static func kcDepth(k: Int) -> Int {
        let blocks = max(1, (k + kc - 1) / kc)
        return max(1, (k + blocks - 1) / blocks)
    }

    /// The width of the column blocks when B is packed per call (all of k at once): n split
    /// evenly into the fewest blocks of whole panels, at most `nc` wide and with k x width
    /// within `packedBLimit`.
    static func ncWidth(n: Int, k: Int) -> Int {
        let widest = max(gemmNR, min(nc, packedBLimit / max(1, k) / gemmNR * gemmNR))
        let blocks = max(1, (n + widest - 1) / widest)
        return roundUpToPanel((n + blocks - 1) / blocks)
    }

    static func roundUpToPanel(_ columns: Int) -> Int { (columns + gemmNR - 1) / gemmNR * gemmNR }
}

/// Row-major SGEMM: C[m x n] = alpha * op(A) * op(B) + beta * C, where op(A) is m x k and
/// op(B) is k x n. `lda`, `ldb`, `ldc` are the row strides of A, B, C as stored (so for
/// `transA` A is stored k x m with row stride lda). When beta is 0, C is not read.
/// With `bias` ([n]) and/or `activation`, each element becomes activation(c + bias[column])
/// as its tile is stored (the same values as a separate pass afterwards, one pass fewer).
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                  bias: UnsafePointer<Float>? = nil, activation: Activation = .none, pool: WorkerPool = .shared) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(ldc >= n, "sgemm: ldc \(ldc) < n \(n)")
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n), "sgemm: leading dimension too small")
    gemm(MatrixView(a, ld: lda, transposed: transA), .view(MatrixView(b, ld: ldb, transposed: transB)),
         m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc,
         epilogue: GEMMEpilogue(bias: bias, activation: activation), pool: pool)
}

/// SGEMM with a prepacked right operand: C[m x n] = alpha * op(A) * B + beta * C, where B is
/// `packedB` (k x n). Same results as `sgemm` on the unpacked B.
public func sgemm(m: Int, a: UnsafePointer<Float>, lda: Int, transA: Bool = false, packedB: PackedMatrix,
                  alpha: Float = 1, beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                  bias: UnsafePointer<Float>? = nil, activation: Activation = .none, pool: WorkerPool = .shared) {
    let (n, k) = (packedB.columns, packedB.rows)
    precondition(m >= 0, "sgemm: negative size m=\(m)")
    precondition(ldc >= n, "sgemm: ldc \(ldc) < n \(n)")
    precondition(lda >= (transA ? m : k), "sgemm: leading dimension too small")
    gemm(MatrixView(a, ld: lda, transposed: transA), .packed(packedB),
         m: m, n: n, k: k, alpha: alpha, beta: beta, c: c, ldc: ldc,
         epilogue: GEMMEpilogue(bias: bias, activation: activation), pool: pool)
}

/// Where the loop nest gets B's panels: packed per call from a view, or prepacked.
enum GEMMOperandB {
    case view(MatrixView)
    case packed(PackedMatrix)
}

/// The driver shared by both entry points: trivial cases, then for each column block of B
/// its packed panels and the jobs that use them.
private func gemm(_ av: MatrixView, _ b: GEMMOperandB, m: Int, n: Int, k: Int, alpha: Float, beta: Float,
                  c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue, pool: WorkerPool) {
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, rows: m, cols: n, ldc: ldc, beta: beta)
        epilogue.apply(c, ldc: ldc, rows: m, cols: n)
        return
    }
    // Below ~0.5 MFLOP the wake-up of a worker costs more than it saves.
    let threads = m * n * k < 1 << 18 ? 1 : pool.threads
    // A tall C (m >= n) is split into row jobs, which all need the whole B block: it is packed
    // once, shared. A wide C is split into column jobs, each packing only its own columns of B
    // (nothing packed twice, and no separate packing step). Measured: sharing B across
    // column jobs of EfficientNet's 49-row products was slower than this.
    let splitRows = m >= n
    let blockWidth: Int
    var packBuffer: UnsafeMutablePointer<Float>? = nil
    switch b {
    case .view:
        blockWidth = GEMMBlocking.ncWidth(n: n, k: k)
        if splitRows || threads == 1 {
            packBuffer = ThreadScratch.current.buffer(.gemmB, count: k * min(blockWidth, GEMMBlocking.roundUpToPanel(n)))
        }
    case .packed:
        blockWidth = GEMMBlocking.nc
    }
    for jc in stride(from: 0, to: n, by: blockWidth) {
        let nc = min(blockWidth, n - jc)
        let source: GEMMColumnBlock.Panels
        switch b {
        case .view(let view):
            if let packBuffer {
                source = .shared(PanelLayout(packing: view, k: k, j0: jc, nc: nc, into: packBuffer, threads: threads, pool: pool))
            } else {
                source = .perJob(view)
            }
        case .packed(let matrix):
            source = .shared(matrix.layout.from(column: jc))
        }
        let block = GEMMColumnBlock(a: av, k: k, jc: jc, source: source, alpha: alpha, beta: beta,
                                    c: c, ldc: ldc, epilogue: epilogue.from(column: jc))
        let jobs = GEMMJobs(rows: m, cols: nc, k: k, threads: threads, splitRows: splitRows)
        // Subnormal results and operands as zero (SubnormalsAsZero.swift), on each job's thread.
        if jobs.count == 1 {
            withSubnormalsAsZero { block.run(rows: 0..<m, cols: 0..<nc) }
        } else {
            pool.parallelFor(count: jobs.count) { job in
                let (rows, cols) = jobs[job]
                withSubnormalsAsZero { block.run(rows: rows, cols: cols) }
            }
        }
    }
}

/// How a column block of C [rows x cols] is split into jobs: row ranges (whole row tiles) of
/// a tall C, column ranges (whole panels) of a wide one. Several jobs per thread on large
/// products, so that a thread the OS delays leaves its share to the others. Depends only on
/// the shape and the thread count.
struct GEMMJobs {
    let rowRanges: [Range<Int>]
    let colRanges: [Range<Int>]

    init(rows: Int, cols: Int, k: Int, threads: Int, splitRows: Bool) {
        let target = threads == 1 ? 1 : threads * (rows * cols * k >= 1 << 24 ? 4 : 1)
        rowRanges = splitRows ? splitRange(rows, parts: target, align: gemmMR) : [0..<rows]
        colRanges = splitRows ? [0..<cols] : splitRange(cols, parts: target, align: gemmNR)
    }

    var count: Int { rowRanges.count * colRanges.count }

    subscript(job: Int) -> (rows: Range<Int>, cols: Range<Int>) {
        (rowRanges[job / colRanges.count], colRanges[job % colRanges.count])
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

/// One column block of the loop nest: C[:, jc..<jc+nc] = alpha * op(A) * B[:, jc..<jc+nc] + beta * C,
/// with that block of B in packed `panels`.
private struct GEMMColumnBlock {
    let a: MatrixView
    let k: Int, jc: Int
    /// Where the block's packed B panels are: packed before the jobs (or prepacked), or packed
    /// by each job for its own columns.
    enum Panels {
        case shared(PanelLayout)
        case perJob(MatrixView)
    }
    let source: Panels
    let alpha: Float, beta: Float
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    /// From column jc.
    let epilogue: GEMMEpilogue

    /// The part rows x cols (cols relative to jc), on the calling thread: the pc and ir loops.
    func run(rows: Range<Int>, cols: Range<Int>) {
        let scratch = ThreadScratch.current
        // A wide C passes each A sliver through many B panels, which repays packing it into a
        // contiguous L1 buffer (rows of a large power-of-two stride would otherwise compete for
        // the same cache sets). For at most 256 columns it does not pay: the kernel reads A in
        // place (MR sequential row streams, or MR adjacent values per k step for a transposed
        // A). Partial row tiles are always packed (zero-padded). Measured on EfficientNet-Lite0's
        // 1x1-convolution shapes and on the squares.
        let packsA = cols.count > 16 * gemmNR
        let sliver = scratch.buffer(.gemmA, count: gemmMR * GEMMBlocking.kc)
        let tileBuffer = scratch.buffer(.gemmTile, count: gemmMR * gemmNR)
        let epilogue = epilogue.from(column: cols.lowerBound)
        let panels: PanelLayout
        switch source {
        case .shared(let layout):
            panels = layout
        case .perJob(let view):
            // Only this job's columns, in this thread's buffer, seen from the block's column 0.
            let buffer = scratch.buffer(.gemmB, count: k * GEMMBlocking.roundUpToPanel(cols.count))
            panels = PanelLayout(packing: view, k: k, j0: jc + cols.lowerBound, nc: cols.count, into: buffer)
                .from(column: -cols.lowerBound)
        }
        let depth = GEMMBlocking.kcDepth(k: k)
        for pc in stride(from: 0, to: k, by: depth) {
            let kc = min(depth, k - pc)
            let bBlock = panels.panels(p0: pc, kc: kc, j0: 0)
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
                let cRow = c + ir * ldc + jc
                var jr = cols.lowerBound
                // Full 6 x 32 tiles where the build has the registers for them (gemmWideTiles).
                if gemmWideTiles && mr == gemmMR {
                    while jr + 2 * gemmNR <= cols.upperBound {
                        gemmKernelWide(kc: kc, a: ap, aRow: aRow, aCol: aCol, b: bBlock + jr * kc, c: cRow + jr, ldc: ldc,
                                       alpha: alpha, beta: betaNow)
                        jr += 2 * gemmNR
                    }
                }
                while jr < cols.upperBound {
                    gemmTile(kc: kc, a: ap, aRow: aRow, aCol: aCol, packedA: packed, b: bBlock + jr * kc,
                             c: cRow + jr, ldc: ldc, rows: mr, cols: min(gemmNR, cols.upperBound - jr),
                             alpha: alpha, beta: betaNow, scratch: tileBuffer)
                    jr += gemmNR
                }
                // After the last k block, bias and activation on the row sliver just written,
                // while it is in L1 (a few KiB), instead of a later pass over all of C.
                // (Applied in the micro-kernel's registers, the generic SIMD compares measured
                // several times slower.)
                if pc + kc == k { epilogue.apply(cRow + cols.lowerBound, ldc: ldc, rows: mr, cols: cols.count) }
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

/// What the GEMM applies to each finished element of C: activation(c + bias[column]).
struct GEMMEpilogue {
    var bias: UnsafePointer<Float>? = nil
    var activation: Activation = .none

    /// The same epilogue for a block of C whose first column is `column`.
    func from(column: Int) -> GEMMEpilogue {
        GEMMEpilogue(bias: bias.map { $0 + column }, activation: activation)
    }

    /// Applies it to a rows x cols block of C (row stride ldc) starting at the epilogue's column.
    func apply(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        if bias == nil && activation == .none { return }
        for r in 0..<rows {
            let row = c + r * ldc
            var j = 0
            while j + 16 <= cols {
                var v = load16(row + j)
                if let bias { v += load16(bias + j) }
                store16(row + j, activate(v, activation))
                j += 16
            }
            while j < cols {
                row[j] = activate(row[j] + (bias?[j] ?? 0), activation)
                j += 1
            }
        }
    }
}
