// A GEMM right-hand operand packed once, for a matrix that multiplies many left-hand sides
// (the weights of a layer at inference). Packing B costs a pass over all of it; a prepacked
// B is read in place by every later product.
//
// Layout: `PanelLayout` (GEMMPacking.swift) over all `columns`, k blocks of
// GEMMBlocking.kcDepth(k: rows) rows, panels zero-padded to gemmNR columns.

/// op(B) [rows x columns] in the GEMM's packed panel layout; see `sgemm(m:a:lda:packedB:...)`.
public final class PackedMatrix: @unchecked Sendable {
    /// k: the rows of op(B).
    public let rows: Int
    /// n: the columns of op(B), i.e. of C.
    public let columns: Int
    let data: UnsafeMutablePointer<Float>
    /// Where the panels of each k block are.
    let layout: PanelLayout

    /// Packs op(B) [rows x columns], stored row-major with row stride `ld` (for `transposed`
    /// B is stored columns x rows, as `sgemm`'s transB).
    public init(_ b: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int, transposed: Bool = false) {
        precondition(rows >= 0 && columns >= 0, "PackedMatrix: negative size \(rows) x \(columns)")
        precondition(ld >= (transposed ? rows : columns), "PackedMatrix: leading dimension \(ld) too small")
        self.rows = rows
        self.columns = columns
        let count = max(1, rows * GEMMBlocking.roundUpToPanel(columns))
        data = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        layout = PanelLayout(packing: MatrixView(b, ld: ld, transposed: transposed), k: rows, j0: 0, nc: columns, into: data)
    }

    /// Packs a [k, n] tensor (for example 1x1 convolution weights [1, 1, Cin, Cout] as [Cin, Cout]).
    public convenience init(_ matrix: Tensor) {
        let n = matrix.shape.last ?? 1
        self.init(matrix.data, rows: n == 0 ? 0 : matrix.count / n, columns: n, ld: n)
    }

    deinit { data.deallocate() }
}
