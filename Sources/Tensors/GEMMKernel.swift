// The GEMM micro-kernel. Tile size: gemmMR rows by gemmNR columns of C.
//
// One SIMD16<Float> accumulator per row of the tile. On an AVX2 machine (16 ymm registers, as
// here) each SIMD16 is a pair of ymm registers, so the 6x16 tile takes 12 registers plus
// two for the B row and one for the broadcast: the register budget of the BLIS Haswell kernel.
// With AVX-512 each accumulator is one zmm register.

let gemmMR = 6
let gemmNR = 16

/// C[0..<6, 0..<16] = A_panel * B_panel (+ beta * C).
///
/// `a` is a packed A panel (6 row values per k step), `b` a packed B panel (16 column
/// values per k step). Each k step does one vector load of B, 6 broadcasts of A and 6
/// vector fused multiply-adds. When `beta` is 0, C is not read (it may hold NaN).
@inline(__always)
func gemmMicroKernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                     c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float) {
    typealias V = SIMD16<Float>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
    var pa = a, pb = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let bv = pb.loadUnaligned(as: V.self)
        c0.addProduct(V(repeating: pa[0]), bv)
        c1.addProduct(V(repeating: pa[1]), bv)
        c2.addProduct(V(repeating: pa[2]), bv)
        c3.addProduct(V(repeating: pa[3]), bv)
        c4.addProduct(V(repeating: pa[4]), bv)
        c5.addProduct(V(repeating: pa[5]), bv)
        pa += 6
        pb += 64
    }
    storeRow(c + 0 * ldc, c0, beta)
    storeRow(c + 1 * ldc, c1, beta)
    storeRow(c + 2 * ldc, c2, beta)
    storeRow(c + 3 * ldc, c3, beta)
    storeRow(c + 4 * ldc, c4, beta)
    storeRow(c + 5 * ldc, c5, beta)
}

/// C[0..<16] = v (+ beta * C when beta != 0).
@inline(__always)
private func storeRow(_ c: UnsafeMutablePointer<Float>, _ v: SIMD16<Float>, _ beta: Float) {
    let p = UnsafeMutableRawPointer(c)
    if beta == 0 {
        p.storeBytes(of: v, as: SIMD16<Float>.self)
    } else {
        p.storeBytes(of: v.addingProduct(beta, p.loadUnaligned(as: SIMD16<Float>.self)), as: SIMD16<Float>.self)
    }
}
