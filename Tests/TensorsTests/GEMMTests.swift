import Testing
@testable import Tensors
import SeededRandom
import TestSupport

@Suite("SGEMM") struct GEMMTests {
    /// Reference: plain triple loop in Double. Returns the result and, per element, the sum of
    /// |alpha * a_ik * b_kj| + |beta * c_ij| used for the error bound.
    func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: [Float], lda: Int,
                   b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> (values: [Double], magnitudes: [Double]) {
        var values = c.map { Double($0) }    // padding columns beyond n keep C's values
        var magnitudes = [Double](repeating: 0, count: c.count)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0, mag = 0.0
                for p in 0..<k {
                    let av = Double(transA ? a[p * lda + i] : a[i * lda + p])
                    let bv = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += av * bv
                    mag += abs(av * bv)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                values[i * ldc + j] = Double(alpha) * sum + old
                magnitudes[i * ldc + j] = abs(Double(alpha)) * mag + abs(old)
            }
        }
        return (values, magnitudes)
    }

    func check(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let lda = (transA ? m : k) + Int.random(in: 0...3, using: &rng)
        let ldb = (transB ? k : n) + Int.random(in: 0...3, using: &rng)
        let ldc = n + Int.random(in: 0...3, using: &rng)
        let a = (0..<((transA ? k : m) * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<((transB ? n : k) * ldb)).map { _ in Float.random(in: -1...1, using: &rng) }
        // With beta == 0, C must not be read at all: fill it with NaN.
        let c0 = (0..<(m * ldc)).map { i in beta == 0 && i % ldc < n ? Float.nan : Float.random(in: -1...1, using: &rng) }
        let expected = reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b, ldb: ldb, beta: beta, c: c0, ldc: ldc)
        var c = c0
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: &c, ldc: ldc)
        // Float32 summation of k products plus the alpha and beta terms has error at most
        // gamma_(k+3) * sum |terms|, gamma_j ~ j * u (Higham, "Accuracy and Stability of
        // Numerical Algorithms", section 3.1). Blocking changes the order, not the bound.
        let bound = Double(k + 3) * float32Roundoff
        expectClose(c, expected.values, tolerance: { bound * expected.magnitudes[$0] },
                    "sgemm tA=\(transA) tB=\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta)")
    }

    @Test func randomShapesAllTransposesAlphaBeta() {
        var rng = SeededGenerator(seed: 7)
        withThreadCounts { _ in
            for trial in 0..<12 {
                // Odd sizes around the tile (6 x 16) and k-block (384) edges, and tiny ones.
                let m = [1, 5, 7, 13, 145][Int.random(in: 0..<5, using: &rng)] + Int.random(in: 0...2, using: &rng)
                let n = [1, 15, 17, 33, 100][Int.random(in: 0..<5, using: &rng)] + Int.random(in: 0...2, using: &rng)
                let k = [1, 3, 31, 385, 400][Int.random(in: 0..<5, using: &rng)]
                let alpha: Float = [1, -0.5, 2][trial % 3]
                let beta: Float = [0, 1, 0.25][(trial / 3) % 3]
                check(transA: trial % 2 == 1, transB: (trial / 2) % 2 == 1, m: m, n: n, k: k,
                      alpha: alpha, beta: beta, seed: UInt64(100 + trial))
            }
        }
    }

    @Test func largeBlockedProductSplitAcrossThreads() {
        // Several k blocks, and the thread split along rows and along columns.
        withThreadCounts([2]) { _ in
            check(transA: false, transB: false, m: 300, n: 70, k: 800, alpha: 1, beta: 0, seed: 1)
            check(transA: false, transB: true, m: 40, n: 290, k: 500, alpha: 1, beta: 1, seed: 2)
            // One row tile only: the jobs split the columns.
            check(transA: false, transB: false, m: 5, n: 1000, k: 300, alpha: 1, beta: 0.5, seed: 3)
            // A tall C whose B (400 x 200) is large enough to be packed by both threads.
            check(transA: false, transB: true, m: 400, n: 200, k: 400, alpha: -1, beta: 0, seed: 4)
            // A wide C: each column job packs its own part of B.
            check(transA: true, transB: false, m: 64, n: 700, k: 400, alpha: 1, beta: 1, seed: 5)
        }
    }

    @Test func kBlocksAreEvenAndCoverK() {
        for k in [1, 383, 384, 385, 800, 1024, 2048, 5000] {
            let depth = GEMMBlocking.kcDepth(k: k)
            let blocks = (k + depth - 1) / depth
            #expect(depth <= GEMMBlocking.kc && blocks == (k + GEMMBlocking.kc - 1) / GEMMBlocking.kc, "k=\(k)")
            #expect(k - (blocks - 1) * depth > depth - blocks, "k=\(k): last block \(k - (blocks - 1) * depth) of \(depth)")
        }
        #expect(GEMMBlocking.kcDepth(k: 0) >= 1)
    }

    @Test func everyKernelPath() {
        withThreadCounts([1, 2]) { _ in
            // C wider than 256 columns: A slivers packed, both transposes.
            check(transA: false, transB: false, m: 320, n: 300, k: 400, alpha: 1, beta: 0, seed: 11)
            check(transA: true, transB: true, m: 301, n: 290, k: 100, alpha: -1, beta: 0.5, seed: 12)
            // More than one 4096-column block of B.
            check(transA: false, transB: false, m: 7, n: 4100, k: 20, alpha: 1, beta: 0, seed: 13)
            // Widths 24 and 40 end in an 8-column panel (narrow kernel); 7 and 13 rows leave a
            // partial row tile; transposed A is read in place.
            for (m, n) in [(61, 24), (13, 40), (7, 8)] {
                check(transA: false, transB: false, m: m, n: n, k: 96, alpha: 1, beta: 0, seed: UInt64(m))
                check(transA: true, transB: false, m: m, n: n, k: 150, alpha: 0.5, beta: 1, seed: UInt64(n))
            }
        }
    }

    @Test func wideKernelEqualsTwoSixteenColumnTilesBitForBit() {
        // The 6 x 32 kernel (used for full tiles in AVX-512 builds) must give exactly what the
        // 6 x 16 kernel gives on each of its two B panels: same products, same k order. A read
        // in place with a row stride and packed; beta 0 (C holds NaN), 1 and 0.25; and it must
        // also meet the Double reference's error bound.
        var rng = SeededGenerator(seed: 41)
        for (kc, lda, alpha, beta) in [(1, 3, Float(1), Float(0)), (147, 150, 1, 0), (288, 291, -0.5, 1), (384, 384, 2, 0.25)] {
            let a = (0..<(gemmMR * lda)).map { _ in Float.random(in: -1...1, using: &rng) }
            let b = (0..<(kc * 2 * gemmNR)).map { _ in Float.random(in: -1...1, using: &rng) }
            let ldc = 2 * gemmNR + 5
            let c0 = (0..<(gemmMR * ldc)).map { i in beta == 0 ? Float.nan : Float(i % 7) - 3 }
            var panels = [Float](repeating: 0, count: kc * 2 * gemmNR)
            var packedA = [Float](repeating: 0, count: gemmMR * kc)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    packB(MatrixView(bp.baseAddress!, ld: 2 * gemmNR, transposed: false), p0: 0, kc: kc, j0: 0, nc: 2 * gemmNR,
                          into: &panels)
                }
                packA(MatrixView(ap.baseAddress!, ld: lda, transposed: false), i0: 0, mc: gemmMR, p0: 0, kc: kc, into: &packedA)
            }
            for packed in [false, true] {
                var wide = c0, narrow = c0
                let source = packed ? packedA : a
                let (aRow, aCol) = packed ? (1, gemmMR) : (lda, 1)
                gemmKernelWide(kc: kc, a: source, aRow: aRow, aCol: aCol, b: panels, c: &wide, ldc: ldc, alpha: alpha, beta: beta)
                panels.withUnsafeBufferPointer { bp in
                    narrow.withUnsafeMutableBufferPointer { cp in
                        for half in 0..<2 {
                            gemmKernelStrided(kc: kc, a: source, aRow: aRow, aCol: aCol, b: bp.baseAddress! + half * gemmNR * kc,
                                              c: cp.baseAddress! + half * gemmNR, ldc: ldc, alpha: alpha, beta: beta)
                        }
                    }
                }
                #expect(wide.elementsEqual(narrow) { $0.bitPattern == $1.bitPattern }, "kc=\(kc) packed=\(packed)")
                let expected = reference(transA: false, transB: false, m: gemmMR, n: 2 * gemmNR, k: kc, alpha: alpha, a: a, lda: lda,
                                         b: b, ldb: 2 * gemmNR, beta: beta, c: c0, ldc: ldc)
                let bound = Double(kc + 3) * float32Roundoff
                let columns = (0..<(gemmMR * ldc)).filter { $0 % ldc < 2 * gemmNR }
                expectClose(columns.map { wide[$0] }, columns.map { expected.values[$0] },
                            tolerance: { bound * expected.magnitudes[columns[$0]] }, "wide kernel kc=\(kc) packed=\(packed)")
            }
        }
    }

    /// a * b computed at run time (not folded by the optimiser), in the caller's float mode.
    @inline(never) @_optimize(none)
    func product(_ a: Float, _ b: Float) -> Float { a * b }

    @Test func subnormalProductsAndOperandsAreZeroAndTheThreadModeIsRestored() {
        // On Linux x86-64 the GEMM runs with flush-to-zero and denormals-are-zero
        // (SubnormalsAsZero.swift). C [2 x 3] = A [2 x 1] * B [1 x 3] with A = (1e-20, 1e20)
        // and B = (1e-20, 1e-40, 2): 1e-20 * 1e-20 = 1e-40 is a subnormal result (flushed to 0)
        // and 1e20 * 1e-40 has a subnormal operand (read as 0, else 1e-20); ordinary products
        // are exact. The caller's own arithmetic keeps subnormals afterwards.
        let a: [Float] = [1e-20, 1e20], b: [Float] = [1e-20, 1e-40, 2]
        var c = [Float](repeating: .nan, count: 6)
        sgemm(transA: false, transB: false, m: 2, n: 3, k: 1, a: a, lda: 1, b: b, ldb: 3, c: &c, ldc: 3)
        #if os(Linux) && arch(x86_64)
        #expect(c[0] == 0 && c[4] == 0, "subnormal result and subnormal operand give 0, got \(c)")
        #else
        #expect(c[0] == product(a[0], b[0]) && c[4] == product(a[1], b[1]), "products as computed, got \(c)")
        #endif
        #expect(c[2] == product(a[0], b[2]) && c[3] == product(a[1], b[0]) && c[5] == product(a[1], b[2]),
                "ordinary products are exact: \(c)")
        let after = product(a[0], b[0])
        #expect(after.isSubnormal, "the thread's mode is restored after sgemm: 1e-20 * 1e-20 = \(after)")
    }

    @Test func emptyKScalesC() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [0], b: [Float] = [0, 0]
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 0, a: a, lda: 1, b: b, ldb: 2, beta: 0.5, c: &c, ldc: 2)
        #expect(c == [0.5, 1, 1.5, 2])
    }

    @Test func resultIsIndependentOfThreadCount() {
        let m = 203, n = 97, k = 450
        let a = randomTensor([m, k], seed: 3), b = randomTensor([k, n], seed: 4)
        var results: [[Float]] = []
        withThreadCounts([1, 2, 3]) { _ in
            var c = [Float](repeating: 0, count: m * n)
            sgemm(transA: false, transB: false, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: n, c: &c, ldc: n)
            results.append(c)
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }
}
