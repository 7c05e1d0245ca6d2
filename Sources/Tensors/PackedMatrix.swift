// A GEMM right-hand operand packed once, for a matrix that multiplies many left-hand sides
// (the weights of a layer at inference). Packing B costs a pass over all of it; a prepacked
// B is read in place by every later product.
//
// Layout: for each k block of GEMMBlocking.kcDepth(k:) rows (the last one shorter), the panels that
// `packB` would write for all columns: ceil(n / gemmNR) panels of gemmNR columns by kc, zero
// padded. The panels of the k block starting at p0 start at p0 * paddedColumns, and within it
// the panel of column j0 (a multiple of gemmNR) at j0 * kc.

/// op(B) [rows x columns] in the GEMM's packed panel layout; see `sgemm(m:a:lda:packedB:...)`.
public final class PackedMatrix: @unchecked Sendable {
    /// k: the rows of op(B).
    public let rows: Int
    /// n: the columns of op(B), i.e. of C.
    public let columns: Int
    let paddedColumns: Int
    let data: UnsafeMutablePointer<Float>

    /// Packs op(B) [rows x columns], stored row-major with row stride `ld` (for `transposed`
    /// B is stored columns x rows, as `sgemm`'s transB).
    public init(_ b: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int, transposed: Bool = false) {
        precondition(rows >= 0 && columns >= 0, "PackedMatrix: negative size \(rows) x \(columns)")
        precondition(ld >= (transposed ? rows : columns), "PackedMatrix: leading dimension \(ld) too small")
        self.rows = rows
        self.columns = columns
        paddedColumns = (columns + gemmNR - 1) / gemmNR * gemmNR
        let count = max(1, rows * paddedColumns)
        data = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        let view = MatrixView(b, ld: ld, transposed: transposed)
        let depth = GEMMBlocking.kcDepth(k: rows)
        for p0 in stride(from: 0, to: rows, by: depth) where columns > 0 {
            packB(view, p0: p0, kc: min(depth, rows - p0), j0: 0, nc: columns, into: data + p0 * paddedColumns)
        }
    }

    /// Packs a [k, n] tensor (for example 1x1 convolution weights [1, 1, Cin, Cout] as [Cin, Cout]).
    public convenience init(_ matrix: Tensor) {
        let n = matrix.shape.last ?? 1
        self.init(matrix.data, rows: n == 0 ? 0 : matrix.count / n, columns: n, ld: n)
    }

    deinit { data.deallocate() }

    /// The packed panels of the k block starting at `p0` (kc rows deep), from column `j0`.
    func panels(p0: Int, kc: Int, j0: Int) -> UnsafePointer<Float> {
        UnsafePointer(data + p0 * paddedColumns + j0 * kc)
    }
}
