import Testing
@testable import Tensors
import SeededRandom
import TestSupport

@Suite("Nearest-row search") struct NearestRowsTests {
    func randomRows(_ n: Int, _ d: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<(n * d)).map { _ in rng.nextGaussian() }
    }

    /// Squared distances of every query to every reference row, in Double.
    func naive(_ queries: [Float], _ references: [Float], d: Int) -> [[Double]] {
        (0..<(queries.count / d)).map { q in
            (0..<(references.count / d)).map { r in
                var s = 0.0
                for j in 0..<d { let e = Double(queries[q * d + j]) - Double(references[r * d + j]); s += e * e }
                return s
            }
        }
    }

    /// Against the Double reference: the minimum to float accuracy, and an index whose
    /// distance is that minimum (up to the same tolerance; random data has no exact ties).
    @Test(arguments: [(count: 300, dimension: 37, queries: 40), (count: 2240, dimension: 152, queries: 61),
                      (count: 17, dimension: 400, queries: 7), (count: 1, dimension: 3, queries: 5)])
    func matchesDoublePrecisionBruteForce(_ shape: (count: Int, dimension: Int, queries: Int)) {
        let (n, d, m) = shape
        let references = randomRows(n, d, seed: 1), queries = randomRows(m, d, seed: 2)
        let search = references.withUnsafeBufferPointer { NearestRowSearch(rows: $0.baseAddress!, count: n, dimension: d) }
        let (squared, indices) = queries.withUnsafeBufferPointer { search.nearest($0.baseAddress!, count: m) }
        let exact = naive(queries, references, d: d)
        let largestNorm = (0..<n).map { r in (0..<d).reduce(0.0) { $0 + Double(references[r * d + $1]) * Double(references[r * d + $1]) } }.max()!
        let best = exact.map { $0.min()! }
        // ||a||² + ||b||² - 2a·b loses about (||a||² + ||b||²) * d * u to cancellation.
        let tolerances = (0..<m).map { q in
            4 * Double(d) * float32Roundoff * ((0..<d).reduce(0.0) { $0 + Double(queries[q * d + $1]) * Double(queries[q * d + $1]) } + largestNorm) + 1e-6
        }
        expectClose(squared, best, tolerance: { tolerances[$0] }, "squared distances, \(n) rows of \(d)")
        for q in 0..<m { #expect(exact[q][indices[q]] - best[q] <= 2 * tolerances[q], "query \(q): index \(indices[q])") }
    }

    /// Bit for bit what a GEMM of all products followed by a sequential scan gives (the
    /// computation it replaced), at every thread count.
    @Test func equalsGEMMThenScanAtEveryThreadCount() {
        for (n, d, m) in [(2240, 152, 130), (45, 400, 13), (16, 8, 6)] {
            let references = randomRows(n, d, seed: 3), queries = randomRows(m, d, seed: 4)
            var products = [Float](repeating: 0, count: m * n)
            sgemm(transA: false, transB: true, m: m, n: n, k: d, a: queries, lda: d, b: references, ldb: d, c: &products, ldc: n)
            let norms = references.withUnsafeBufferPointer { b in (0..<n).map { sequentialSquaredNorm(b.baseAddress! + $0 * d, d) } }
            var expectedDistances = [Float](), expectedIndices = [Int]()
            for q in 0..<m {
                var best = Float.infinity, bestIndex = 0
                for j in 0..<n where norms[j] - 2 * products[q * n + j] < best { best = norms[j] - 2 * products[q * n + j]; bestIndex = j }
                let qNorm = queries.withUnsafeBufferPointer { sequentialSquaredNorm($0.baseAddress! + q * d, d) }
                expectedDistances.append(max(best + qNorm, 0))
                expectedIndices.append(bestIndex)
            }
            let search = references.withUnsafeBufferPointer { NearestRowSearch(rows: $0.baseAddress!, count: n, dimension: d) }
            withThreadCounts { threads in
                let (squared, indices) = queries.withUnsafeBufferPointer { search.nearest($0.baseAddress!, count: m) }
                expectClose(squared, expectedDistances.map(Double.init), absolute: 0, "\(n)x\(d), \(m) queries, \(threads) threads")
                #expect(indices == expectedIndices, "\(n)x\(d), \(m) queries, \(threads) threads")
            }
        }
    }

    @Test func tiesGoToTheFirstRowAndExactMatchesAreZero() {
        let d = 5
        var references = randomRows(40, d, seed: 5)
        for j in 0..<d { references[33 * d + j] = references[7 * d + j] }    // row 33 repeats row 7
        let queries = Array(references[(7 * d)..<(8 * d)])
        let search = references.withUnsafeBufferPointer { NearestRowSearch(rows: $0.baseAddress!, count: 40, dimension: d) }
        let (squared, indices) = queries.withUnsafeBufferPointer { search.nearest($0.baseAddress!, count: 1) }
        #expect(indices == [7])
        #expect(squared[0] >= 0 && squared[0] < 1e-5)
        let none = queries.withUnsafeBufferPointer { search.nearest($0.baseAddress!, count: 0) }
        #expect(none.squaredDistances.isEmpty && none.indices.isEmpty)
    }

    /// Queries whose trailing features upsample a coarse grid (PatchCore's layout): searching
    /// with the coarse grid and the bilinear weights finds the nearest rows of the upsampled
    /// queries, to float accuracy. Shapes: PatchCore's (40 + 112 features, 14 x 20 -> 28 x 40),
    /// a grid that is not 2x, and a row longer than one k block (the plain search then).
    @Test(arguments: [(lead: 40, tail: 112, coarse: (14, 20), fine: (28, 40), count: 700),
                      (lead: 5, tail: 11, coarse: (3, 7), fine: (8, 9), count: 50),
                      (lead: 30, tail: 400, coarse: (2, 3), fine: (4, 6), count: 40)])
    func interpolatedTailFindsTheNearestRowsOfTheUpsampledQueries(
        _ shape: (lead: Int, tail: Int, coarse: (Int, Int), fine: (Int, Int), count: Int)) {
        let (lead, tailDimension, (ch, cw), (fh, fw), n) = shape
        let d = lead + tailDimension, m = fh * fw
        let references = randomRows(n, d, seed: 11)
        let coarse = Tensor(shape: [1, ch, cw, tailDimension], data: randomRows(ch * cw, tailDimension, seed: 12))
        let upsampled = resizeBilinear(coarse, height: fh, width: fw)
        let leading = randomRows(m, lead, seed: 13)
        var queries = [Float]()
        for q in 0..<m {
            queries += leading[(q * lead)..<((q + 1) * lead)]
            queries += UnsafeBufferPointer(start: upsampled.data + q * tailDimension, count: tailDimension)
        }
        let taps = bilinearWeights(height: fh, width: fw, inHeight: ch, inWidth: cw)
        let search = references.withUnsafeBufferPointer { NearestRowSearch(rows: $0.baseAddress!, count: n, dimension: d) }
        let coarseRows = coarse.scalars
        let (squared, indices) = queries.withUnsafeBufferPointer { q in
            coarseRows.withUnsafeBufferPointer { c in
                taps.indices.withUnsafeBufferPointer { i in
                    taps.weights.withUnsafeBufferPointer { w in
                        search.nearest(q.baseAddress!, count: m,
                                       interpolatedTail: InterpolatedTail(values: c.baseAddress!, rows: ch * cw, dimension: tailDimension,
                                                                          indices: i.baseAddress!, weights: w.baseAddress!))
                    }
                }
            }
        }
        let exact = naive(queries, references, d: d)
        let largestNorm = (0..<n).map { r in (0..<d).reduce(0.0) { $0 + Double(references[r * d + $1]) * Double(references[r * d + $1]) } }.max()!
        let best = exact.map { $0.min()! }
        let tolerances = (0..<m).map { q in
            8 * Double(d) * float32Roundoff * ((0..<d).reduce(0.0) { $0 + Double(queries[q * d + $1]) * Double(queries[q * d + $1]) } + largestNorm) + 1e-6
        }
        expectClose(squared, best, tolerance: { tolerances[$0] }, "squared distances, \(n) rows of \(d)")
        for q in 0..<m { #expect(exact[q][indices[q]] - best[q] <= 2 * tolerances[q], "query \(q): index \(indices[q])") }
    }
}
