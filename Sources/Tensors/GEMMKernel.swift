// The GEMM micro-kernel. Tile size: gemmMR rows by gemmNR columns of C.
//
// One SIMD16<Float> accumulator per row of the tile. On an AVX2 machine (16 ymm registers, as
// the development machine) each SIMD16 is a pair of ymm registers, so the 6x16 tile takes
// 12 registers plus two for the B row and one for the broadcast: the register budget of the
// BLIS Haswell kernel. With AVX-512 each accumulator is one zmm register.
//
// The kernel body is generic over the vector type so the same code also serves an 8-column
// variant (SIMD8) for the last panel of a matrix whose width is 8 mod 16 (EfficientNet has 24
// and 40 channel layers), and over A's strides so A can be read in place (see GEMM.swift).

let gemmMR = 6
let gemmNR = 16

/// C[0..<6, 0..<V.scalarCount] = alpha * A_tile * B_panel (+ beta * C).
///
/// A row r, step p is at `a[r * aRow + p * aCol]` (a packed panel has aRow 1, aCol 6).
/// `b` is a packed B panel: gemmNR column values per k step, of which the first
/// V.scalarCount are used. Each k step does one vector load of B, 6 broadcasts of A and 6
/// vector fused multiply-adds. When `beta` is 0, C is not read (it may hold NaN).
@inline(__always)
private func microKernel<V: SIMD>(_: V.Type, kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                                  b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                  alpha: Float, beta: Float) where V.Scalar == Float {
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    var a0 = a; var a1 = a + 1 * aRow; var a2 = a + 2 * aRow; var a3 = a + 3 * aRow; var a4 = a + 4 * aRow; var a5 = a + 5 * aRow
    var pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let bv = pb.loadUnaligned(as: V.self)
        multiplyAdd(into: &c0, V(repeating: a0.pointee), bv)
        multiplyAdd(into: &c1, V(repeating: a1.pointee), bv)
        multiplyAdd(into: &c2, V(repeating: a2.pointee), bv)
        multiplyAdd(into: &c3, V(repeating: a3.pointee), bv)
        multiplyAdd(into: &c4, V(repeating: a4.pointee), bv)
        multiplyAdd(into: &c5, V(repeating: a5.pointee), bv)
        a0 += aCol; a1 += aCol; a2 += aCol; a3 += aCol; a4 += aCol; a5 += aCol
        pb += gemmNR * MemoryLayout<Float>.stride
    }
    storeRow(c + 0 * ldc, c0, alpha, beta)
    storeRow(c + 1 * ldc, c1, alpha, beta)
    storeRow(c + 2 * ldc, c2, alpha, beta)
    storeRow(c + 3 * ldc, c3, alpha, beta)
    storeRow(c + 4 * ldc, c4, alpha, beta)
    storeRow(c + 5 * ldc, c5, alpha, beta)
}

/// C[0..<V.scalarCount] = alpha * v (+ beta * C when beta != 0).
@inline(__always)
private func storeRow<V: SIMD>(_ c: UnsafeMutablePointer<Float>, _ v: V, _ alpha: Float, _ beta: Float) where V.Scalar == Float {
    let p = UnsafeMutableRawPointer(c)
    // alpha and beta as vectors: the vector-by-scalar operators compiled to lane-by-lane code.
    let scaled = v * V(repeating: alpha)
    if beta == 0 {
        p.storeBytes(of: scaled, as: V.self)
    } else {
        p.storeBytes(of: multiplyAdd(scaled, V(repeating: beta), p.loadUnaligned(as: V.self)), as: V.self)
    }
}

/// Full 16-column tile from a packed A panel.
func gemmKernelPacked(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                      ldc: Int, alpha: Float, beta: Float) {
    microKernel(SIMD16<Float>.self, kc: kc, a: a, aRow: 1, aCol: gemmMR, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// Full 16-column tile reading A in place with the given strides.
func gemmKernelStrided(kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int, b: UnsafePointer<Float>,
                       c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    microKernel(SIMD16<Float>.self, kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}

/// 8-column tile (the first half of a packed B panel), A read with the given strides.
func gemmKernelNarrow(kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int, b: UnsafePointer<Float>,
                      c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    microKernel(SIMD8<Float>.self, kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
}
