// Packing for the blocked GEMM (Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication", ACM TOMS 2008): blocks of A and B are copied into contiguous panels laid
// out in exactly the order the micro-kernel reads them, so the kernel streams through memory
// with unit stride and the panels stay resident in L1/L2.

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
