import Testing
@testable import Tensors
import TestSupport

@Suite("SGEMM with prepacked B and fused epilogue") struct PackedGEMMTests {
    /// Shapes around every edge of the loop nest: partial row tiles, 8-column panels (24, 40),
    /// several k blocks (800 > 384), more than one 4096-column block, a single row.
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1000, 1280), (7, 24, 96), (61, 40, 150), (300, 70, 800),
                                                     (40, 290, 500), (13, 4100, 20), (203, 97, 450)]

    @Test func prepackedEqualsPlain() {
        for (index, (m, n, k)) in Self.shapes.enumerated() {
            for transB in [false, true] {
                let transA = index % 2 == 1
                let lda = (transA ? m : k) + 1, ldb = (transB ? k : n) + 2, ldc = n + 3
                let a = randomTensor([(transA ? k : m) * lda], seed: UInt64(index))
                let b = randomTensor([(transB ? n : k) * ldb], seed: UInt64(50 + index))
                let c0 = randomTensor([m * ldc], seed: UInt64(90 + index)).scalars
                let packed = PackedMatrix(b.data, rows: k, columns: n, ld: ldb, transposed: transB)
                #expect(packed.rows == k && packed.columns == n)
                let beta: Float = [0, 1, 0.5][index % 3]
                withThreadCounts { threads in
                    var plain = c0, prepacked = c0
                    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75, a: a.data, lda: lda,
                          b: b.data, ldb: ldb, beta: beta, c: &plain, ldc: ldc)
                    sgemm(m: m, a: a.data, lda: lda, transA: transA, packedB: packed, alpha: 0.75, beta: beta,
                          c: &prepacked, ldc: ldc)
                    #expect(plain == prepacked, "m=\(m) n=\(n) k=\(k) tA=\(transA) tB=\(transB) threads=\(threads)")
                }
            }
        }
    }

    /// Bias and activation in the micro-kernel's store give exactly the values of a separate
    /// pass c = activation(c + bias[j]) after the product, and leave C's padding alone.
    @Test func fusedEpilogueMatchesSeparatePass() {
        for (index, (m, n, k)) in Self.shapes.enumerated() {
            let ldc = n + 3
            let a = randomTensor([m, k], seed: UInt64(index))
            let b = randomTensor([k, n], seed: UInt64(50 + index))
            let bias = randomTensor([n], seed: UInt64(70 + index), range: -3...3)
            let c0 = randomTensor([m * ldc], seed: UInt64(90 + index)).scalars
            let packed = PackedMatrix(b.data, rows: k, columns: n, ld: n)
            for activation in [Activation.none, .relu, .relu6] {
                let beta: Float = index % 2 == 0 ? 0 : 1
                // alpha 4 spreads the values past 6, so ReLU6 clips on both sides.
                var expected = c0
                sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 4, a: a.data, lda: k, b: b.data, ldb: n,
                      beta: beta, c: &expected, ldc: ldc)
                for i in 0..<m {
                    for j in 0..<n {
                        let v = expected[i * ldc + j] + bias.data[j]
                        expected[i * ldc + j] = switch activation {
                        case .none: v
                        case .relu: max(v, 0)
                        case .relu6: min(max(v, 0), 6)
                        }
                    }
                }
                withThreadCounts([1, 2]) { threads in
                    var fused = c0, fusedPacked = c0
                    sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 4, a: a.data, lda: k, b: b.data, ldb: n,
                          beta: beta, c: &fused, ldc: ldc, bias: bias.data, activation: activation)
                    sgemm(m: m, a: a.data, lda: k, packedB: packed, alpha: 4, beta: beta, c: &fusedPacked, ldc: ldc,
                          bias: bias.data, activation: activation)
                    let what = "m=\(m) n=\(n) k=\(k) \(activation) threads=\(threads)"
                    #expect(fused == expected, "\(what)")
                    #expect(fusedPacked == expected, "\(what) prepacked")
                }
                if activation == .relu6 {
                    #expect(expected.contains(6) && expected.contains(0), "m=\(m) n=\(n): ReLU6 never clipped")
                }
            }
        }
    }

    @Test func epilogueAppliesWhenKIsZero() {
        var c: [Float] = [1, -2, 3, 9]
        let a: [Float] = [0], bias: [Float] = [0.5, 0.5]
        let packed = PackedMatrix(a, rows: 0, columns: 2, ld: 2)
        sgemm(m: 2, a: a, lda: 1, packedB: packed, beta: 1, c: &c, ldc: 2, bias: bias, activation: .relu6)
        #expect(c == [1.5, 0, 3.5, 6])
    }
}
