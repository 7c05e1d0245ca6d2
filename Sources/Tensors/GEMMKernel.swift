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

/// Whether full 6 x 32 tiles (two adjacent B panels) go to `gemmKernelWide`: in release builds
/// for an AVX-512 host, where its 12 accumulators are 12 of the 32 zmm registers. Intel's
/// AVX-512 cores have two 512-bit FMA pipes of 4 cycles' latency, so 8 independent chains are
/// needed to keep both busy: 6 accumulators reach at most 6/8 of the FMA peak. On AVX2 the 12
/// accumulators would be 24 ymm registers of the 16 there are, so those builds keep 6 x 16.
#if INSPECT_HOST_AVX512
let gemmWideTiles = true
#else
let gemmWideTiles = false
#endif

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

/// C[0..<6, 0..<32] = alpha * A_tile * [B panel | next B panel] (+ beta * C): the 6 x 16
/// kernel on two adjacent packed B panels at once (`b` and `b + gemmNR * kc`), each A value
/// broadcast once for both. Each element of C gets the same fused multiply-adds in the same
/// k order as in `microKernel`, so the results are the same bit for bit.
@inline(__always)
private func microKernelWide(kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int,
                             b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                             alpha: Float, beta: Float) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    var a0 = a; var a1 = a + 1 * aRow; var a2 = a + 2 * aRow; var a3 = a + 3 * aRow; var a4 = a + 4 * aRow; var a5 = a + 5 * aRow
    var pb = UnsafeRawPointer(b)
    let second = gemmNR * kc * MemoryLayout<Float>.stride
    for _ in 0..<kc {
        let b0 = pb.loadUnaligned(as: V.self), b1 = pb.loadUnaligned(fromByteOffset: second, as: V.self)
        var x = V(repeating: a0.pointee)
        multiplyAdd(into: &c00, x, b0); multiplyAdd(into: &c01, x, b1)
        x = V(repeating: a1.pointee)
        multiplyAdd(into: &c10, x, b0); multiplyAdd(into: &c11, x, b1)
        x = V(repeating: a2.pointee)
        multiplyAdd(into: &c20, x, b0); multiplyAdd(into: &c21, x, b1)
        x = V(repeating: a3.pointee)
        multiplyAdd(into: &c30, x, b0); multiplyAdd(into: &c31, x, b1)
        x = V(repeating: a4.pointee)
        multiplyAdd(into: &c40, x, b0); multiplyAdd(into: &c41, x, b1)
        x = V(repeating: a5.pointee)
        multiplyAdd(into: &c50, x, b0); multiplyAdd(into: &c51, x, b1)
        a0 += aCol; a1 += aCol; a2 += aCol; a3 += aCol; a4 += aCol; a5 += aCol
        pb += gemmNR * MemoryLayout<Float>.stride
    }
    storeRow(c + 0 * ldc, c00, alpha, beta); storeRow(c + 0 * ldc + gemmNR, c01, alpha, beta)
    storeRow(c + 1 * ldc, c10, alpha, beta); storeRow(c + 1 * ldc + gemmNR, c11, alpha, beta)
    storeRow(c + 2 * ldc, c20, alpha, beta); storeRow(c + 2 * ldc + gemmNR, c21, alpha, beta)
    storeRow(c + 3 * ldc, c30, alpha, beta); storeRow(c + 3 * ldc + gemmNR, c31, alpha, beta)
    storeRow(c + 4 * ldc, c40, alpha, beta); storeRow(c + 4 * ldc + gemmNR, c41, alpha, beta)
    storeRow(c + 5 * ldc, c50, alpha, beta); storeRow(c + 5 * ldc + gemmNR, c51, alpha, beta)
}

/// Full 32-column tile: two adjacent packed B panels, A read with the given strides (packed
/// A has aRow 1, aCol 6).
func gemmKernelWide(kc: Int, a: UnsafePointer<Float>, aRow: Int, aCol: Int, b: UnsafePointer<Float>,
                    c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float) {
    microKernelWide(kc: kc, a: a, aRow: aRow, aCol: aCol, b: b, c: c, ldc: ldc, alpha: alpha, beta: beta)
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
