// Packing for the blocked GEMM (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", ACM TOMS 2008): blocks of A and B are copied into contiguous panels laid
// out in exactly the order the micro-kernel reads them, so the kernel streams through memory
// with unit stride and the panels stay resident in L1/L2.
import WorkerThreads

/// Strided view of a row-major matrix operand after an optional transpose:
/// element (i, j) is at `base[i * rowStride + j * colStride]`.
struct MatrixView {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let colStride: Int

    init(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        self.base = base
        rowStride = transposed ? 1 : ld
        colStride = transposed ? ld : 1
    }
}

/// Packs rows i0..<i0+mc, columns p0..<p0+kc of op(A) into panels of
/// `gemmMR` rows: panel r holds, for each k step, its gemmMR row values contiguously.
/// Rows past `mc` in the last panel are zero so the kernel can always run a full tile.
func packA(_ a: MatrixView, i0: Int, mc: Int, p0: Int, kc: Int, into dst: UnsafeMutablePointer<Float>) {
    var out = dst
    var i = 0
    while i < mc {
        let rows = min(gemmMR, mc - i)
        for r in 0..<gemmMR {
            if r < rows {
                var src = a.base + (i0 + i + r) * a.rowStride + p0 * a.colStride
                var o = out + r
                for _ in 0..<kc {
                    o.pointee = src.pointee
                    src += a.colStride
                    o += gemmMR
                }
            } else {
                var o = out + r
                for _ in 0..<kc { o.pointee = 0; o += gemmMR }
            }
        }
        out += gemmMR * kc
        i += gemmMR
    }
}

/// Packs rows p0..<p0+kc, columns j0..<j0+nc of op(B) into panels of `gemmNR` columns:
/// panel c holds, for each k step, its gemmNR column values contiguously (zero-padded).
func packB(_ b: MatrixView, p0: Int, kc: Int, j0: Int, nc: Int,
           into dst: UnsafeMutablePointer<Float>) {
    var out = dst
    var j = 0
    while j < nc {
        let cols = min(gemmNR, nc - j)
        if cols == gemmNR && b.colStride == 1 {
            // Contiguous rows: one vector copy per k step.
            var src = b.base + p0 * b.rowStride + j0 + j
            var o = out
            for _ in 0..<kc {
                store16(o, load16(src))
                src += b.rowStride
                o += gemmNR
            }
        } else {
            for c in 0..<gemmNR {
                var o = out + c
                if c < cols {
                    var src = b.base + p0 * b.rowStride + (j0 + j + c) * b.colStride
                    for _ in 0..<kc {
                        o.pointee = src.pointee
                        src += b.rowStride
                        o += gemmNR
                    }
                } else {
                    for _ in 0..<kc { o.pointee = 0; o += gemmNR }
                }
            }
        }
        out += gemmNR * kc
        j += gemmNR
    }
}

/// Where packed panels of op(B) are, for every k block: the k block starting at p0 (depth
/// `GEMMBlocking.kcDepth`) starts at p0 * paddedColumns, and within it the panel of column j
/// (a multiple of gemmNR) at j * kc. The layout of PackedMatrix, and of B packed per call.
struct PanelLayout {
    let base: UnsafePointer<Float>
    /// The packed columns, rounded up to whole panels.
    let paddedColumns: Int
    /// The column that the `j0` arguments count from.
    var firstColumn = 0

    init(base: UnsafePointer<Float>, paddedColumns: Int) {
        self.base = base
        self.paddedColumns = paddedColumns
    }

    /// Packs columns j0..<j0+nc of op(B) [k x n], all k blocks, into `buffer`, split across the
    /// pool when large (each job packs whole panels; the layout does not depend on the split).
    init(packing b: MatrixView, k: Int, j0: Int, nc: Int, into buffer: UnsafeMutablePointer<Float>,
         threads: Int = 1, pool: WorkerPool = .shared) {
        base = UnsafePointer(buffer)
        paddedColumns = GEMMBlocking.roundUpToPanel(nc)
        let depth = GEMMBlocking.kcDepth(k: k), padded = paddedColumns
        func pack(_ cols: Range<Int>) {
            for p0 in stride(from: 0, to: k, by: depth) {
                let kc = min(depth, k - p0)
                packB(b, p0: p0, kc: kc, j0: j0 + cols.lowerBound, nc: cols.count,
                      into: buffer + p0 * padded + cols.lowerBound * kc)
            }
        }
        // Below ~64 K floats a second thread saves less than its wake-up costs.
        let ranges = splitRange(nc, parts: k * nc >= 1 << 16 ? threads : 1, align: gemmNR)
        if ranges.count > 1 {
            pool.parallelFor(count: ranges.count) { part in pack(ranges[part]) }
        } else if nc > 0 {
            pack(0..<nc)
        }
    }

    /// The panels of the k block starting at `p0` (kc deep), from column `j0`.
    func panels(p0: Int, kc: Int, j0: Int) -> UnsafePointer<Float> {
        base + p0 * paddedColumns + (firstColumn + j0) * kc
    }

    /// The same panels, with column `j0` (a multiple of gemmNR, possibly negative) as column 0.
    func from(column j0: Int) -> PanelLayout {
        var shifted = self
        shifted.firstColumn += j0
        return shifted
    }
}
